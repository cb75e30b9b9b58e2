package sampling

import (
	"time"

	"kefu/internal/apperr"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// CheckSession refuses a check session smaller than the rule's minimum
// (SMP-009: at least 10 households each time; a session of 8 is refused).
// population is the checked person's population of the period: when it is
// smaller than the minimum, a session covering all of it is enough.
func CheckSession(r *policy.SamplingRule, size, population int) error {
	if size < 0 || population < 0 {
		return apperr.Validation("session", i18n.T("不能为负数", "must not be negative"))
	}
	need := min(r.SessionMin, population)
	if size < need {
		return apperr.Validation("session", i18n.T("每次抽检不少于 %[1]d 户，本次只有 %[2]d 户（%[3]s）",
			"a check session covers at least %[1]d, this one %[2]d (%[3]s)", need, size, "SMP-009"))
	}
	return nil
}

// Escalation is the consequence the n-th failure of the kind within the
// repeat window brings (SMP-017): the kind's consequence at the
// threshold-th failure and again at each further multiple (the 3rd and the
// 6th missed quota each bring a warning; the 2nd cover-up, demotion), ""
// otherwise. Every failure also costs the points the merit ledger sets.
func Escalation(k *policy.RepeatOffence, n int) string {
	if k.Threshold < 1 || n < 1 || n%k.Threshold != 0 {
		return ""
	}
	return k.Consequence
}

// RepeatWindow is the span, [from, to), in which failures are counted
// together for an offence at the time (SMP-017: the calendar year, in the
// time's location); false for an unknown window.
func RepeatWindow(window string, at time.Time) (from, to time.Time, ok bool) {
	switch window {
	case policy.WindowCalendarYear:
		first := calendar.D(at.Year(), time.January, 1)
		return first.Midnight(at.Location()), first.AddMonths(12).Midnight(at.Location()), true
	}
	return time.Time{}, time.Time{}, false
}
