package certificate

import (
	"context"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/jobs"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/store"
)

// RegisterTimers registers the daily reminder sweep (INS-017).
func (s *Service) RegisterTimers(e *jobs.Engine) {
	e.Handle(TimerDaily, s.fireDaily)
	s.poke = e.Poke
}

// scheduleDaily makes sure the daily timer is set after a certificate
// with dates d was recorded: at once when its reminder or expiry is
// already due (so that it is sent without waiting for midnight), else at
// the next midnight when no timer is set. The timer only ever moves
// earlier here; the sweep sets the next one.
func (s *Service) scheduleDaily(ctx context.Context, tx store.Conn, d dates, today calendar.Date) error {
	if d.expires == "" {
		return nil
	}
	at := today.AddDays(1).Midnight(store.Zone)
	if d.remindOn <= today.String() { // YYYY-MM-DD compares as text
		at = s.now()
	}
	t, ok, err := jobs.Get(ctx, tx, TimerDaily, DailyRef)
	if err != nil || ok && !t.At.After(at) {
		return err
	}
	return jobs.Schedule(ctx, tx, TimerDaily, DailyRef, at)
}

// fireDaily sends the day's reminders and sets the timer for the next
// midnight.
func (s *Service) fireDaily(ctx context.Context, tx store.Conn, _ jobs.Timer) error {
	if _, err := s.Remind(ctx, tx); err != nil {
		return err
	}
	return jobs.Schedule(ctx, tx, TimerDaily, DailyRef, s.today().AddDays(1).Midnight(store.Zone))
}

// due is a certificate owing a reminder of a stage.
type due struct {
	id    store.ID
	stage string
}

// Remind sends, inside tx, every reminder owed today, once per
// certificate and stage: "renewal due" from RemindOn to the expiry day,
// "expired" from the day after expiry (the holder may no longer work,
// INS-017), each to the holder and the managers of the holder's company.
// Certificates revoked, lost or superseded are not reminded. It returns
// how many reminders it sent.
func (s *Service) Remind(ctx context.Context, tx store.Conn) (int, error) {
	today := s.today()
	t := today.String()
	owed, err := store.QueryAll(ctx, tx, func(sc store.Scanner) (due, error) {
		var d due
		return d, sc.Scan(&d.id, &d.stage)
	}, `SELECT c.id, 'renewal_due' FROM certificates c WHERE c.remind_on <> '' AND c.remind_on <= ? AND c.expires_on >= ?
		AND `+current+` AND NOT EXISTS (SELECT 1 FROM certificate_reminders r WHERE r.certificate_id = c.id AND r.stage = 'renewal_due')
		UNION ALL
		SELECT c.id, 'expired' FROM certificates c WHERE c.expires_on <> '' AND c.expires_on < ?
		AND `+current+` AND NOT EXISTS (SELECT 1 FROM certificate_reminders r WHERE r.certificate_id = c.id AND r.stage = 'expired')
		ORDER BY 1, 2`, t, t, t)
	if err != nil {
		return 0, err
	}
	now := s.now()
	sent := 0
	for _, d := range owed {
		res, err := tx.Exec(ctx, `INSERT INTO certificate_reminders (certificate_id, stage, sent_at) VALUES (?, ?, ?)
			ON CONFLICT (certificate_id, stage) DO NOTHING`, d.id, d.stage, store.Micros(now))
		if err != nil {
			return sent, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // another engine sent it
		}
		r, err := s.scanner(today)(tx.QueryRow(ctx, "SELECT "+columns+from+" WHERE c.id = ?", d.id))
		if err != nil {
			return sent, err
		}
		if err := event(ctx, tx, nil, d.id, ActReminded, d.stage, 0, now); err != nil {
			return sent, err
		}
		if err := s.tell(ctx, tx, r, d.stage); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// tell notifies the holder and the managers of the holder's company.
func (s *Service) tell(ctx context.Context, tx store.Conn, r *row, stage string) error {
	if s.notify == nil {
		return nil
	}
	users, err := org.UsersWithRoles(ctx, tx, r.CompanyID, []auth.Role{auth.RoleManager})
	if err != nil {
		return err
	}
	users = append([]store.ID{r.UserID}, users...)
	m := notify.Message{Users: users, Link: "/staff/certificates/" + r.ID.String(), Object: "certificate", ObjectID: r.ID,
		Payload: map[string]any{"certificate_id": r.ID, "user_id": r.UserID, "kind": r.Kind, "number": r.Number,
			"expires_on": r.ExpiresOn, "renew_by": r.RenewBy, "stage": stage}}
	exp := ""
	if r.ExpiresOn != nil {
		exp = r.ExpiresOn.String()
	}
	switch stage {
	case StageRenewalDue:
		by := ""
		if r.RenewBy != nil {
			by = r.RenewBy.String()
		}
		m.Event = EventRenewalDue
		m.Title = i18n.T("证书续期提醒：%[1]s 的%[2]s（编号 %[3]s）%[4]s 到期，须于 %[5]s 前申请续期（INS-017）",
			"Certificate renewal: %[1]s's %[2]s (number %[3]s) expires %[4]s; apply for renewal by %[5]s (INS-017)",
			r.HolderName, r.KindName, r.Number, exp, by)
	default:
		m.Event = EventExpired
		m.Title = i18n.T("证书已过期：%[1]s 的%[2]s（编号 %[3]s）已于 %[4]s 到期，视为未注册，不得安排作业（INS-017）",
			"Certificate expired: %[1]s's %[2]s (number %[3]s) expired %[4]s and counts as unregistered; the holder may not be put on work (INS-017)",
			r.HolderName, r.KindName, r.Number, exp)
	}
	return s.notify.Send(ctx, tx, m)
}
