package sampling

import (
	"context"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// KindQuotaMissed is the repeat-offence kind a draw closed short of its
// sample records against its sampler (SMP-004, SMP-017).
const KindQuotaMissed = "quota_missed"

// EventFailure is sent for every recorded failure, to outside systems and
// the merit ledger, which proposes the performance points the failure costs
// (SMP-017); its payload is a RepeatOffence with no consequence unless the
// failure brings one.
const EventFailure = "sampling.failure"

// EventRepeatOffence is sent when a failure brings its kind's consequence
// (SMP-017); the merit ledger (MER-005) consumes its payload, a
// RepeatOffence.
const EventRepeatOffence = "sampling.repeat_offence"

// FailureInput records a sampler's failure (SMP-017): no or falsified
// ledger, an on-site ledger without signatures, no proposal or not
// escalated, the monthly team report not submitted, a cover-up, or a
// missed quota the system did not see.
type FailureInput struct {
	UserID store.ID `json:"user_id"`
	Kind   string   `json:"kind"` // a repeat_offences kind of the person's pack
	// OccurredOn is the day of the failure (YYYY-MM-DD; the last day of a
	// missed period); default today. It places the failure in its window.
	OccurredOn string   `json:"occurred_on,omitempty"`
	DrawID     store.ID `json:"draw_id,omitempty"`
	EntryID    store.ID `json:"entry_id,omitempty"`
	Note       string   `json:"note,omitempty"`
}

// Failure is a recorded failure, append-only.
type Failure struct {
	ID         store.ID `json:"id"`
	CompanyID  store.ID `json:"company_id"`
	UserID     store.ID `json:"user_id"`
	User       string   `json:"user"`
	Kind       string   `json:"kind"`
	KindName   string   `json:"kind_name"`
	OccurredOn string   `json:"occurred_on"`
	// Count is the failure's place among the person's failures of the
	// kind in the window when it was recorded; Consequence what it brought
	// (warning, demotion, or none).
	Count       int       `json:"count"`
	Consequence string    `json:"consequence,omitempty"`
	DrawID      store.ID  `json:"draw_id,omitempty"`
	EntryID     store.ID  `json:"entry_id,omitempty"`
	Note        string    `json:"note,omitempty"`
	RecordedBy  store.ID  `json:"recorded_by,omitempty"` // 0: recorded when the draw closed
	CreatedAt   time.Time `json:"created_at"`

	pack        string // the pack version it was counted under
	packVersion int
}

// RepeatOffence is the payload of EventRepeatOffence.
type RepeatOffence struct {
	UserID      store.ID   `json:"user_id"`
	CompanyID   store.ID   `json:"company_id"`
	Kind        string     `json:"kind"`
	Count       int        `json:"count"`
	Consequence string     `json:"consequence"` // warning (heavier deduction + warning), demotion
	RuleID      string     `json:"rule_id"`     // SMP-017
	Window      string     `json:"window"`      // calendar_year
	WindowFrom  string     `json:"window_from"` // YYYY-MM-DD
	WindowTo    string     `json:"window_to"`   // YYYY-MM-DD, exclusive
	FailureIDs  []store.ID `json:"failure_ids"` // the failures of the kind in the window, oldest first
	FailureID   store.ID   `json:"failure_id"`  // the failure just recorded
	OccurredOn  string     `json:"occurred_on"` // its day, YYYY-MM-DD
}

// failureRow is a failure to record.
type failureRow struct {
	company, user store.ID
	kind          string
	on            calendar.Date
	draw, entry   store.ID
	note          string
}

// failureLock serialises the failures of one person (their count).
func failureLock(user store.ID) int64 {
	h := fnv.New64a()
	h.Write([]byte("sampling.failures|" + user.String()))
	return int64(h.Sum64())
}

// recordFailure counts the failure within its window and, when the count
// brings the kind's consequence (Escalation), tells the person and the
// company's managers with EventRepeatOffence (SMP-017).
func (s *Service) recordFailure(ctx context.Context, tx store.Conn, p *auth.Principal, pack *policy.Pack, f failureRow) (store.ID, error) {
	kind, ok := pack.Sampling.RepeatOffence(f.kind)
	if !ok {
		return 0, apperr.Validation("kind", i18n.T("政策包没有此类失职 %q", "the pack has no failure kind %q", f.kind))
	}
	window := pack.Sampling.RepeatOffences.Window
	at := f.on.Midnight(store.Zone)
	from, to, ok := RepeatWindow(window, at)
	if !ok {
		return 0, apperr.Conflict("window", i18n.T("未知的累计期间 %q", "unknown repeat window %q", window))
	}
	if err := store.LockXact(ctx, tx, failureLock(f.user)); err != nil {
		return 0, err
	}
	prior, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, `SELECT id FROM sampling_failures WHERE user_id = ? AND kind = ? AND occurred_at >= ? AND occurred_at < ?
		ORDER BY occurred_at, id`, f.user, f.kind, store.Micros(from), store.Micros(to))
	if err != nil {
		return 0, err
	}
	n := len(prior) + 1
	consequence := Escalation(kind, n)
	now := s.now()
	id, err := tx.InsertID(ctx, `INSERT INTO sampling_failures (company_id, user_id, kind, pack, pack_version, occurred_on,
		occurred_at, seq, consequence, draw_id, entry_id, note, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.company, f.user, f.kind, pack.Key, pack.Version,
		f.on.String(), store.Micros(at), n, consequence, store.OptionalID(f.draw), store.OptionalID(f.entry), f.note, p.UserRef(), store.Micros(now))
	if err != nil {
		return 0, err
	}
	if err := audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sampling.failure", "sampling_failure", id.String(),
		map[string]any{"user_id": f.user, "kind": f.kind, "count": n, "consequence": consequence}); err != nil {
		return 0, err
	}
	payload := RepeatOffence{UserID: f.user, CompanyID: f.company, Kind: f.kind, Count: n, Consequence: consequence,
		RuleID: "SMP-017", Window: window, WindowFrom: calendar.DateOf(from).String(), WindowTo: calendar.DateOf(to).String(),
		FailureIDs: append(prior, id), FailureID: id, OccurredOn: f.on.String()}
	if err := s.send(ctx, tx, notify.Message{Event: EventFailure, Object: "sampling_failure", ObjectID: id,
		Payload: payload}); err != nil {
		return 0, err
	}
	if consequence == "" {
		return id, nil
	}
	managers, err := org.UsersWithRoles(ctx, tx, f.company, []auth.Role{auth.RoleManager})
	if err != nil {
		return 0, err
	}
	title := i18n.T("抽查失职第 %[1]d 次（%[2]s）：%[3]s", "Sampling failure no. %[1]d (%[4]s): %[5]s", n, kind.Name.ZH,
		consequenceZH(consequence), f.kind, consequence)
	return id, s.send(ctx, tx, notify.Message{Event: EventRepeatOffence, Users: append([]store.ID{f.user}, managers...),
		Title: title, Link: "/sampling/failures?user_id=" + f.user.String() + "&year=" + strconv.Itoa(from.Year()),
		Object: "sampling_failure", ObjectID: id, Payload: payload})
}

// consequenceZH names a consequence in Chinese.
func consequenceZH(c string) string {
	switch c {
	case policy.ConsequenceWarning:
		return "加重扣分并警告"
	case policy.ConsequenceDemotion:
		return "降职"
	}
	return c
}

// RecordFailure records a sampler's failure of a kind of their pack's
// repeat offences (SMP-017), by a holder of sampling:write.
func (s *Service) RecordFailure(ctx context.Context, p *auth.Principal, in FailureInput) (*Failure, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if in.UserID == 0 {
		return nil, apperr.Required("user_id")
	}
	if strings.TrimSpace(in.Kind) == "" {
		return nil, apperr.Required("kind")
	}
	if utf8.RuneCountInString(in.Note) > MaxText {
		return nil, apperr.Validation("note", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxText))
	}
	today := calendar.DateOf(s.now().In(store.Zone))
	on := today
	if v := strings.TrimSpace(in.OccurredOn); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			return nil, apperr.Validation("occurred_on", i18n.T("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"))
		}
		if d.After(today) {
			return nil, apperr.Validation("occurred_on", i18n.T("不能是将来的日期", "must not be in the future"))
		}
		on = d
	}
	if in.UserID == p.UserID {
		return nil, apperr.Validation("user_id", i18n.T("不能登记自己的失职", "nobody records their own failure"))
	}
	var id store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		u, err := loadPerson(ctx, tx, p, in.UserID, "user_id")
		if err != nil {
			return err
		}
		pack, err := s.packs.ForUnit(ctx, u.Company.ID)
		if err != nil {
			return err
		}
		if in.DrawID != 0 {
			d, err := s.loadDraw(ctx, tx, p, in.DrawID)
			if err != nil || d.CompanyID != u.Company.ID {
				return apperr.Validation("draw_id", i18n.T("没有这个抽样", "no such draw"))
			}
		}
		if in.EntryID != 0 {
			e, err := s.loadEntry(ctx, tx, p, in.EntryID)
			if err != nil || e.CompanyID != u.Company.ID {
				return apperr.Validation("entry_id", i18n.T("没有这条台帐记录", "no such ledger entry"))
			}
		}
		id, err = s.recordFailure(ctx, tx, p, pack, failureRow{company: u.Company.ID, user: u.ID, kind: strings.TrimSpace(in.Kind),
			on: on, draw: in.DrawID, entry: in.EntryID, note: strings.TrimSpace(in.Note)})
		return err
	})
	if err != nil {
		return nil, err
	}
	r, err := s.failures(ctx, p, "f.id = ?", id)
	if err != nil || len(r) == 0 {
		return nil, err
	}
	return r[0], nil
}

const failureColumns = `f.id, f.company_id, f.user_id, coalesce((SELECT display_name FROM users WHERE id = f.user_id), ''),
	f.kind, f.pack, f.pack_version, f.occurred_on, f.seq, f.consequence, f.draw_id, f.entry_id, f.note, f.recorded_by, f.created_at`

func (s *Service) failures(ctx context.Context, p *auth.Principal, cond string, args ...any) ([]*Failure, error) {
	scope, sargs := visible(p, "f.company_id")
	return store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (*Failure, error) {
		var f Failure
		var draw, entry, by store.NullID
		var created int64
		err := sc.Scan(&f.ID, &f.CompanyID, &f.UserID, &f.User, &f.Kind, &f.pack, &f.packVersion, &f.OccurredOn, &f.Count, &f.Consequence,
			&draw, &entry, &f.Note, &by, &created)
		f.DrawID, f.EntryID, f.RecordedBy, f.CreatedAt = draw.ID, entry.ID, by.ID, store.FromMicros(created)
		f.KindName = f.Kind
		if pack, ok := s.packs.Version(f.pack, f.packVersion); ok {
			if k, ok := pack.Sampling.RepeatOffence(f.Kind); ok {
				f.KindName = k.Name.ZH
			}
		}
		return &f, err
	}, "SELECT "+failureColumns+" FROM sampling_failures f WHERE "+scope+" AND "+cond+" ORDER BY f.occurred_at, f.id",
		append(sargs, args...)...)
}

// KindCount is one person's failures of one kind in the year.
type KindCount struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Threshold   int    `json:"threshold"`
	Consequence string `json:"consequence"` // what the threshold brings
	Count       int    `json:"count"`
	// Consequences are those the failures brought (one per threshold
	// reached); ToNext is how many more failures bring the next.
	Consequences []string `json:"consequences"`
	ToNext       int      `json:"to_next"`
}

// PersonFailures are one person's failures of the year by kind.
type PersonFailures struct {
	UserID store.ID    `json:"user_id"`
	User   string      `json:"user"`
	Kinds  []KindCount `json:"kinds"`
}

// FailureReport is the year's failures with their counts per person and
// kind (SMP-017, RPT-013).
type FailureReport struct {
	Year     int              `json:"year"`
	People   []PersonFailures `json:"people"`
	Failures []*Failure       `json:"failures"`
}

// Failures reports the failures p may see in a calendar year (the SMP-017
// window), of one person or of everyone; year 0 is the current one.
func (s *Service) Failures(ctx context.Context, p *auth.Principal, user store.ID, year int) (*FailureReport, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	if year == 0 {
		year = s.now().In(store.Zone).Year()
	}
	if year < 2000 || year > 2200 {
		return nil, apperr.Validation("year", i18n.T("年份无效", "not a valid year"))
	}
	from, to := calendar.D(year, time.January, 1), calendar.D(year+1, time.January, 1)
	cond := "f.occurred_on >= ? AND f.occurred_on < ?"
	args := []any{from.String(), to.String()}
	var kinds []policy.RepeatOffence
	if user != 0 {
		u, err := loadPerson(ctx, s.db.Reader(), p, user, "user_id")
		if err != nil {
			return nil, err
		}
		cond += " AND f.user_id = ?"
		args = append(args, user)
		if pack, err := s.packs.ForUnit(ctx, u.Company.ID); err == nil {
			kinds = pack.Sampling.RepeatOffences.Kinds
		}
	}
	list, err := s.failures(ctx, p, cond, args...)
	if err != nil {
		return nil, err
	}
	rep := &FailureReport{Year: year, People: []PersonFailures{}, Failures: list}
	if list == nil {
		rep.Failures = []*Failure{}
	}
	byUser := map[store.ID]*PersonFailures{}
	var order []store.ID
	person := func(id store.ID, name string) *PersonFailures {
		if pf, ok := byUser[id]; ok {
			return pf
		}
		pf := &PersonFailures{UserID: id, User: name, Kinds: []KindCount{}}
		for _, k := range kinds {
			pf.Kinds = append(pf.Kinds, KindCount{Kind: k.Key, Name: k.Name.ZH, Threshold: k.Threshold, Consequence: k.Consequence,
				Consequences: []string{}, ToNext: k.Threshold})
		}
		byUser[id] = pf
		order = append(order, id)
		return pf
	}
	if user != 0 && len(list) == 0 {
		var name string
		_ = s.db.Reader().QueryRow(ctx, `SELECT display_name FROM users WHERE id = ?`, user).Scan(&name)
		person(user, name)
	}
	for _, f := range list {
		pf := person(f.UserID, f.User)
		i := slices.IndexFunc(pf.Kinds, func(k KindCount) bool { return k.Kind == f.Kind })
		if i < 0 {
			kc := KindCount{Kind: f.Kind, Name: f.KindName, Consequences: []string{}}
			if pack, ok := s.packs.Version(f.pack, f.packVersion); ok {
				if k, ok := pack.Sampling.RepeatOffence(f.Kind); ok {
					kc.Threshold, kc.Consequence = k.Threshold, k.Consequence
				}
			}
			pf.Kinds = append(pf.Kinds, kc)
			i = len(pf.Kinds) - 1
		}
		k := &pf.Kinds[i]
		k.Count++
		if f.Consequence != "" {
			k.Consequences = append(k.Consequences, f.Consequence)
		}
	}
	for _, id := range order {
		pf := byUser[id]
		for i := range pf.Kinds {
			k := &pf.Kinds[i]
			if k.Threshold > 0 {
				k.ToNext = k.Threshold - k.Count%k.Threshold
			}
		}
		rep.People = append(rep.People, *pf)
	}
	return rep, nil
}
