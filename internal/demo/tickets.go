package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/ticket"
)

// demoTicket is one work order of the demo: who takes it, what it is, how
// long ago it came in, and what has happened to it since.
type demoTicket struct {
	agent      string // username of the receiving agent
	category   string
	ago        time.Duration // received this long before the demo is loaded
	customer   customer.Input
	subject    string
	respondent string // username of the person complained about (TKT-016)
	crisis     string // outside party (TKT-034)
	steps      []demoStep
}

// demoStep is an action taken by a user some time after receipt.
type demoStep struct {
	by     string
	after  time.Duration
	action ticket.Action
	unit   string // assign/forward: the unit, by name
	user   string // assign/dispatch: the user, by username
}

func step(by string, after time.Duration, name string) demoStep {
	return demoStep{by: by, after: after, action: ticket.Action{Name: name}}
}

func cust(name, phone, address string) customer.Input {
	return customer.Input{Name: name, Phone: phone, Address: address}
}

// demoTickets are work orders of every pack in the states a desk sees on
// a normal day: running, due soon, breached, met, closed.
var demoTickets = []demoTicket{
	{agent: "wy.agent", category: "repair.simple", ago: 70 * time.Minute, subject: "卫生间灯泡不亮",
		customer: cust("王芳", "13800000001", "幸福里小区3栋1单元502"),
		steps: []demoStep{{by: "wy.agent", after: 5 * time.Minute, action: ticket.Action{Name: ticket.ActAssign}, unit: "工程部", user: "wy.repair"},
			step("wy.repair", 20*time.Minute, ticket.ActAccept)}},
	{agent: "wy.agent", category: "repair.urgent", ago: 25 * time.Minute, subject: "厨房水管爆裂，水漫到客厅",
		customer: cust("刘建国", "13800000002", "幸福里小区5栋2单元1201")},
	{agent: "wy.agent", category: "complaint.attitude.general", ago: 2 * time.Hour, subject: "物业助理态度生硬",
		customer: cust("陈美华", "13800000003", "幸福里小区6栋1单元1801"), respondent: "wy.assistant"},
	{agent: "wy.agent", category: "inquiry.general", ago: 3 * time.Hour, subject: "小区游泳池开放时间",
		customer: cust("赵敏", "13800000004", "幸福里小区2栋3单元301"),
		steps:    []demoStep{step("wy.agent", 10*time.Minute, ticket.ActReply), step("wy.agent", 12*time.Minute, ticket.ActClose)}},
	{agent: "wy.agent", category: "common.other", ago: 26 * time.Hour, subject: "7栋门口地砖开裂",
		customer: cust("孙丽", "13800000005", "幸福里小区7栋1单元802"),
		steps:    []demoStep{{by: "wy.agent", after: 10 * time.Minute, action: ticket.Action{Name: ticket.ActAssign}, unit: "工程部"}}},
	{agent: "rq.agent", category: "fault.network", ago: 5 * time.Hour, subject: "和平路燃气管网压力偏低",
		customer: cust("周强", "13900000001", "和平路18号")},
	{agent: "rq.agent", category: "complaint", ago: 20 * time.Minute, subject: "抄表员多次未入户抄表",
		customer: cust("吴桂英", "13900000002", "和平路22号3单元101")},
	{agent: "rq.agent", category: "alarm.leak", ago: 4 * time.Minute, subject: "楼道内有燃气味",
		customer: cust("郑凯", "13900000003", "光明街6号楼")},
	{agent: "gd.agent", category: "appliance.damage", ago: 30 * time.Hour, subject: "雷雨后电视机烧坏，要求赔偿",
		customer: cust("冯秀兰", "13700000001", "城南新村12栋")},
	{agent: "gd.agent", category: "test.commissioned", ago: 26 * time.Hour, subject: "委托校验电能表",
		customer: cust("城南超市", "13700000002", "城南大道88号")},
	{agent: "zy.agent", category: "complaint", ago: 30 * time.Hour, subject: "交房时间延误，要求说明",
		customer: cust("黄志明", "13600000001", "御景湾2期8栋"),
		steps:    []demoStep{{by: "zy.agent", after: 2 * time.Hour, action: ticket.Action{Name: ticket.ActForward}, unit: "客户服务部"}}},
	{agent: "kf.agent", category: "complaint.major", ago: 50 * time.Hour, subject: "多户反映燃气费计费异常，已向消协投诉",
		customer: cust("林海", "13500000001", "和平路30号"), crisis: "消费者协会"},
	{agent: "kf.agent", category: "complaint.general", ago: 6 * time.Hour, subject: "营业厅排队时间过长",
		customer: cust("何静", "13500000002", "人民路5号"),
		steps: []demoStep{step("kf.agent", 30*time.Minute, ticket.ActResolve),
			{by: "kf.agent", after: 40 * time.Minute, action: ticket.Action{Name: ticket.ActReply, Text: "已电话告知营业厅增开窗口", Written: true}},
			step("kf.agent", 45*time.Minute, ticket.ActClose)}},
}

// LoadTickets creates the demo work orders, unless the demo agents have
// registered any already (idempotent like Load).
func LoadTickets(ctx context.Context, o *org.Service, a *auth.Service, t *ticket.Service, now time.Time, out io.Writer) error {
	users := map[string]auth.User{}
	user := func(name string) (auth.User, error) {
		if u, ok := users[name]; ok {
			return u, nil
		}
		u, err := a.ByUsername(ctx, name)
		if err != nil {
			return u, fmt.Errorf("demo user %s: %w", name, err)
		}
		users[name] = u
		return u, nil
	}
	first, err := user(demoTickets[0].agent)
	if err != nil {
		return err
	}
	if page, err := t.List(ctx, first.Principal(), ticket.Filter{Limit: 1}); err != nil {
		return err
	} else if len(page.Items) > 0 {
		return nil
	}
	units, err := o.List(ctx)
	if err != nil {
		return err
	}
	unitID := func(name string) (*store.ID, error) {
		for _, u := range units {
			if u.Name == name {
				return &u.ID, nil
			}
		}
		return nil, apperr.NotFound("org_unit")
	}
	for _, d := range demoTickets {
		agent, err := user(d.agent)
		if err != nil {
			return err
		}
		received := now.Add(-d.ago).Truncate(time.Minute)
		c := d.customer
		in := ticket.CreateInput{Category: d.category, ReceivedAt: &received, Customer: &c, Subject: d.subject,
			Description: d.subject, CrisisParty: d.crisis}
		if d.respondent != "" {
			r, err := user(d.respondent)
			if err != nil {
				return err
			}
			in.RespondentUserID = &r.ID
		}
		tk, err := t.Create(ctx, agent.Principal(), in)
		if err != nil {
			return fmt.Errorf("demo work order %q: %w", d.subject, err)
		}
		for _, s := range d.steps {
			by, err := user(s.by)
			if err != nil {
				return err
			}
			act := s.action
			at := received.Add(s.after)
			act.At = &at
			if s.unit != "" {
				if act.OrgUnit, err = unitID(s.unit); err != nil {
					return fmt.Errorf("demo unit %s: %w", s.unit, err)
				}
			}
			if s.user != "" {
				u, err := user(s.user)
				if err != nil {
					return err
				}
				act.UserID = &u.ID
			}
			if _, err := t.Act(ctx, by.Principal(), tk.ID, act); err != nil {
				return fmt.Errorf("demo work order %q, %s: %w", d.subject, act.Name, err)
			}
		}
	}
	fmt.Fprintf(out, "kefu: demo loaded %d work orders\n", len(demoTickets))
	return nil
}
