package archive

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Approval subjects (archive_approvals.subject).
const (
	subjectLoan        = "loan"
	subjectDestruction = "destruction"
	subjectLevel       = "level"
)

// approverOf reads what chain steps need of p: roles, position and unit.
func approverOf(ctx context.Context, c store.Conn, p *auth.Principal) (Approver, error) {
	if p == nil {
		return Approver{Admin: true}, nil
	}
	a := Approver{UserID: int64(p.UserID), Roles: p.Roles, UnitPath: p.OrgPath, Admin: p.IsAdmin(),
		CanApprove: p.Can(auth.PermArchivesApprove)}
	err := c.QueryRow(ctx, "SELECT position FROM users WHERE id = ?", p.UserID).Scan(&a.Position)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return a, err
}

// deptPath is the org path of an archive department of a company: the
// holder's unit for policy.DeptHolder, else the unit the company bound to
// the key; "" when the step names no department. A department the
// company has not bound yet has no path, so nobody but an administrator
// qualifies for its steps.
func deptPath(ctx context.Context, c store.Conn, company store.ID, key string, holder store.ID) (string, error) {
	unit := holder
	switch key {
	case "":
		return "", nil
	case policy.DeptHolder:
	default:
		bound, err := boundUnitOf(ctx, c, company, key)
		if err != nil {
			return "", err
		}
		if bound == 0 {
			return "\x00unbound", nil
		}
		unit = bound
	}
	u, err := org.GetUnit(ctx, c, unit)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}

// approvalsOf reads the decisions of a subject, oldest first.
func approvalsOf(ctx context.Context, c store.Conn, subject string, id store.ID) ([]Approval, error) {
	rows, err := c.Query(ctx, `SELECT a.id, a.step, a.step_key, a.decision, a.by_user, coalesce(u.display_name, ''), a.at, a.note
		FROM archive_approvals a LEFT JOIN users u ON u.id = a.by_user
		WHERE a.subject = ? AND a.subject_id = ? ORDER BY a.id`, subject, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Approval
	for rows.Next() {
		var a Approval
		var at int64
		if err := rows.Scan(&a.ID, &a.Step, &a.StepKey, &a.Decision, &a.By, &a.ByName, &at, &a.Note); err != nil {
			return nil, err
		}
		a.At = store.FromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// chainState is where a chain stands given its decisions: the index of
// the step waiting for a decision (len(steps) when all approved), and
// whether a step rejected.
func chainState(steps []policy.ApprovalStep, approvals []Approval) (next int, rejected bool) {
	for _, a := range approvals {
		if a.Decision == "reject" {
			return a.Step, true
		}
		if a.Step == next {
			next++
		}
	}
	return min(next, len(steps)), false
}

// stepStatuses describes each step for people: waiting, current,
// approved or rejected, who decided and whether the caller may decide
// the current one (canDecide).
func stepStatuses(steps []policy.ApprovalStep, approvals []Approval, canDecide bool) []StepStatus {
	next, rejected := chainState(steps, approvals)
	out := make([]StepStatus, len(steps))
	for i, st := range steps {
		out[i] = StepStatus{Key: st.Key, Name: st.Name.ZH, State: "waiting"}
		if j := slices.IndexFunc(approvals, func(a Approval) bool { return a.Step == i }); j >= 0 {
			a := approvals[j]
			out[i].By, out[i].At = a.ByName, a.At
			out[i].State = "approved"
			if a.Decision == "reject" {
				out[i].State = "rejected"
			}
			continue
		}
		if i == next && !rejected {
			out[i].State = "current"
			out[i].CanDecide = canDecide
		}
	}
	return out
}

// decideStep checks that p may decide the current step of a chain and
// records the decision; it returns the index of the step decided and
// whether the chain is now complete (every step approved). requester is
// the person who asked (never their own approver); a person decides at
// most one step of a chain (ARC-012: review and approval are two people).
func decideStep(ctx context.Context, tx store.Conn, p *auth.Principal, subject string, id store.ID,
	steps []policy.ApprovalStep, company, holder, requester store.ID, approve bool, note string, now int64) (step int, done bool, err error) {
	approvals, err := approvalsOf(ctx, tx, subject, id)
	if err != nil {
		return 0, false, err
	}
	next, rejected := chainState(steps, approvals)
	if rejected || next >= len(steps) {
		return 0, false, apperr.Conflict("state", i18n.T("审批已结束", "the approval is already complete"))
	}
	if p != nil && !p.IsAdmin() {
		if p.UserID == requester {
			return 0, false, apperr.Forbidden(i18n.T("不能审批自己的申请", "you cannot approve your own request"))
		}
		if slices.ContainsFunc(approvals, func(a Approval) bool { return a.By == p.UserID }) {
			return 0, false, apperr.Forbidden(i18n.T("同一申请的各审批步骤须由不同的人审批",
				"each step of one request is decided by a different person"))
		}
	}
	ok, err := mayDecide(ctx, tx, p, steps[next], company, holder)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, false, apperr.Forbidden(i18n.T("您不是“%[1]s”的审批人", "you are not an approver of “%[2]s”",
			steps[next].Name.ZH, steps[next].Name.EN))
	}
	decision := "reject"
	if approve {
		decision = "approve"
	}
	var by any
	if p != nil {
		by = p.UserID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO archive_approvals (subject, subject_id, step, step_key, decision, by_user, at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, subject, id, next, steps[next].Key, decision, by, now, note); err != nil {
		return 0, false, err
	}
	return next, approve && next == len(steps)-1, nil
}

// mayDecide reports whether p qualifies for step st of a company's chain
// about a file held by holder.
func mayDecide(ctx context.Context, c store.Conn, p *auth.Principal, st policy.ApprovalStep, company, holder store.ID) (bool, error) {
	a, err := approverOf(ctx, c, p)
	if err != nil {
		return false, err
	}
	path, err := deptPath(ctx, c, company, st.Department, holder)
	if err != nil {
		return false, err
	}
	return Qualifies(st, a, path), nil
}
