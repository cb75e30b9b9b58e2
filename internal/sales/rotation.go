package sales

import (
	"errors"

	"kefu/internal/policy"
	"kefu/internal/store"
)

// Absence reasons of a rotation member (SAL-003): only a task the project
// team assigned earns a make-up turn; days off and leave never do.
const (
	AbsentDayOff        = "day_off"        // 正常休息
	AbsentPersonalLeave = "personal_leave" // 事假
	AbsentSickLeave     = "sick_leave"     // 病假
	AbsentProjectTask   = "project_task"   // 项目安排的其他工作 (SAL-003 (4))
	AbsentOther         = "other"
)

// AbsenceReasons lists them.
var AbsenceReasons = []string{AbsentDayOff, AbsentPersonalLeave, AbsentSickLeave, AbsentProjectTask, AbsentOther}

// ErrNobodyFree: every member of the rotation is absent or receiving.
var ErrNobodyFree = errors.New("sales: nobody on the rotation is free")

// Member is one agent of a rotation table as NextAgent sees it.
type Member struct {
	UserID store.ID
	// Absence is "" when the agent is on the floor today, else an
	// AbsenceReason.
	Absence string
	// Busy is the kind of the agent's reception in progress, "" when free
	// (SAL-004: at most one).
	Busy string
}

// free reports whether the member can take a customer now.
func (m Member) free() bool { return m.Absence == "" && m.Busy == "" }

// Credit is a make-up turn (补接) waiting to be used, oldest first.
type Credit struct {
	ID     store.ID
	UserID store.ID
}

// RotationState is a sales centre's rotation table (轮排表) at a moment.
type RotationState struct {
	Members []Member // in rotation order
	Pointer store.ID // the member whose turn it is; 0 or unknown: the first
	Credits []Credit // make-up turns, in the order they were earned
	Policy  string   // policy.MakeUp*
}

// Skip is a member passed over because absent or receiving.
type Skip struct {
	UserID store.ID `json:"user_id"`
	Reason string   `json:"reason"` // an absence reason, or "busy:<reception kind>"
	Credit bool     `json:"credit"` // the skip earns a make-up turn (SAL-002, SAL-003)
}

// Pick is who receives the next new customer and what that does to the
// table: NextAgent computes it, the service applies it when a customer is
// really assigned (a preview changes nothing).
type Pick struct {
	UserID   store.ID `json:"user_id"`
	CreditID store.ID `json:"credit_id,omitempty"` // the make-up turn used, 0: by the pointer
	Skips    []Skip   `json:"skips,omitempty"`
	// NextPointer is the member whose turn it is afterwards.
	NextPointer store.ID `json:"next_pointer"`
	Rules       []string `json:"rules"`
}

// NextAgent returns who receives the next new walk-in customer (SAL-001
// to SAL-003): the oldest make-up turn whose holder is free comes first,
// without moving the pointer; otherwise the rotation runs from the
// pointer, skipping those absent or receiving — a skip earns a make-up turn
// when the policy says so — and the pointer moves past the one picked.
// ErrNobodyFree when nobody is free.
func NextAgent(st RotationState) (Pick, error) {
	n := len(st.Members)
	if n == 0 {
		return Pick{}, ErrNobodyFree
	}
	at := 0
	for i, m := range st.Members {
		if m.UserID == st.Pointer {
			at = i
		}
	}
	for _, c := range st.Credits {
		for _, m := range st.Members {
			if m.UserID == c.UserID && m.free() {
				return Pick{UserID: m.UserID, CreditID: c.ID, NextPointer: st.Members[at].UserID,
					Rules: []string{"SAL-002", "SAL-003"}}, nil
			}
		}
	}
	var skips []Skip
	for i := range n {
		m := st.Members[(at+i)%n]
		if m.free() {
			p := Pick{UserID: m.UserID, Skips: skips, NextPointer: st.Members[(at+i+1)%n].UserID, Rules: []string{"SAL-001"}}
			if len(skips) > 0 {
				p.Rules = append(p.Rules, "SAL-002", "SAL-003")
			}
			return p, nil
		}
		skips = append(skips, skipOf(m, st.Policy))
	}
	return Pick{}, ErrNobodyFree
}

// skipOf says why m is passed over and whether that earns a make-up turn:
// always under "always", never under "never"; under the art.7 triggers
// (SAL-003) only when receiving her own or a phone customer, a colleague's
// old customer or helping a colleague, or away on a task of the project.
func skipOf(m Member, makeUp string) Skip {
	s := Skip{UserID: m.UserID, Reason: m.Absence}
	if m.Absence == "" {
		s.Reason = "busy:" + m.Busy
	}
	switch makeUp {
	case policy.MakeUpAlways:
		s.Credit = true
	case policy.MakeUpNever:
		s.Credit = false
	default:
		s.Credit = m.Absence == AbsentProjectTask || m.Absence == "" && EarnsMakeUp(m.Busy)
	}
	return s
}

// EarnsMakeUp reports whether being busy with a reception of this kind
// when one's turn comes earns a make-up turn under the art.7 triggers
// (SAL-003 (1) to (3)).
func EarnsMakeUp(kind string) bool {
	switch kind {
	case ReceptionOwnOld, ReceptionColleagueOld, ReceptionAssist:
		return true
	}
	return false
}
