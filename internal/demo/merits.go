package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/merit"
	"kefu/internal/store"
)

// LoadMerits enters a few months of the gas company's merit ledger and the
// sales department's fines — two criticisms of the hotline operator that
// rolled up into a minor demerit, a commendation, a supervisor's proposal
// waiting for a decider, a sales agent's fine confirmed by the Sales
// Director — unless the ledger has entries already (idempotent like Load).
func LoadMerits(ctx context.Context, a *auth.Service, m *merit.Service, now time.Time, out io.Writer) error {
	users := map[string]*auth.Principal{}
	for _, name := range []string{"admin", "rq.agent", "rq.supervisor", "rq.inspector", "zy.sales1", "zy.salesmgr"} {
		u, err := a.ByUsername(ctx, name)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", name, err)
		}
		users[name] = u.Principal()
	}
	admin := users["admin"]
	if page, err := m.List(ctx, admin, merit.Filter{Limit: 1}); err != nil {
		return err
	} else if len(page.Items) > 0 {
		return nil
	}
	today := calendar.DateOf(now.In(store.Zone))
	ago := func(days int) string { return today.AddDays(-days).String() }
	entries := []struct {
		by string
		in merit.EntryInput
	}{
		{"admin", merit.EntryInput{UserID: users["rq.agent"].UserID, Kind: "criticism", At: ago(75),
			Reason: "热线来电未按规范用语应答，客户投诉", RuleID: "MER-001"}},
		{"admin", merit.EntryInput{UserID: users["rq.agent"].UserID, Kind: "criticism", At: ago(30),
			Reason: "抄表数据复核未按时完成", RuleID: "MER-001"}},
		{"admin", merit.EntryInput{UserID: users["rq.agent"].UserID, Kind: "commendation", At: ago(12),
			Reason: "及时发现并上报小区立管漏气隐患", RuleID: "MER-001"}},
		{"rq.supervisor", merit.EntryInput{UserID: users["rq.inspector"].UserID, Item: "sampling_failure", At: ago(5),
			Reason: "安检现场台帐未保留客户签名"}},
		{"zy.salesmgr", merit.EntryInput{UserID: users["zy.sales1"].UserID, Item: "work_late", Amount: "30", At: ago(3),
			Reason: "认购资料未按时移交客服部"}},
	}
	for _, e := range entries {
		if _, err := m.Record(ctx, users[e.by], e.in); err != nil {
			return fmt.Errorf("demo merit %+v: %w", e.in, err)
		}
	}
	fmt.Fprintf(out, "kefu: demo merit ledger loaded: %d entries\n", len(entries))
	return nil
}
