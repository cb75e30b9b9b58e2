package merit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"kefu/internal/audit"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// EventProposed is sent to the deciders when entries are proposed: by a
// supervisor, or by kefu from an event (MER-010, SMP-017).
const EventProposed = "merit.proposed"

// Propose turns an event into proposals (MER-010: automatic entries are
// proposals a manager confirms or rejects, never silent penalties). The
// payload is read as JSON: for every field that some pack's trigger on the
// event names as the person (personFields) and that holds the id of a user,
// the triggers of that user's pack on the event whose Person is that field and
// whose When matches propose their catalogue items — for the responsible
// person, and with Liable for each jointly liable person, following the
// responsible person's entry. A trigger proposes each item once per source
// and person, however often the event is delivered. An event that does not
// apply (no such person, no trigger) is no error; only the database's
// failures are. The listener of New calls it inside the sending
// transaction; issue 12 calls it for a grabbed customer.
func (s *Service) Propose(ctx context.Context, tx store.Conn, event string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		s.log.Warn("merit: event payload not JSON", "event", event, "error", err)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil
	}
	for _, key := range s.personFields(event) {
		id, ok := idOf(m[key])
		if !ok {
			continue
		}
		var u *person
		var pack *policy.Pack
		for _, t := range s.triggersOf(ctx, tx, id, &u, &pack) {
			if t.Event != event || t.Person != key || !matches(t.When, m) {
				continue
			}
			if err := s.fire(ctx, tx, pack, t, u, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// personFields are the payload fields that the triggers on the event name
// as the person, over the latest version of every pack (the versions
// ForUnit gives): only those are read as users, so an event costs no
// lookups of the ids of work orders, units or companies it also carries.
func (s *Service) personFields(event string) []string {
	var out []string
	for _, key := range s.packs.Keys() {
		p, ok := s.packs.Get(key)
		if !ok {
			continue
		}
		for _, t := range p.Merits.Triggers {
			if t.Event == event && !slices.Contains(out, t.Person) {
				out = append(out, t.Person)
			}
		}
	}
	slices.Sort(out)
	return out
}

// triggersOf are the triggers of the pack of user id (none when there is
// no such user), loading the person and their pack into u and pack.
func (s *Service) triggersOf(ctx context.Context, tx store.Conn, id store.ID, u **person, pack **policy.Pack) []policy.MeritTrigger {
	who, err := loadPerson(ctx, tx, id)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			s.log.Warn("merit: reading the person of an event", "user", id, "error", err)
		}
		return nil
	}
	p, err := s.packs.ForUnit(ctx, who.UnitID)
	if err != nil {
		s.log.Warn("merit: the pack of the person of an event", "user", id, "error", err)
		return nil
	}
	*u, *pack = who, p
	return p.Merits.Triggers
}

// idOf reads a positive id from a JSON value: a number or a decimal string.
func idOf(v any) (store.ID, bool) {
	switch x := v.(type) {
	case float64:
		if x >= 1 && x == float64(int64(x)) {
			return store.ID(x), true
		}
	case string:
		if id, err := store.ParseID(x); err == nil {
			return id, true
		}
	}
	return 0, false
}

// text is a JSON value as the text a trigger's When compares.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// matches reports whether every field of when holds one of its values: a
// value ending in ".*" matches a dotted prefix ("complaint.*"), "*" any.
func matches(when map[string][]string, m map[string]any) bool {
	for field, values := range when {
		v, ok := m[field]
		if !ok {
			return false
		}
		got := text(v)
		if !slices.ContainsFunc(values, func(want string) bool {
			switch {
			case want == "*":
				return true
			case strings.HasSuffix(want, ".*"):
				return strings.HasPrefix(got, strings.TrimSuffix(want, "*"))
			}
			return got == want
		}) {
			return false
		}
	}
	return true
}

// source is the record an event is about: its kind, id and number.
func source(event string, m map[string]any) (string, store.ID, string) {
	var kind, idField string
	switch event {
	case policy.EventClockBreached:
		kind, idField = SourceTicket, "ticket_id"
	case policy.EventSamplingFailure, policy.EventRepeatOffence:
		kind, idField = SourceSamplingFailure, "failure_id"
	case policy.EventCustomerGrabbed:
		kind, idField = SourceSalesDeal, "deal_id"
	case policy.EventSalesFormLate:
		// A submission and an archive-form update are numbered apart:
		// each is its own source, so one never hides the other.
		kind, idField = SourceSalesForm, "submission_id"
		if _, ok := m["archive_update_id"]; ok {
			kind, idField = SourceSalesFormUpdate, "archive_update_id"
		}
	default:
		kind, idField = strings.ReplaceAll(event, ".", "_"), "id"
	}
	id, _ := idOf(m[idField])
	return kind, id, text(m["number"])
}

// occurredOn is the day of an event: its occurred_on, else the day of its
// target_at (a breached clock), else today.
func (s *Service) occurredOn(m map[string]any) calendar.Date {
	today := s.today()
	if v, ok := m["occurred_on"].(string); ok {
		if d, err := calendar.ParseDate(v); err == nil && !d.After(today) {
			return d
		}
	}
	if v, ok := m["target_at"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if d := calendar.DateOf(t.In(store.Zone)); !d.After(today) {
				return d
			}
		}
	}
	return today
}

