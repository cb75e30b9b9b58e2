package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Rotation is the live state of a centre's rotation table: members in
// order with today's absence and reception in progress, the make-up turns
// waiting, who is next (NextAgent, a preview that changes nothing) and the
// latest log lines. sales:read.
func (s *Service) Rotation(ctx context.Context, p *auth.Principal, unit store.ID) (Rotation, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Rotation{}, err
	}
	c := s.db.Reader()
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return Rotation{}, err
	}
	var own string
	if err := c.QueryRow(ctx, `SELECT makeup_policy FROM sales_centres WHERE unit_id = ?`, unit).Scan(&own); err != nil {
		return Rotation{}, err
	}
	tb, err := s.loadTable(ctx, c, ce)
	if err != nil {
		return Rotation{}, err
	}
	r := Rotation{Centre: centreOf(ce, own), Members: tb.members, Credits: tb.credits, At: s.now()}
	if pick, err := NextAgent(tb.state); err == nil {
		r.Next = &pick
	} else if !errors.Is(err, ErrNobodyFree) {
		return Rotation{}, err
	}
	for i := range r.Members {
		m := &r.Members[i]
		m.Next = r.Next != nil && r.Next.UserID == m.UserID
		for _, cr := range r.Credits {
			if cr.UserID == m.UserID {
				m.Credits++
			}
		}
		if m.Reception != nil {
			rec, err := s.readReception(ctx, c, ce, m.Reception.ID)
			if err != nil {
				return Rotation{}, err
			}
			m.Reception = &rec
		}
	}
	r.Log, err = store.QueryAll(ctx, c, func(sc store.Scanner) (RotationLog, error) {
		var l RotationLog
		var at int64
		var user store.NullID
		err := sc.Scan(&l.ID, &at, &l.Actor, &l.Action, &user, &l.User, &l.Detail, &l.Reason)
		l.At, l.UserID = store.FromMicros(at), user.ID
		return l, err
	}, `SELECT l.id, l.at, COALESCE(a.display_name, ''), l.action, l.user_id, COALESCE(u.display_name, ''), l.detail,
		l.reason FROM sales_rotation_log l LEFT JOIN users a ON a.id = l.actor_id LEFT JOIN users u ON u.id = l.user_id
		WHERE l.unit_id = ? ORDER BY l.id DESC LIMIT 50`, unit)
	if err != nil {
		return Rotation{}, err
	}
	return r, nil
}

// table is a centre's rotation as stored: the state NextAgent reads and
// the members and credits the API shows.
type table struct {
	state   RotationState
	members []RotationMember
	credits []MakeUpCredit
}

