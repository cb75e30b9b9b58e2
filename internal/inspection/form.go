package inspection

import (
	"context"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

func notFound(field string) error { return apperr.NotFound(field) }

// FormSpec is what an inspection form shows: the point with its schedule,
// the obligation inspected and the pack's checklists it fills in.
type FormSpec struct {
	Schedule   *PointSchedule
	Track      string
	Campaign   string
	Checklists []policy.Checklist
	// Tracks and Campaigns are the point's obligations, to choose from.
	Tracks    []TrackSchedule
	Campaigns []CampaignSchedule
}

// Spec returns the form of an inspection of a point on track and/or
// campaign ("" none) that p may record.
func (s *Service) Spec(ctx context.Context, p *auth.Principal, point store.ID, track, campaign string) (*FormSpec, error) {
	sch, err := s.Schedule(ctx, p, point)
	if err != nil {
		return nil, err
	}
	var company store.ID
	if err := s.db.Reader().QueryRow(ctx, "SELECT company_id FROM service_points WHERE id = ?", point).Scan(&company); err != nil {
		return nil, err
	}
	pack, _, err := s.packOf(ctx, company)
	if err != nil {
		return nil, err
	}
	spec := &FormSpec{Schedule: sch, Track: track, Campaign: campaign, Tracks: sch.Tracks, Campaigns: sch.Campaigns}
	var cycle string
	for _, t := range sch.Tracks {
		if t.Track == track {
			cycle = t.Cycle
		}
	}
	if track != "" && cycle == "" {
		return nil, apperr.Validation("track", i18n.T("该服务点没有 %s 检查周期", "no %s cycle applies to the service point", track))
	}
	spec.Checklists = Checklists(pack, checklistsOf(pack, cycle, campaign))
	return spec, nil
}

// Checklists returns the pack's checklists of the keys, in order.
func Checklists(pack *policy.Pack, keys []string) []policy.Checklist {
	var out []policy.Checklist
	for _, k := range keys {
		if c, ok := pack.Inspections.Checklist(k); ok {
			out = append(out, *c)
		}
	}
	return out
}

// RecordChecklists returns the checklists a record fills in, from its pack version.
func (s *Service) RecordChecklists(r *Record) []policy.Checklist {
	pack, ok := s.packs.Version(r.Pack, r.PackVersion)
	if !ok {
		return nil
	}
	return Checklists(pack, r.Checklists)
}

// Pack returns a pack version the records and plans use.
func (s *Service) Pack(key string, version int) (*policy.Pack, bool) {
	return s.packs.Version(key, version)
}

// PointByArchive finds a service point p may see by its archive number
// (G-000812) or account number.
func (s *Service) PointByArchive(ctx context.Context, p *auth.Principal, number string) (store.ID, error) {
	if err := mayRead(p); err != nil {
		return 0, err
	}
	cond, args := visible(p, "sp.company_id")
	ids, err := store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (store.ID, error) {
		var id store.ID
		return id, sc.Scan(&id)
	}, "SELECT sp.id FROM service_points sp WHERE (sp.archive_no = ? OR sp.account_no = ?) AND "+cond+" ORDER BY sp.id LIMIT 1",
		append([]any{number, number}, args...)...)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, apperr.NotFound("archive_no")
	}
	return ids[0], nil
}
