package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/sales"
	"kefu/internal/store"
)

// SalesCentre is the name of the demo sales centre.
const SalesCentre = "西堤国际售楼处"

// salesStaff are the centre's people: the Project Manager and four agents
// on the rotation.
var salesStaff = []person{
	p("zy.pm", "罗斌", "项目经理", auth.RoleSalesManager),
	p("zy.xd1", "周玲", "售楼员", auth.RoleSalesAgent),
	p("zy.xd2", "吴昊", "售楼员", auth.RoleSalesAgent),
	p("zy.xd3", "郑洁", "售楼员", auth.RoleSalesAgent),
	p("zy.xd4", "王磊", "售楼员", auth.RoleSalesAgent),
}

// LoadSales sets up the sales centre 西堤国际售楼处 under the real-estate
// company and feeds last month through the sales service — receptions by
// rotation, registrations, deals showing a whole commission, a 20/80 split
// for a phone customer whose agent was off (SAL-008), a grabbed customer
// (SAL-015), a family (SAL-016), a referral (SAL-014), a company-referred
// deal waiting for the Project Manager (SAL-023), a group bonus (SAL-020),
// applications (SAL-021) and follow-ups (SAL-024) — unless the centre
// exists (idempotent like Load). opts are the app's sales options; the
// month is replayed on a clock of its own.
func LoadSales(ctx context.Context, o *org.Service, a *auth.Service, opts sales.Options, now time.Time, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.System)
	units, err := o.List(ctx)
	if err != nil {
		return err
	}
	var company store.ID
	for _, u := range units {
		if u.Name == SalesCentre {
			return nil
		}
		if u.Name == "置业有限公司" && u.Kind == org.Company {
			company = u.ID
		}
	}
	if company == 0 {
		return fmt.Errorf("demo sales: the real-estate company is missing (load the demo first)")
	}
	centre, err := o.Create(ctx, org.CreateInput{ParentID: &company, Kind: org.Department, Name: SalesCentre})
	if err != nil {
		return fmt.Errorf("demo unit %s: %w", SalesCentre, err)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	people := map[string]*auth.Principal{}
	byID := map[store.ID]*auth.Principal{}
	for _, s := range salesStaff {
		u, err := a.CreateWithHash(ctx, nil, auth.CreateUserInput{Username: s.username, Password: Password,
			DisplayName: s.name, Position: s.position, Roles: s.roles, OrgUnit: centre.ID}, hash)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", s.username, err)
		}
		people[s.username] = u.Principal()
		byID[u.ID] = people[s.username]
	}
	mgr, err := a.ByUsername(ctx, "zy.salesmgr")
	if err != nil {
		return fmt.Errorf("demo user zy.salesmgr: %w", err)
	}
	d := &salesDemo{ctx: ctx, unit: centre.ID, pm: people["zy.pm"], mgr: mgr.Principal(), people: people, byID: byID}
	first := calendar.DateOf(now.In(store.Zone)).AddMonths(-1)
	first = calendar.D(first.Year, first.Month, 1)
	d.first = first
	opts.Now = func() time.Time { return d.at }
	d.svc = sales.New(opts)
	if err := d.month(); err != nil {
		return fmt.Errorf("demo sales (%s): %w", d.at.Format("2006-01-02 15:04"), err)
	}
	fmt.Fprintf(out, "kefu: demo sales centre %s loaded: %d deals in %s; sign in as zy.pm or zy.xd1–zy.xd4\n",
		SalesCentre, d.deals, first.String()[:7])
	return nil
}

// salesDemo replays a month at the demo centre.
type salesDemo struct {
	ctx     context.Context
	svc     *sales.Service
	unit    store.ID
	first   calendar.Date
	at      time.Time
	pm, mgr *auth.Principal
	people  map[string]*auth.Principal
	byID    map[store.ID]*auth.Principal
	deals   int
}

// on sets the clock to a day of the month (1-based) at hh:mm.
func (d *salesDemo) on(day, hh, mm int) string {
	dt := d.first.AddDays(day - 1)
	d.at = dt.At(calendar.Clock(hh*60+mm), store.Zone)
	return dt.String()
}