// fire proposes the entries of trigger t for person u.
func (s *Service) fire(ctx context.Context, tx store.Conn, pack *policy.Pack, t policy.MeritTrigger, u *person, m map[string]any) error {
	kind, sourceID, ref := source(t.Event, m)
	on := s.occurredOn(m)
	now := s.now()
	// The responsible person's entries first: the joint ones follow them.
	entries := slices.Clone(t.Entries)
	slices.SortStableFunc(entries, func(a, b policy.MeritTriggerEntry) int {
		return boolRank(a.Liable != nil) - boolRank(b.Liable != nil)
	})
	var responsible store.ID
	var added []store.ID
	for _, te := range entries {
		item, ok := pack.Merits.Item(te.Item)
		if !ok {
			continue
		}
		people := []*person{u}
		if te.Liable != nil {
			var err error
			if people, err = liable(ctx, tx, u, te.Liable); err != nil {
				return err
			}
		}
		reason := item.Name.ZH
		if ref != "" {
			reason += "：" + ref
		}
		rule := item.Rule
		if rule == "" {
			rule = t.Rule
		}
		for _, who := range people {
			n := &newEntry{company: who.Company, unit: who.UnitID, user: who.ID, pack: pack, kind: item.Kind, item: item.Key,
				on: on, amount: item.Amount, points: item.Points, reason: reason, rule: rule, sourceKind: kind,
				sourceID: sourceID, sourceRef: ref, trigger: t.Key, state: StateProposed}
			if te.Liable != nil {
				n.jointOf = responsible
			}
			id, isNew, err := n.insertOnce(ctx, tx, now)
			if err != nil {
				return err
			}
			if te.Liable == nil && responsible == 0 {
				responsible = id
			}
			if !isNew {
				continue
			}
			if err := decide(ctx, tx, id, "record", 0, t.Key, 0, now); err != nil {
				return err
			}
			added = append(added, id)
		}
	}
	if len(added) == 0 {
		return nil
	}
	if err := s.tellDeciders(ctx, tx, pack, u, added); err != nil {
		return err
	}
	return audit.Record(audit.WithActor(ctx, audit.System), tx, now, "merit.propose", "merit_entry", added[0].String(),
		map[string]any{"event": t.Event, "trigger": t.Key, "user_id": u.ID, "entries": added, "source_kind": kind,
			"source_id": sourceID})
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// liable are the jointly liable of person u (MER-010): from u's unit up the
// parent chain to their company, the active users of the first unit who
// hold one of the roles or one of the positions, except u; nobody above the
// company answers for it.
func liable(ctx context.Context, tx store.Conn, u *person, l *policy.MeritLiable) ([]*person, error) {
	var conds []string
	var match []any
	if len(l.Roles) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ("+
			store.Placeholders(len(l.Roles))+"))")
		for _, r := range l.Roles {
			match = append(match, string(r))
		}
	}
	if len(l.Positions) > 0 {
		conds = append(conds, "u.position IN ("+store.Placeholders(len(l.Positions))+")")
		for _, p := range l.Positions {
			match = append(match, p)
		}
	}
	if len(conds) == 0 {
		return nil, nil
	}
	units := org.AncestorIDs(u.UnitPath)
	for i := len(units) - 1; i >= 0; i-- {
		ids, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
			var id store.ID
			return id, sc.Scan(&id)
		}, `SELECT u.id FROM users u WHERE u.org_unit_id = ? AND u.active = ? AND u.id <> ? AND (`+strings.Join(conds, " OR ")+
			`) ORDER BY u.id`, append([]any{units[i], true, u.ID}, match...)...)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			if units[i] == u.Company {
				break // joint liability stays inside the person's company
			}
			continue
		}
		out := make([]*person, 0, len(ids))
		for _, id := range ids {
			who, err := loadPerson(ctx, tx, id)
			if err != nil {
				return nil, err
			}
			out = append(out, who)
		}
		return out, nil
	}
	return nil, nil
}

// tellDeciders tells the deciders of the person's company that entries
// about them wait for a decision.
func (s *Service) tellDeciders(ctx context.Context, tx store.Conn, pack *policy.Pack, u *person, entries []store.ID) error {
	if s.notify == nil || len(entries) == 0 {
		return nil
	}
	users, err := deciders(ctx, tx, u.Company, pack.Merits.DeciderRoles, u.ID)
	if err != nil {
		return err
	}
	link := "/merits/" + entries[0].String()
	if len(entries) > 1 {
		link = "/merits?state=proposed"
	}
	return s.notify.Send(ctx, tx, notify.Message{Event: EventProposed, Users: users,
		Title: i18n.T("%[1]s 有 %[2]d 条奖惩提议待决定", "%[2]d proposed entries about %[1]s wait for a decision", u.Name, len(entries)),
		Link:  link, Object: "merit_entry", ObjectID: entries[0],
		Payload: map[string]any{"user_id": u.ID, "entries": entries}})
}
