package archive

import (
	"context"
	"slices"

	"kefu/internal/auth"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// levelSteps are the approvals of a level change of f (ARC-005): one per
// department of the pack's level approvers, named after the department
// (the holding unit for "holder"); no roles or positions, so holders of
// archives:approve working in that department qualify.
func levelSteps(f File, r *rules) []policy.ApprovalStep {
	steps := make([]policy.ApprovalStep, 0, len(r.Archive.LevelApprovers))
	for _, key := range r.Archive.LevelApprovers {
		name := policy.Name{ZH: f.HolderUnit, EN: f.HolderUnit}
		for _, d := range r.Archive.Departments {
			if d.Key == key {
				name = d.Name
			}
		}
		steps = append(steps, policy.ApprovalStep{Key: key, Name: name, Department: key})
	}
	return steps
}

// levelChangesOf reads the level changes of f matching where (on
// archive_level_changes) with their decisions and steps; CanDecide tells
// whether p may decide the current step.
func (s *Service) levelChangesOf(ctx context.Context, c store.Conn, p *auth.Principal, f File, r *rules, where string, args ...any) ([]LevelChange, error) {
	changes, err := store.QueryAll(ctx, c, func(sc store.Scanner) (LevelChange, error) {
		var l LevelChange
		var requested, decided int64
		err := sc.Scan(&l.ID, &l.FileID, &l.FromLevel, &l.ToLevel, &l.Reason, &l.State, &l.RequestedBy, &requested, &decided)
		l.RequestedAt, l.DecidedAt = store.FromMicros(requested), store.FromMicros(decided)
		return l, err
	}, `SELECT id, file_id, from_level, to_level, reason, state, coalesce(requested_by, 0), requested_at, decided_at
		FROM archive_level_changes WHERE file_id = ? AND `+where+" ORDER BY id", append([]any{f.ID}, args...)...)
	if err != nil {
		return nil, err
	}
	steps := levelSteps(f, r)
	for i := range changes {
		l := &changes[i]
		if l.Approvals, err = approvalsOf(ctx, c, subjectLevel, l.ID); err != nil {
			return nil, err
		}
		if l.Approvals == nil {
			l.Approvals = []Approval{}
		}
		can := false
		if next, rejected := chainState(steps, l.Approvals); l.State == "pending" && !rejected && next < len(steps) &&
			p.Can(auth.PermArchivesApprove) && (p.IsAdmin() || (p.UserID != l.RequestedBy &&
			!slices.ContainsFunc(l.Approvals, func(a Approval) bool { return a.By == p.UserID }))) {
			if can, err = mayDecide(ctx, c, p, steps[next], f.CompanyID, f.HolderUnitID); err != nil {
				return nil, err
			}
		}
		l.Steps = stepStatuses(steps, l.Approvals, can)
	}
	return changes, nil
}