// visit receives a customer (kind rotation: the rotation's next agent) and
// registers her; it returns the entry and the agent.
func (d *salesDemo) visit(in sales.ReceptionInput, entry sales.RegistrationInput) (sales.Registration, *auth.Principal, error) {
	in.UnitID = d.unit
	r, err := d.svc.StartReception(d.ctx, d.pm, in)
	if err != nil {
		return sales.Registration{}, nil, err
	}
	agent := d.byID[r.AgentID]
	entry.UnitID, entry.ReceptionID = d.unit, r.ID
	if entry.InfoSource == "" {
		entry.InfoSource = "online"
	}
	reg, err := d.svc.Register(d.ctx, agent, entry)
	if err != nil {
		return reg, agent, err
	}
	d.at = d.at.Add(40 * time.Minute)
	_, err = d.svc.EndReception(d.ctx, agent, r.ID)
	return reg, agent, err
}

// deal closes a deal on the entry the same day.
func (d *salesDemo) deal(agent *auth.Principal, entry store.ID, property, subscriber, commission, day string) (sales.Deal, error) {
	d.deals++
	return d.svc.RecordDeal(d.ctx, agent, sales.DealInput{UnitID: d.unit, RegistrationID: entry, PropertyUnit: property,
		SubscriberName: subscriber, Price: "1,680,000", Commission: commission, DepositOn: day, SubscribedOn: day})
}

// other is an agent of the rotation other than not.
func (d *salesDemo) other(not *auth.Principal) *auth.Principal {
	for _, n := range []string{"zy.xd1", "zy.xd2", "zy.xd3", "zy.xd4"} {
		if p := d.people[n]; p.UserID != not.UserID {
			return p
		}
	}
	return nil
}

