package customer

import (
	"context"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Merge folds the duplicate mergeID into keepID (CUS-016), in one
// transaction: the duplicate's service points move to the kept record, its
// work orders are re-pointed (one UPDATE of tickets.customer_id), records
// merged into it earlier now point at the kept one, and it is marked
// merged_into_id. Contact records, classification and field history are
// append-only and stay on the duplicate; reads of the kept record include
// them. Both records get a history row; customer_merges and the audit log
// record the merge. The duplicate disappears from lists, and Get of its id
// answers with the kept record.
func (s *Service) Merge(ctx context.Context, p *auth.Principal, keepID, mergeID store.ID, reason string) (Customer, error) {
	if err := need(p, auth.PermCustomersManage); err != nil {
		return Customer{}, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Customer{}, apperr.Validation("reason", i18n.T("请说明合并原因", "give the reason for the merge"))
	case longer(reason, maxReason):
		return Customer{}, tooLong("reason", maxReason)
	case keepID == mergeID:
		return Customer{}, apperr.Validation("merge_id", i18n.T("不能与自身合并", "a customer cannot be merged into itself"))
	}
	r := s.db.Reader()
	keep, err := s.visible(ctx, r, p, keepID)
	if err != nil {
		return Customer{}, err
	}
	dup, err := s.visible(ctx, r, p, mergeID)
	if err != nil {
		return Customer{}, apperr.Validation("merge_id", i18n.T("要合并的客户不存在", "no such customer to merge"))
	}
	if dup.ID != mergeID || keep.ID != keepID {
		return Customer{}, apperr.Conflict("merge_id", i18n.T("该客户已被合并", "the customer has already been merged"))
	}
	ctx = withActor(ctx, p)
	now := s.now()
	at, by := store.Micros(now), byUser(p)
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		res, err := tx.Exec(ctx, `UPDATE customers SET merged_into_id = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND merged_into_id IS NULL`, keep.ID, at, dup.ID, dup.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		res, err = tx.Exec(ctx, "UPDATE customers SET version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND merged_into_id IS NULL",
			at, keep.ID, keep.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		if _, err := tx.Exec(ctx, "UPDATE customers SET merged_into_id = ? WHERE merged_into_id = ?", keep.ID, dup.ID); err != nil {
			return err
		}
		moved, err := tx.Exec(ctx, "UPDATE service_points SET customer_id = ?, updated_at = ? WHERE customer_id = ?", keep.ID, at, dup.ID)
		if err != nil {
			return err
		}
		tickets, err := tx.Exec(ctx, "UPDATE tickets SET customer_id = ? WHERE customer_id = ?", keep.ID, dup.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO customer_merges (kept_id, merged_id, reason, at, by_user) VALUES (?, ?, ?, ?, ?)",
			keep.ID, dup.ID, reason, at, by); err != nil {
			return err
		}
		for _, h := range []FieldChange{{CustomerID: keep.ID, Field: "merged_from", New: dup.ID.String()},
			{CustomerID: dup.ID, Field: "merged_into", New: keep.ID.String()}} {
			if err := insertHistory(ctx, tx, h.CustomerID, h.Field, h.Old, h.New, at, by); err != nil {
				return err
			}
		}
		points, _ := moved.RowsAffected()
		orders, _ := tickets.RowsAffected()
		return audit.Record(ctx, tx, now, "customer.merge", "customer", keep.ID.String(),
			map[string]any{"kept": keep.ID, "merged": dup.ID, "reason": reason, "service_points": points, "work_orders": orders})
	})
	if err != nil {
		return Customer{}, err
	}
	return s.read(ctx, p, keep.ID, false)
}
