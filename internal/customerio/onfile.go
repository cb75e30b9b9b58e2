package customerio

import (
	"context"

	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// checkOnFile marks the rows whose archive already exists (CUS-001): an
// account number the company already keeps for the same kind of service
// point, or — for a row without an account — a customer of the company
// with the same name and phone (CUS-016). One query per kind of key for
// the whole batch. company is the companyOf the import's unit.
func (s *Service) checkOnFile(ctx context.Context, company org.Unit, rows []row) error {
	if len(rows) == 0 {
		return nil
	}
	r := s.db.Reader()
	byAccount := map[string][]int{} // kind \x00 account → row indexes
	byPhone := map[string][]int{}   // phone key → row indexes
	var accounts, phones []any
	for i := range rows {
		in := &rows[i].Input
		if len(in.ServicePoints) > 0 && in.ServicePoints[0].AccountNo != "" {
			sp := in.ServicePoints[0]
			k := sp.Kind + "\x00" + sp.AccountNo
			if byAccount[k] == nil {
				accounts = append(accounts, sp.AccountNo)
			}
			byAccount[k] = append(byAccount[k], i)
		} else if pk := customer.PhoneKey(in.Phone); pk != "" {
			if byPhone[pk] == nil {
				phones = append(phones, pk)
			}
			byPhone[pk] = append(byPhone[pk], i)
		}
	}
	if len(accounts) > 0 {
		q, err := r.Query(ctx, `SELECT kind, account_no, archive_no FROM service_points
			WHERE company_id = ? AND account_no IN (`+store.Placeholders(len(accounts))+`)`, append([]any{company.ID}, accounts...)...)
		if err != nil {
			return err
		}
		for q.Next() {
			var kind, acct, archive string
			if err := q.Scan(&kind, &acct, &archive); err != nil {
				q.Close()
				return err
			}
			for _, i := range byAccount[kind+"\x00"+acct] {
				rows[i].Errs = append(rows[i].Errs, RowError{Row: rows[i].Num, Field: "account_no",
					Text: i18n.T("户号 %[1]s 已有档案 %[2]s：一户只建一个档案（CUS-001）",
						"account %[1]s already has archive %[2]s: one archive per account (CUS-001)", acct, archive)})
			}
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
	}
	if len(phones) > 0 {
		cond, args := org.Scope{Path: company.Path}.SQL("org_unit_id")
		q, err := r.Query(ctx, `SELECT id, phone_key, name_key FROM customers WHERE merged_into_id IS NULL AND `+cond+
			` AND phone_key IN (`+store.Placeholders(len(phones))+`)`, append(args, phones...)...)
		if err != nil {
			return err
		}
		for q.Next() {
			var id store.ID
			var pk, nk string
			if err := q.Scan(&id, &pk, &nk); err != nil {
				q.Close()
				return err
			}
			for _, i := range byPhone[pk] {
				if customer.NameKey(rows[i].Input.Name) == nk {
					rows[i].Errs = append(rows[i].Errs, RowError{Row: rows[i].Num, Field: "phone",
						Text: i18n.T("已有同名同电话的客户档案（客户编号 %s，CUS-016）", "a customer with the same name and phone is on file (id %s, CUS-016)", id.String())})
				}
			}
		}
		q.Close()
		if err := q.Err(); err != nil {
			return err
		}
	}
	return nil
}