func (d *salesDemo) month() error {
	ctx, svc, pm := d.ctx, d.svc, d.pm
	d.on(1, 9, 0)
	if _, err := svc.SetupCentre(ctx, pm, sales.CentreInput{UnitID: d.unit, Mode: sales.ModeSales, Reason: "开盘"}); err != nil {
		return err
	}
	var ids []store.ID
	for _, n := range []string{"zy.xd1", "zy.xd2", "zy.xd3", "zy.xd4"} {
		ids = append(ids, d.people[n].UserID)
	}
	if _, err := svc.SetMembers(ctx, pm, d.unit, sales.MembersInput{UserIDs: ids, Reason: "初始轮排"}); err != nil {
		return err
	}
	rotation := sales.ReceptionInput{Kind: sales.ReceptionRotation}

	// A new customer by rotation buys: the whole commission.
	day := d.on(3, 10, 0)
	chen, chenAgent, err := d.visit(rotation, sales.RegistrationInput{CustomerName: "陈国强", Phone: "13800010001",
		EmployerAddress: "滨江路 88 号", Intention: "三房，120 平左右", InfoSource: "newspaper"})
	if err != nil {
		return err
	}
	day = d.on(5, 15, 0)
	if _, err := d.deal(chenAgent, chen.ID, "1-1201", "陈国强", "8000", day); err != nil {
		return err
	}

	// SAL-008: 周玲's caller visits asking for her while she is off; 郑洁
	// helps and closes: 20/80.
	d.on(4, 11, 0)
	zhou, zheng := d.people["zy.xd1"], d.people["zy.xd3"]
	if _, err := svc.Register(ctx, zhou, sales.RegistrationInput{UnitID: d.unit, Book: sales.BookPhone, Kind: sales.EntryPhone,
		CustomerName: "李梅", Phone: "13800010002", Intention: "咨询两房价格", InfoSource: "phone"}); err != nil {
		return err
	}
	day = d.on(6, 14, 0)
	li, _, err := d.visit(sales.ReceptionInput{Kind: sales.ReceptionAssist, AgentID: zheng.UserID, NamedAgentID: zhou.UserID},
		sales.RegistrationInput{CustomerName: "李梅", Phone: "13800010002", Intention: "两房", InfoSource: "phone"})
	if err != nil {
		return err
	}
	if _, err := d.deal(zheng, li.ID, "2-803", "李梅", "12000", day); err != nil {
		return err
	}

	// SAL-015: a rotation customer comes back and a colleague continues
	// without the original agent's consent: the Sales Manager finds a grab.
	d.on(7, 10, 30)
	_, wangAgent, err := d.visit(rotation, sales.RegistrationInput{CustomerName: "王建", Phone: "13800010003", Intention: "四房"})
	if err != nil {
		return err
	}
	day = d.on(12, 16, 0)
	grabber := d.other(wangAgent)
	again, _, err := d.visit(sales.ReceptionInput{Kind: sales.ReceptionColleagueOld, AgentID: grabber.UserID, OwnerAgentID: wangAgent.UserID},
		sales.RegistrationInput{CustomerName: "王建", Phone: "13800010003", Intention: "四房"})
	if err != nil {
		return err
	}
	if _, err := d.deal(grabber, again.ID, "3-1502", "王建", "10000", day); err != nil {
		return err
	}
	if len(again.Conflicts) > 0 {
		if _, err := svc.RecordContact(ctx, d.mgr, again.Conflicts[0].ID, sales.ContactInput{Contact: sales.ContactRefused,
			Note: "原售楼员在场，未征得同意继续接待"}); err != nil {
			return err
		}
	}

	// SAL-016: a husband, then his wife a week later: one family.
	d.on(9, 10, 0)
	liu, _, err := d.visit(rotation, sales.RegistrationInput{CustomerName: "刘志远", Phone: "13800010004", Intention: "改善型三房"})
	if err != nil {
		return err
	}
	d.on(16, 10, 0)
	if _, _, err := d.visit(rotation, sales.RegistrationInput{CustomerName: "张慧", Phone: "13800010005", FamilyOfID: liu.ID,
		Relation: "spouse", Intention: "与丈夫同看三房"}); err != nil {
		return err
	}

	// SAL-014: 王磊 pre-registers a friend of 陈国强's, who visits the next
	// day by rotation.
	d.on(18, 17, 0)
	wl := d.people["zy.xd4"]
	if _, err := svc.Register(ctx, wl, sales.RegistrationInput{UnitID: d.unit, Kind: sales.EntryReferral, CustomerName: "郑小雨",
		Phone: "13800010006", ReferredByID: chen.ID, Intention: "陈国强介绍", InfoSource: "old_customer"}); err != nil {
		return err
	}
	d.on(19, 11, 0)
	if _, _, err := d.visit(rotation, sales.RegistrationInput{CustomerName: "郑小雨", Phone: "13800010006", InfoSource: "old_customer"}); err != nil {
		return err
	}

	// SAL-023: a customer referred by the company; the commission waits.
	day = d.on(20, 10, 0)
	co, coAgent, err := d.visit(sales.ReceptionInput{Kind: sales.ReceptionCompany, AgentID: zhou.UserID},
		sales.RegistrationInput{CustomerName: "孙总", Phone: "13800010007", InfoSource: "other", Intention: "公司领导介绍"})
	if err != nil {
		return err
	}
	if _, err := d.deal(coAgent, co.ID, "9-2601", "孙总", "", day); err != nil {
		return err
	}

	// Follow-ups, applications and the group bonus.
	d.on(21, 15, 0)
	if _, err := svc.FollowUp(ctx, d.byID[liu.AgentID], sales.FollowUpInput{RegistrationID: liu.ID, Channel: "phone",
		Note: "电话回访，周末带父母来看样板间"}); err != nil {
		return err
	}
	disc, err := svc.Apply(ctx, zhou, sales.ApplicationInput{UnitID: d.unit, Action: "discount", PropertyUnit: "1-1202",
		CustomerName: "陈国强", RegistrationID: chen.ID, Detail: "老客户再购一套，申请 2% 折扣"})
	if err != nil {
		return err
	}
	if _, err := svc.DecideApplication(ctx, d.mgr, disc.ID, sales.DecisionInput{Approve: true, Note: "同意 2%"}); err != nil {
		return err
	}
	if _, err := svc.Apply(ctx, zheng, sales.ApplicationInput{UnitID: d.unit, Action: "transfer_name", PropertyUnit: "2-803",
		CustomerName: "李梅", Detail: "客户申请将认购人改为其丈夫"}); err != nil {
		return err
	}
	d.on(25, 17, 0)
	_, err = svc.ShareGroupBonus(ctx, pm, sales.GroupBonusInput{UnitID: d.unit, Month: d.first.String()[:7], Pot: "50000",
		ReceivingAgentID: d.people["zy.xd2"].UserID, AgentIDs: ids, Note: "单位团购 10 套"})
	return err
}
