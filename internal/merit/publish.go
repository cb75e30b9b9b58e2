package merit

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Publish records that a unit's confirmed results of a month were posted
// (SEC-011): the confirmed, unpublished entries of the month of the unit's
// subtree are marked published with a "publish" decision each. Nothing to
// publish is a validation error.
func (s *Service) Publish(ctx context.Context, p *auth.Principal, in PublishInput) (*Publication, error) {
	c := s.db.Reader()
	unit, err := s.visibleUnit(ctx, c, p, in.UnitID)
	if err != nil {
		return nil, err
	}
	from, to, err := monthOf(in.Month)
	if err != nil {
		return nil, err
	}
	pack, err := s.packs.ForUnit(ctx, unit.ID)
	if err != nil {
		return nil, err
	}
	if !decides(p, pack) {
		return nil, apperr.Forbidden(i18n.T("只有决定人可以公示奖惩结果", "only a decider publishes results"))
	}
	channel := strings.TrimSpace(in.Channel)
	if channel == "" {
		channel = pack.Merits.Publication.Channel
	}
	if channel == "" {
		return nil, apperr.Required("channel")
	}
	if len([]rune(channel)) > 100 {
		return nil, apperr.Validation("channel", i18n.T("不能超过 100 个字", "at most 100 characters"))
	}
	on, err := s.dateOf("on", in.On)
	if err != nil {
		return nil, err
	}
	if on.Before(from) {
		return nil, apperr.Validation("on", i18n.T("不能早于所公示的月份", "may not be before the month published"))
	}
	co, err := org.CompanyOf(ctx, c, unit.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id store.ID
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		sc, sa := org.Scope{Path: unit.Path}.SQL("unit_id")
		ids, err := store.QueryAll(ctx, tx, func(r store.Scanner) (store.ID, error) {
			var id store.ID
			return id, r.Scan(&id)
		}, `SELECT id FROM merit_entries WHERE state = ? AND published_at = 0 AND occurred_on >= ? AND occurred_on < ? AND `+sc+
			` ORDER BY id`, append([]any{StateConfirmed, from.String(), to.String()}, sa...)...)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return apperr.Validation("month", i18n.T("%[1]s 没有待公示的奖惩结果", "nothing to publish for %[1]s", in.Month))
		}
		id, err = tx.InsertID(ctx, `INSERT INTO merit_publications (company_id, unit_id, month, channel, published_on, entries,
			published_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, co.ID, unit.ID, in.Month, channel,
			on.String(), len(ids), actorID(p), store.Micros(now))
		if err != nil {
			return err
		}
		for _, e := range ids {
			if _, err := tx.Exec(ctx, `UPDATE merit_entries SET published_at = ?, publication_id = ? WHERE id = ? AND published_at = 0`,
				store.Micros(now), id, e); err != nil {
				return err
			}
			if err := decide(ctx, tx, e, "publish", actorID(p), channel, id, now); err != nil {
				return err
			}
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "merit.publish", "merit_publication", id.String(),
			map[string]any{"unit_id": unit.ID, "month": in.Month, "channel": channel, "entries": len(ids)})
	})
	if err != nil {
		return nil, err
	}
	pubs, err := publications(ctx, c, "p.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(pubs) == 0 {
		return nil, errors.New("merit: publication vanished")
	}
	return &pubs[0], nil
}

// visibleUnit reads a unit in p's scope (or whose company is p's), else a
// validation error under unit_id.
func (s *Service) visibleUnit(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (org.Unit, error) {
	if id <= 0 {
		return org.Unit{}, apperr.Required("unit_id")
	}
	missing := apperr.Validation("unit_id", i18n.T("没有这个部门", "no such unit"))
	u, err := org.GetUnit(ctx, c, id)
	if errors.Is(err, sql.ErrNoRows) {
		return u, missing
	} else if err != nil {
		return u, err
	}
	if p == nil || p.Scope().Contains(u.Path) {
		return u, nil
	}
	co, err := org.CompanyOf(ctx, c, u.ID)
	if err != nil {
		return u, err
	}
	if ok, err := p.SeesCompany(ctx, c, co.ID); err != nil || !ok {
		if err == nil {
			err = missing
		}
		return u, err
	}
	return u, nil
}

// monthOf reads YYYY-MM: its first day and the first day of the next month.
func monthOf(month string) (calendar.Date, calendar.Date, error) {
	from, err := calendar.ParseDate(strings.TrimSpace(month) + "-01")
	if err != nil || len(strings.TrimSpace(month)) != 7 {
		return calendar.Date{}, calendar.Date{}, apperr.Validation("month", i18n.T("月份格式应为 YYYY-MM", "a month must be YYYY-MM"))
	}
	return from, from.AddMonths(1), nil
}

// publications lists publications matching the condition, oldest first.
func publications(ctx context.Context, c store.Conn, cond string, args ...any) ([]Publication, error) {
	out, err := store.QueryAll(ctx, c, func(sc store.Scanner) (Publication, error) {
		var pb Publication
		var created int64
		err := sc.Scan(&pb.ID, &pb.UnitID, &pb.Unit, &pb.Month, &pb.Channel, &pb.PublishedOn, &pb.Entries, &pb.PublishedBy,
			&pb.Publisher, &created)
		pb.CreatedAt = store.FromMicros(created)
		return pb, err
	}, `SELECT p.id, p.unit_id, o.name, p.month, p.channel, p.published_on, p.entries, p.published_by, u.display_name, p.created_at
		FROM merit_publications p JOIN org_units o ON o.id = p.unit_id JOIN users u ON u.id = p.published_by
		WHERE `+cond+` ORDER BY p.id`, args...)
	if out == nil {
		out = []Publication{}
	}
	return out, err
}
