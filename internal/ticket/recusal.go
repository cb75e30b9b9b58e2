package ticket

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/notify"
	"kefu/internal/store"
)

// recusedNote is the timeline note of a work order passed to the
// respondent's superior (TKT-016).
const recusedNote = "回避：转交上级"

// recuse applies TKT-016 after an action: a work order handed to a unit
// (forward or assign with org_unit and no user) whose queue the person
// complained about owns goes to that person's superior. Naming the
// respondent as the assignee is refused before this (409 user_id).
func (st *step) recuse(ctx context.Context, tx store.Conn) error {
	r := st.r
	unit, handed := st.detail["org_unit"].(store.ID)
	if !r.respondent.Valid || !handed || r.assignee.Valid {
		return nil
	}
	moved, err := st.s.routeAround(ctx, tx, r, unit, false, st.when, st.now, st.p.Actor())
	if err != nil || !moved {
		return err
	}
	return saveRow(ctx, tx, r, st.now)
}

// routeAround gives the work order to the respondent's superior when the
// respondent would own it: always when force is set (the respondent
// registered it), else when the respondent is the default owner of unit's
// queue (its only active member who may act on work orders). The superior
// is the manager-role user of the respondent's unit or, if none, of the
// nearest ancestor unit; with nobody there the work order stays where it
// is (still hidden from the respondent). It reports whether it moved.
func (s *Service) routeAround(ctx context.Context, tx store.Conn, r *row, unit store.ID, force bool,
	when, now time.Time, actor audit.Actor) (bool, error) {
	if !r.respondent.Valid {
		return false, nil
	}
	if !force {
		owner, err := defaultOwner(ctx, tx, unit)
		if err != nil || owner != r.respondent.ID {
			return false, err
		}
	}
	sup, supUnit, err := superior(ctx, tx, r.respondent.ID)
	if err != nil || sup == 0 {
		return false, err
	}
	r.assignee = store.OptionalID(sup)
	if err := addUnit(ctx, tx, r.id, supUnit); err != nil {
		return false, err
	}
	if err := appendEvent(ctx, tx, r.id, when, now, actor, "recused", "", "",
		map[string]any{"respondent_user_id": r.respondent.ID, "user_id": sup}, recusedNote); err != nil {
		return false, err
	}
	return true, s.notify.Send(ctx, tx, notify.Message{Event: EventAssigned, Users: []store.ID{sup},
		Title: i18n.T("工单 %s 因被投诉人回避转交给您", "work order %s is passed to you: the person complained about is recused", r.number),
		Link:  "/tickets/" + r.id.String(), Object: "ticket", ObjectID: r.id,
		Payload: map[string]any{"ticket_id": r.id, "number": r.number, "user_id": sup, "recused": true}})
}

// defaultOwner is the only active user of the unit (not its subtree) whose
// roles grant tickets:act, or 0 when there are none or several.
func defaultOwner(ctx context.Context, c store.Conn, unit store.ID) (store.ID, error) {
	rows, err := c.Query(ctx, `SELECT u.id, r.role FROM users u JOIN user_roles r ON r.user_id = u.id
		WHERE u.org_unit_id = ? AND u.active = ? ORDER BY u.id`, unit, true)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	roles := map[store.ID][]auth.Role{}
	for rows.Next() {
		var id store.ID
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return 0, err
		}
		roles[id] = append(roles[id], auth.Role(role))
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var owner store.ID
	for id, rs := range roles {
		if auth.Grants(rs, auth.PermTicketsAct) {
			if owner != 0 {
				return 0, nil
			}
			owner = id
		}
	}
	return owner, nil
}

// superior is the active manager-role user, other than the user, of the
// user's unit or else of the nearest ancestor unit that has one, with that
// unit; 0 when there is none.
func superior(ctx context.Context, c store.Conn, user store.ID) (store.ID, store.ID, error) {
	var path string
	err := c.QueryRow(ctx, "SELECT o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?", user).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	var ids []any
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := store.ParseID(part); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return 0, 0, nil
	}
	var sup, unit store.ID
	err = c.QueryRow(ctx, `SELECT u.id, u.org_unit_id FROM users u JOIN user_roles r ON r.user_id = u.id
		JOIN org_units o ON o.id = u.org_unit_id
		WHERE r.role = ? AND u.active = ? AND u.id <> ? AND u.org_unit_id IN (`+store.Placeholders(len(ids))+`)
		ORDER BY o.depth DESC, u.id LIMIT 1`, append([]any{string(auth.RoleManager), true, user}, ids...)...).Scan(&sup, &unit)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return sup, unit, err
}