// loadTable reads the rotation of the centre now: an absence counts only
// on its day; a member is busy with her reception in progress.
func (s *Service) loadTable(ctx context.Context, c store.Conn, ce *centre) (table, error) {
	today := zoneDay(s.now()).String()
	tb := table{state: RotationState{Policy: ce.MakeUp}}
	var ptr store.NullID
	if err := c.QueryRow(ctx, `SELECT pointer_user_id FROM sales_centres WHERE unit_id = ?`, ce.UnitID).
		Scan(&ptr); err != nil {
		return tb, err
	}
	tb.state.Pointer = ptr.ID
	members, err := store.QueryAll(ctx, c, func(sc store.Scanner) (RotationMember, error) {
		var m RotationMember
		var on string
		err := sc.Scan(&m.UserID, &m.Name, &m.Position, &m.Absence, &on)
		if on != today {
			m.Absence = ""
		}
		return m, err
	}, `SELECT m.user_id, u.display_name, m.position, m.absence, m.absence_on FROM sales_rotation_members m
		JOIN users u ON u.id = m.user_id WHERE m.unit_id = ? ORDER BY m.position, m.user_id`, ce.UnitID)
	if err != nil {
		return tb, err
	}
	type busy struct {
		agent, id store.ID
		kind      string
	}
	open, err := store.QueryAll(ctx, c, func(sc store.Scanner) (busy, error) {
		var b busy
		return b, sc.Scan(&b.agent, &b.id, &b.kind)
	}, `SELECT r.agent_id, r.id, r.kind FROM sales_receptions r JOIN sales_rotation_members m
		ON m.user_id = r.agent_id AND m.unit_id = ? WHERE r.ended_at = 0 ORDER BY r.id`, ce.UnitID)
	if err != nil {
		return tb, err
	}
	for i := range members {
		m := &members[i]
		for _, b := range open {
			if b.agent == m.UserID && m.Busy == "" {
				m.Busy, m.Reception = b.kind, &Reception{ID: b.id}
			}
		}
		tb.state.Members = append(tb.state.Members, Member{UserID: m.UserID, Absence: m.Absence, Busy: m.Busy})
	}
	tb.members = members
	tb.credits, err = store.QueryAll(ctx, c, func(sc store.Scanner) (MakeUpCredit, error) {
		var cr MakeUpCredit
		var at int64
		var rec store.NullID
		err := sc.Scan(&cr.ID, &cr.UserID, &cr.User, &at, &cr.Reason, &cr.Rule, &rec)
		cr.EarnedAt, cr.ReceptionID = store.FromMicros(at), rec.ID
		return cr, err
	}, `SELECT c.id, c.user_id, u.display_name, c.earned_at, c.reason, c.rule_id, c.reception_id
		FROM sales_makeup_credits c JOIN users u ON u.id = c.user_id
		WHERE c.unit_id = ? AND c.used_at = 0 AND c.cleared_reason = '' ORDER BY c.earned_at, c.id`, ce.UnitID)
	if err != nil {
		return tb, err
	}
	for _, cr := range tb.credits {
		tb.state.Credits = append(tb.state.Credits, Credit{ID: cr.ID, UserID: cr.UserID})
	}
	return tb, nil
}

// rotationTx runs fn on the centre under the rotation's lock, then reads
// the rotation.
func (s *Service) rotationTx(ctx context.Context, p *auth.Principal, unit store.ID,
	fn func(tx store.Conn, ce *centre) error) (Rotation, error) {
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, unit)
		if err != nil {
			return err
		}
		if err := store.LockXact(ctx, tx, salesLock^int64(unit)); err != nil {
			return err
		}
		return fn(tx, ce)
	})
	if err != nil {
		return Rotation{}, err
	}
	return s.Rotation(ctx, p, unit)
}

// adjustRotation runs a Project Manager's adjustment of the rotation
// (SAL-004): sales:manage, a reason (trimmed in place), the member it
// concerns when user is not nil, then fn under the centre's lock.
func (s *Service) adjustRotation(ctx context.Context, p *auth.Principal, unit store.ID, user *store.ID, reason *string,
	fn func(tx store.Conn, ce *centre) error) (Rotation, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Rotation{}, err
	}
	r, err := reasonOf(*reason)
	if err != nil {
		return Rotation{}, err
	}
	*reason = r
	return s.rotationTx(ctx, p, unit, func(tx store.Conn, ce *centre) error {
		if user != nil {
			if ok, err := isMember(ctx, tx, unit, *user); err != nil {
				return err
			} else if !ok {
				return errNotAgent("user_id")
			}
		}
		return fn(tx, ce)
	})
}

// reasonOf trims a reason and refuses an empty one (SAL-004).
func reasonOf(r string) (string, error) {
	r = strings.TrimSpace(r)
	if r == "" {
		return "", apperr.Required("reason")
	}
	return r, nil
}

