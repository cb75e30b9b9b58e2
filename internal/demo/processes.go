package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/process"
)

// LoadProcesses starts the demo business processes of the power company:
// an HV dual-source connection of a factory, in design review after one
// revision, and a suspension of a shop waiting to be sealed — unless the
// power company's agent has started any already (idempotent like Load).
func LoadProcesses(ctx context.Context, a *auth.Service, c *customer.Service, ps *process.Service, now time.Time, out io.Writer) error {
	agent, err := a.ByUsername(ctx, "gd.agent")
	if err != nil {
		return fmt.Errorf("demo user gd.agent: %w", err)
	}
	dept, err := a.ByUsername(ctx, "gd.dept")
	if err != nil {
		return fmt.Errorf("demo user gd.dept: %w", err)
	}
	ag, dp := agent.Principal(), dept.Principal()
	if page, err := ps.List(ctx, ag, process.Filter{Limit: 1}); err != nil {
		return err
	} else if len(page.Items) > 0 {
		return nil
	}
	point := func(name, phone, account, address, typ string) (customer.ServicePoint, error) {
		cu, _, err := c.Create(ctx, ag, customer.Input{Kind: customer.Organisation, Name: name, Phone: phone, Address: address,
			Type: typ, ServicePoints: []customer.ServicePointInput{{Kind: "power_supply_point", AccountNo: account,
				Address: address, Attributes: map[string]any{"voltage": "10kV", "usage": "power"}}}})
		if err != nil {
			return customer.ServicePoint{}, err
		}
		full, err := c.Get(ctx, ag, cu.ID)
		if err != nil || len(full.ServicePoints) == 0 {
			return customer.ServicePoint{}, fmt.Errorf("demo customer %s: %v", name, err)
		}
		return full.ServicePoints[0], nil
	}
	factory, err := point("城东精密机械有限公司", "0571-86120001", "P0100001", "城东工业园区兴业路18号", "hv_dual")
	if err != nil {
		return err
	}
	applied := now.Add(-9 * 24 * time.Hour).Truncate(time.Minute)
	hv, err := ps.Start(ctx, ag, process.StartInput{Definition: "connection.hv", ServicePointID: factory.ID, AppliedAt: &applied,
		Attributes: map[string]any{"customer_type": "industrial", "capacity_kva": 630.0, "sources": "dual"}})
	if err != nil {
		return fmt.Errorf("demo HV connection: %w", err)
	}
	steps := []struct {
		by *auth.Principal
		in process.ActionInput
	}{
		{ag, process.ActionInput{Action: process.ActionComplete, Step: "application"}},
		{dp, process.ActionInput{Action: process.ActionComplete, Step: "supply_plan_dual"}},
		{dp, process.ActionInput{Action: process.ActionComplete, Step: "design_submission"}},
		{dp, process.ActionInput{Action: process.ActionComplete, Step: "design_review", Outcome: "revise",
			Comment: "一次性书面意见：1. 自备电源切换装置未设机械联锁；2. 无功补偿容量按 0.95 功率因数重新计算。"}},
		{dp, process.ActionInput{Action: process.ActionComplete, Step: "design_submission"}},
	}
	for _, s := range steps {
		p, err := ps.Get(ctx, s.by, hv.ID)
		if err != nil {
			return err
		}
		for _, item := range p.Checklist {
			if item.Step == p.CurrentStep && item.Required && item.ReceivedAt == nil {
				if _, err := ps.Act(ctx, s.by, hv.ID, process.ActionInput{Action: process.ActionReceive, Item: item.Item}); err != nil {
					return fmt.Errorf("demo HV connection, %s: %w", item.Item, err)
				}
			}
		}
		if _, err := ps.Act(ctx, s.by, hv.ID, s.in); err != nil {
			return fmt.Errorf("demo HV connection, %s: %w", s.in.Step, err)
		}
	}
	shop, err := point("城南百货商场", "0571-86120002", "P0100002", "城南中山路88号", "hv_single")
	if err != nil {
		return err
	}
	from := now.AddDate(0, 0, 10).Format("2006-01-02")
	to := now.AddDate(0, 0, 40).Format("2006-01-02")
	susp, err := ps.Start(ctx, ag, process.StartInput{Definition: "change.suspension", ServicePointID: shop.ID,
		Attributes: map[string]any{"from": from, "to": to, "capacity_kva": 400.0, "billing": "transformer"}})
	if err != nil {
		return fmt.Errorf("demo suspension: %w", err)
	}
	if _, err := ps.Act(ctx, ag, susp.ID, process.ActionInput{Action: process.ActionReceive, Item: "suspension_application"}); err != nil {
		return err
	}
	if _, err := ps.Act(ctx, ag, susp.ID, process.ActionInput{Action: process.ActionComplete, Step: "application"}); err != nil {
		return fmt.Errorf("demo suspension: %w", err)
	}
	fmt.Fprintln(out, "kefu: demo loaded 2 business processes")
	return nil
}
