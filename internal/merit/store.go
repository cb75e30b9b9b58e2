package merit

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// person is a user as the ledger needs them: their unit, company and roles.
type person struct {
	ID       store.ID
	Name     string
	UnitID   store.ID
	Unit     string
	UnitPath string
	Company  store.ID
	Active   bool
	Roles    []auth.Role
}

// loadPerson reads a user by id; sql.ErrNoRows when there is none.
func loadPerson(ctx context.Context, c store.Conn, id store.ID) (*person, error) {
	u := &person{ID: id}
	err := c.QueryRow(ctx, `SELECT u.display_name, u.org_unit_id, o.name, o.path, u.active FROM users u
		JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?`, id).Scan(&u.Name, &u.UnitID, &u.Unit, &u.UnitPath, &u.Active)
	if err != nil {
		return nil, err
	}
	co, err := org.CompanyOf(ctx, c, u.UnitID)
	if err != nil {
		return nil, err
	}
	u.Company = co.ID
	u.Roles, err = store.QueryAll(ctx, c, func(sc store.Scanner) (auth.Role, error) {
		var r string
		return auth.Role(r), sc.Scan(&r)
	}, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, id)
	return u, err
}

// visiblePerson reads an active user p may see, or a validation error under
// field as if the user did not exist.
func visiblePerson(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string) (*person, error) {
	if id <= 0 {
		return nil, apperr.Required(field)
	}
	missing := apperr.Validation(field, i18n.T("没有这个用户", "no such user"))
	u, err := loadPerson(ctx, c, id)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !u.Active {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	if ok, err := p.SeesCompany(ctx, c, u.Company); err != nil || !ok {
		if err == nil {
			err = missing
		}
		return nil, err
	}
	return u, nil
}

// readsOthers reports whether p may read other people's ledgers (in their
// company scope): merits:write, or admin. Everybody reads their own.
func readsOthers(p *auth.Principal) bool {
	return p == nil || p.IsAdmin() || p.Can(auth.PermMeritsWrite)
}

// mayRead reports whether p may read the ledger rows of user in company.
func mayRead(ctx context.Context, c store.Conn, p *auth.Principal, user, company store.ID) (bool, error) {
	if p != nil && p.UserID == user && p.Can(auth.PermMeritsRead) {
		return true, nil
	}
	if !readsOthers(p) {
		return false, nil
	}
	return p.SeesCompany(ctx, c, company)
}

// decides reports whether p decides proposals and appeals under the pack:
// merits:approve and one of the pack's decider roles, or admin.
func decides(p *auth.Principal, pack *policy.Pack) bool {
	if p == nil || p.IsAdmin() {
		return true
	}
	if !p.Can(auth.PermMeritsApprove) || pack == nil {
		return false
	}
	return slices.ContainsFunc(p.Roles, func(r auth.Role) bool { return slices.Contains(pack.Merits.DeciderRoles, r) })
}

// rowScope is the SQL row scope of ledger rows on a company column.
func rowScope(p *auth.Principal, column string) (string, []any) {
	if p == nil {
		return "1=1", nil
	}
	return org.CompanyRowsSQL(p.Scope(), p.OrgPath, p.OrgUnitID, column)
}

// today is the service's current civil date in kefu's zone.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.now().In(store.Zone)) }

// entryColumns are the columns scanEntry reads (entry e, unit o, person u,
// decider d).
const entryColumns = `e.id, e.company_id, e.unit_id, o.name, e.user_id, u.display_name, e.kind, e.item, e.occurred_on,
	e.amount_cents, e.points, e.reason, e.rule_id, e.source_kind, e.source_id, e.source_ref, e.trigger_key,
	e.joint_of, e.supersedes_id, e.proposed_by, e.state, e.decided_by, COALESCE(d.display_name, ''), e.decided_at,
	e.no_offset, e.published_at, e.pack, e.pack_version, e.created_at`

// entryFrom is the FROM clause of entryColumns.
const entryFrom = ` FROM merit_entries e JOIN org_units o ON o.id = e.unit_id JOIN users u ON u.id = e.user_id
	LEFT JOIN users d ON d.id = e.decided_by`

// scanEntry reads one row of entryColumns.
func scanEntry(sc store.Scanner) (Entry, error) {
	var e Entry
	var amount, decided, published, created int64
	var joint, supersedes, proposed, decider store.NullID
	err := sc.Scan(&e.ID, &e.CompanyID, &e.UnitID, &e.Unit, &e.UserID, &e.User, &e.Kind, &e.Item, &e.At,
		&amount, &e.Points, &e.Reason, &e.RuleID, &e.SourceKind, &e.SourceID, &e.SourceRef, &e.Trigger,
		&joint, &supersedes, &proposed, &e.State, &decider, &e.DecidedName, &decided,
		&e.NoOffset, &published, &e.Pack, &e.PackVersion, &created)
	if err != nil {
		return e, err
	}
	e.Amount = money.Yuan(amount)
	e.JointOf, e.Supersedes, e.ProposedBy, e.DecidedBy = joint.ID, supersedes.ID, proposed.ID, decider.ID
	e.DecidedAt, e.PublishedAt = instant(decided), instant(published)
	e.CreatedAt = store.FromMicros(created)
	return e, nil
}

// instant is a stored instant as an optional time (0: nil).
func instant(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}

// getEntry reads an entry by id (sql.ErrNoRows when there is none), with
// the bounds of its catalogue item.
func (s *Service) getEntry(ctx context.Context, c store.Conn, id store.ID) (*Entry, error) {
	e, err := scanEntry(c.QueryRow(ctx, "SELECT "+entryColumns+entryFrom+" WHERE e.id = ?", id))
	if err != nil {
		return nil, err
	}
	s.bounds(&e)
	return &e, nil
}

// bounds fills the amount range a decider may set on the entry's item.
func (s *Service) bounds(e *Entry) {
	if e.Item == "" {
		return
	}
	if pack, ok := s.packs.Version(e.Pack, e.PackVersion); ok {
		if it, ok := pack.Merits.Item(e.Item); ok {
			e.AmountMin, e.AmountMax = it.MinAmount, it.MaxAmount
		}
	}
}

// entryPack is the pack version an entry was recorded under.
func (s *Service) entryPack(ctx context.Context, e *Entry) (*policy.Pack, error) {
	if pack, ok := s.packs.Version(e.Pack, e.PackVersion); ok {
		return pack, nil
	}
	return s.packs.ForUnit(ctx, e.UnitID)
}

// visibleEntry reads an entry p may read, else 404 under "id".
func (s *Service) visibleEntry(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (*Entry, error) {
	e, err := s.getEntry(ctx, c, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("id")
	} else if err != nil {
		return nil, err
	}
	if ok, err := mayRead(ctx, c, p, e.UserID, e.CompanyID); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound("id")
	}
	return e, nil
}

// newEntry is an entry to insert.
type newEntry struct {
	company, unit, user store.ID
	pack                *policy.Pack
	kind, item          string
	on                  calendar.Date
	amount              money.Yuan
	points              int
	reason, rule        string
	sourceKind          string
	sourceID            store.ID
	sourceRef           string
	trigger             string
	jointOf, supersedes store.ID
	proposedBy          store.ID
	state               string
	decidedBy           store.ID
	noOffset            bool
}

const insertEntry = `INSERT INTO merit_entries (company_id, unit_id, user_id, pack, pack_version, kind, item, occurred_on,
	amount_cents, points, reason, rule_id, source_kind, source_id, source_ref, trigger_key, joint_of, supersedes_id,
	proposed_by, created_at, state, decided_by, decided_at, no_offset)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (n *newEntry) args(now time.Time) []any {
	var decidedAt int64
	if n.decidedBy != 0 {
		decidedAt = store.Micros(now)
	}
	return []any{n.company, n.unit, n.user, n.pack.Key, n.pack.Version, n.kind, n.item, n.on.String(),
		n.amount.Fen(), n.points, n.reason, n.rule, n.sourceKind, n.sourceID, n.sourceRef, n.trigger,
		store.OptionalID(n.jointOf), store.OptionalID(n.supersedes), store.OptionalID(n.proposedBy), store.Micros(now), n.state,
		store.OptionalID(n.decidedBy), decidedAt, n.noOffset}
}

// insert writes the entry and returns its id.
func (n *newEntry) insert(ctx context.Context, tx store.Conn, now time.Time) (store.ID, error) {
	return tx.InsertID(ctx, insertEntry+" RETURNING id", n.args(now)...)
}

// insertOnce writes a triggered proposal unless the trigger already proposed
// it for the same source, person and item; it returns the entry's id and
// whether it was new.
func (n *newEntry) insertOnce(ctx context.Context, tx store.Conn, now time.Time) (store.ID, bool, error) {
	res, err := tx.Exec(ctx, insertEntry+` ON CONFLICT (trigger_key, source_kind, source_id, user_id, item)
		WHERE trigger_key <> '' DO NOTHING`, n.args(now)...)
	if err != nil {
		return 0, false, err
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, false, err
	}
	var id store.ID
	err = tx.QueryRow(ctx, `SELECT id FROM merit_entries WHERE trigger_key = ? AND source_kind = ? AND source_id = ?
		AND user_id = ? AND item = ?`, n.trigger, n.sourceKind, n.sourceID, n.user, n.item).Scan(&id)
	return id, added > 0, err
}

// decide appends a decision on an entry.
func decide(ctx context.Context, tx store.Conn, entry store.ID, action string, actor store.ID, note string, ref store.ID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO merit_decisions (entry_id, action, actor_id, note, ref_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, entry, action, store.OptionalID(actor), note, ref, store.Micros(now))
	return err
}

// note is a decision note: trimmed, required when required, at most 500
// characters.
func note(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", apperr.Required(field)
	}
	if len([]rune(s)) > 500 {
		return "", apperr.Validation(field, i18n.T("不能超过 500 个字", "at most 500 characters"))
	}
	return s, nil
}

// actorID is the principal's user id (0 for the system).
func actorID(p *auth.Principal) store.ID {
	if p == nil {
		return 0
	}
	return p.UserID
}