// SetMembers replaces the order of the rotation table (the Project
// Manager's adjustment, SAL-004): sales:manage and a reason; logged.
func (s *Service) SetMembers(ctx context.Context, p *auth.Principal, unit store.ID, in MembersInput) (Rotation, error) {
	if err := need(p, auth.PermSalesManage); err != nil {
		return Rotation{}, err
	}
	reason, err := reasonOf(in.Reason)
	if err != nil {
		return Rotation{}, err
	}
	if len(in.UserIDs) == 0 {
		return Rotation{}, apperr.Required("user_ids")
	}
	for i, id := range in.UserIDs {
		if id == 0 || slices.Contains(in.UserIDs[:i], id) {
			return Rotation{}, apperr.Validation("user_ids", i18n.T("成员重复或为空", "a member is repeated or empty"))
		}
	}
	return s.rotationTx(ctx, p, unit, func(tx store.Conn, ce *centre) error {
		for _, id := range in.UserIDs {
			if err := checkAgent(ctx, tx, ce, id, "user_ids"); err != nil {
				return err
			}
		}
		old, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (store.ID, error) {
			var id store.ID
			return id, sc.Scan(&id)
		}, `SELECT user_id FROM sales_rotation_members WHERE unit_id = ? ORDER BY position`, unit)
		if err != nil {
			return err
		}
		for _, id := range old {
			if slices.Contains(in.UserIDs, id) {
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM sales_rotation_members WHERE unit_id = ? AND user_id = ?`,
				unit, id); err != nil {
				return err
			}
			if err := s.logRotation(ctx, tx, unit, p, "leave", id, "", reason); err != nil {
				return err
			}
		}
		order := make([]string, len(in.UserIDs))
		for i, id := range in.UserIDs {
			order[i] = id.String()
			if slices.Contains(old, id) {
				if _, err := tx.Exec(ctx, `UPDATE sales_rotation_members SET position = ? WHERE unit_id = ? AND user_id = ?`,
					i+1, unit, id); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO sales_rotation_members (unit_id, user_id, position) VALUES (?, ?, ?)`,
				unit, id, i+1); err != nil {
				return err
			}
			if err := s.logRotation(ctx, tx, unit, p, "join", id, "", reason); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE sales_centres SET pointer_user_id = NULL WHERE unit_id = ?
			AND pointer_user_id IS NOT NULL AND pointer_user_id NOT IN (SELECT user_id FROM sales_rotation_members
			WHERE unit_id = ?)`, unit, unit); err != nil {
			return err
		}
		return s.logRotation(ctx, tx, unit, p, "reorder", 0, "order="+strings.Join(order, ","), reason)
	})
}

// checkAgent refuses a user who is not an active user with sales:receive
// in the centre's company.
func checkAgent(ctx context.Context, c store.Conn, ce *centre, id store.ID, field string) error {
	var unit store.ID
	var active bool
	err := c.QueryRow(ctx, `SELECT org_unit_id, active FROM users WHERE id = ?`, id).Scan(&unit, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Validation(field, i18n.T("用户 %[1]d 不存在", "user %[1]d does not exist", int64(id)))
	}
	if err != nil {
		return err
	}
	roles, err := store.QueryAll(ctx, c, func(sc store.Scanner) (auth.Role, error) {
		var r string
		return auth.Role(r), sc.Scan(&r)
	}, `SELECT role FROM user_roles WHERE user_id = ?`, id)
	if err != nil {
		return err
	}
	if !active || !auth.Grants(roles, auth.PermSalesReceive) {
		return apperr.Validation(field, i18n.T("用户 %[1]d 不是在职售楼员", "user %[1]d is not an active sales agent",
			int64(id)))
	}
	co, err := org.CompanyOf(ctx, c, unit)
	if err != nil {
		return err
	}
	if co.ID != ce.CompanyID {
		return apperr.Validation(field, i18n.T("用户 %[1]d 不属于本公司", "user %[1]d is not of this company", int64(id)))
	}
	return nil
}

// isMember reports whether the user is on the centre's rotation.
func isMember(ctx context.Context, c store.Conn, unit, user store.ID) (bool, error) {
	var n int64
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM sales_rotation_members WHERE unit_id = ? AND user_id = ?`, unit, user).
		Scan(&n)
	return n > 0, err
}

// SetAbsence marks a member absent for today with a reason of SAL-003, or
// back on the floor; an agent may mark herself, the Project Manager anyone.
func (s *Service) SetAbsence(ctx context.Context, p *auth.Principal, unit store.ID, in AbsenceInput) (Rotation, error) {
	if in.UserID == 0 {
		return Rotation{}, apperr.Required("user_id")
	}
	self := p != nil && p.UserID == in.UserID && p.Can(auth.PermSalesReceive)
	if !self {
		if err := need(p, auth.PermSalesManage); err != nil {
			return Rotation{}, err
		}
	}
	if in.Absence != "" && !slices.Contains(AbsenceReasons, in.Absence) {
		return Rotation{}, apperr.Validation("absence", i18n.T("缺勤原因须为 %[1]s 之一", "absence must be one of %[1]s",
			strings.Join(AbsenceReasons, ", ")))
	}
	reason := strings.TrimSpace(in.Reason)
	return s.rotationTx(ctx, p, unit, func(tx store.Conn, ce *centre) error {
		if ok, err := isMember(ctx, tx, unit, in.UserID); err != nil {
			return err
		} else if !ok {
			return errNotAgent("user_id")
		}
		on := ""
		if in.Absence != "" {
			on = zoneDay(s.now()).String()
		}
		if _, err := tx.Exec(ctx, `UPDATE sales_rotation_members SET absence = ?, absence_on = ? WHERE unit_id = ?
			AND user_id = ?`, in.Absence, on, unit, in.UserID); err != nil {
			return err
		}
		detail := "back"
		if in.Absence != "" {
			detail = in.Absence + " " + on
		}
		return s.logRotation(ctx, tx, unit, p, "absence", in.UserID, detail, reason)
	})
}

// SetPointer moves the pointer to a member (SAL-004): sales:manage and a
// reason; logged.
func (s *Service) SetPointer(ctx context.Context, p *auth.Principal, unit, user store.ID, reason string) (Rotation, error) {
	return s.adjustRotation(ctx, p, unit, &user, &reason, func(tx store.Conn, ce *centre) error {
		if _, err := tx.Exec(ctx, `UPDATE sales_centres SET pointer_user_id = ? WHERE unit_id = ?`, user, unit); err != nil {
			return err
		}
		return s.logRotation(ctx, tx, unit, p, "pointer", user, "", reason)
	})
}

// GrantCredit gives a member a make-up turn by hand (SAL-003 (2): a
// colleague's old customer once confirmed): sales:manage and a reason.
func (s *Service) GrantCredit(ctx context.Context, p *auth.Principal, unit, user store.ID, reason string) (Rotation, error) {
	return s.adjustRotation(ctx, p, unit, &user, &reason, func(tx store.Conn, ce *centre) error {
		if _, err := s.addCredit(ctx, tx, unit, user, "manual:"+reason, "SAL-003", 0); err != nil {
			return err
		}
		return s.logRotation(ctx, tx, unit, p, "credit", user, "manual", reason)
	})
}

// addCredit inserts a make-up turn earned now.
func (s *Service) addCredit(ctx context.Context, tx store.Conn, unit, user store.ID, reason, rule string,
	reception store.ID) (store.ID, error) {
	return tx.InsertID(ctx, `INSERT INTO sales_makeup_credits (unit_id, user_id, earned_at, reason, rule_id, reception_id)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, unit, user, store.Micros(s.now()), reason, rule,
		store.OptionalID(reception))
}

// ClearCredit withdraws a make-up turn: sales:manage and a reason.
func (s *Service) ClearCredit(ctx context.Context, p *auth.Principal, unit, credit store.ID, reason string) (Rotation, error) {
	return s.adjustRotation(ctx, p, unit, nil, &reason, func(tx store.Conn, ce *centre) error {
		var user store.ID
		var used int64
		var cleared string
		err := tx.QueryRow(ctx, `SELECT user_id, used_at, cleared_reason FROM sales_makeup_credits WHERE id = ? AND unit_id = ?`,
			credit, unit).Scan(&user, &used, &cleared)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("credit_id")
		}
		if err != nil {
			return err
		}
		if used != 0 || cleared != "" {
			return apperr.Conflict("credit_id", i18n.T("补接已使用或已撤销", "the make-up turn is used or withdrawn"))
		}
		if _, err := tx.Exec(ctx, `UPDATE sales_makeup_credits SET cleared_by = ?, cleared_reason = ? WHERE id = ?`,
			p.UserRef(), reason, credit); err != nil {
			return err
		}
		return s.logRotation(ctx, tx, unit, p, "credit_cleared", user, "credit "+credit.String(), reason)
	})
}
