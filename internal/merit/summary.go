package merit

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Summary derives a person's summary at a date (default today): the net
// counts after roll-ups and offsets, the flags and money, the steps that
// produced them, the proposals waiting and the flags stored for them.
// Everybody reads their own; other people's need merits:write and the
// person's company in the caller's scope.
func (s *Service) Summary(ctx context.Context, p *auth.Principal, user store.ID, at string) (*PersonSummary, error) {
	c := s.db.Reader()
	if user == 0 && p != nil {
		user = p.UserID
	}
	u, err := s.readablePerson(ctx, c, p, user, "user_id")
	if err != nil {
		return nil, err
	}
	on := s.today()
	if at = strings.TrimSpace(at); at != "" {
		if on, err = calendar.ParseDate(at); err != nil {
			return nil, apperr.Validation("at", i18n.T("日期格式应为 YYYY-MM-DD", "a date must be YYYY-MM-DD"))
		}
	}
	pack, err := s.packs.ForUnit(ctx, u.UnitID)
	if err != nil {
		return nil, err
	}
	fs, err := factsOf(ctx, c, u.ID)
	if err != nil {
		return nil, err
	}
	out := &PersonSummary{UserID: u.ID, User: u.Name, UnitID: u.UnitID, Unit: u.Unit, Summary: Derive(fs, &pack.Merits, on)}
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM merit_entries WHERE user_id = ? AND state = ?`, u.ID, StateProposed).
		Scan(&out.Pending); err != nil {
		return nil, err
	}
	if out.Raised, err = flagsWhere(ctx, c, "f.user_id = ?", u.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// readablePerson reads a user whose ledger p may read; a person p may not
// read is "not found" under field, unless p may read nobody else's at all
// (forbidden).
func (s *Service) readablePerson(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string) (*person, error) {
	if id <= 0 {
		return nil, apperr.Required(field)
	}
	if p != nil && p.UserID != id && !readsOthers(p) {
		return nil, apperr.Forbidden(i18n.T("只能查看自己的奖惩", "you may read only your own ledger"))
	}
	u, err := loadPerson(ctx, c, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound(field)
	} else if err != nil {
		return nil, err
	}
	if ok, err := mayRead(ctx, c, p, u.ID, u.Company); err != nil {
		return nil, err
	} else if !ok {
		return nil, apperr.NotFound(field)
	}
	return u, nil
}

// factsOf are the effective entries of a person: the confirmed ones (a
// proposal, a rejected, withdrawn or changed entry does not count).
func factsOf(ctx context.Context, c store.Conn, user store.ID) ([]Fact, error) {
	all, err := factsOfMany(ctx, c, []store.ID{user})
	return all[user], err
}

// afterChange re-derives a person's summary after a change to their
// effective entries and stores the flags it reached for the first time
// (termination for HR, a bonus to pay, a reassignment), telling the
// deciders and the person. Flags are only raised, never removed: one whose
// basis no longer holds stays until it is closed as void.
func (s *Service) afterChange(ctx context.Context, tx store.Conn, user store.ID) error {
	u, err := loadPerson(ctx, tx, user)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	pack, err := s.packs.ForUnit(ctx, u.UnitID)
	if err != nil {
		return err
	}
	fs, err := factsOf(ctx, tx, u.ID)
	if err != nil {
		return err
	}
	sum := Derive(fs, &pack.Merits, s.today())
	now := s.now()
	for _, f := range sum.Flags {
		id, added, err := raiseFlag(ctx, tx, u, f, now)
		if err != nil {
			return err
		}
		if !added || s.notify == nil {
			continue
		}
		users, err := deciders(ctx, tx, u.Company, pack.Merits.DeciderRoles, 0)
		if err != nil {
			return err
		}
		if err := s.notify.Send(ctx, tx, flagMessage(u, f, id, append(users, u.ID))); err != nil {
			return err
		}
	}
	return nil
}
