package sales

import (
	"slices"
	"strings"
	"time"

	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/money"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Fact is a register entry as the attribution engine sees it.
type Fact struct {
	ID           store.ID
	AgentID      store.ID      // who registered it: the receiving agent, or the one who pre-registered a referral
	Book         string        // BookVisit, BookPhone, BookLeasing
	Kind         string        // EntryVisit, EntryReferral, EntryPhone, EntrySelf
	RegisteredAt time.Time     // decides "first registration" (SAL-022, SAL-026)
	ReceivedOn   calendar.Date // the day of the reception (or the call)
	// Reception is the kind of the reception registered ("" for referrals
	// and calls); Owner the agent helped when it is ReceptionAssist or
	// ReceptionColleagueOld.
	Reception string
	Owner     store.ID
	Named     store.ID // the agent the customer asked for
	Public    string   // a–d: a public customer (SAL-010)
	Company   bool     // referred by the company (SAL-023)
	Keys      []string // the identity keys on which it matches the subject (CUS-016)
}

// Claim is a conflict on the subject: found by kefu when the entry was
// registered (the agent then knew), or raised by an agent later (SAL-014,
// SAL-015, SAL-018).
type Claim struct {
	ByKefu   bool      // found on registration: the agent knew at once
	RaisedAt time.Time // the discovery
	Referral bool      // a referral claim of SAL-014 on a pre-registration
	Contact  string    // Contact*: what the agent did (SAL-015)
}

// Ruled is a ruling on whom a customer belongs to.
type Ruled struct {
	Owner  store.ID
	Reason string
}

// DealFacts are a deal's facts (SAL-019).
type DealFacts struct {
	On         calendar.Date // both deposit paid and subscription signed
	Closing    store.ID      // the agent who closed
	Commission money.Yuan
	// Manual is the Project Manager's amount for a company-referred
	// customer (SAL-023); nil until entered.
	Manual *money.Yuan
}

// Case is what one attribution decides on: the subject entry (the visit
// registered, or the deal's registration), the earlier entries of the same
// customer, the family or group she belongs to, a claim and a deal.
type Case struct {
	Subject Fact
	Prior   []Fact // earlier entries matching the subject's identity (any order)
	// Family are the entries of the family or group the subject was linked
	// to (SAL-009, SAL-016); FamilyDealOn the latest deal of that family.
	Family       []Fact
	FamilyDealOn *calendar.Date
	Claim        *Claim
	// Ruled is the Sales Manager's ruling on the customer's owner in the
	// conflict (SAL-022): a deal decided later follows it.
	Ruled *Ruled
	Deal  *DealFacts
	// Today is the day of the computation: the discovery of an unaware
	// deal nobody raised.
	Today calendar.Date
	// Calendar counts the referral window (SAL-014, a d period).
	Calendar *calendar.Calendar
}

// Share is one agent's part of a deal's commission.
type Share struct {
	AgentID   store.ID   `json:"agent_id"`
	Role      string     `json:"role"`    // ShareSole, ShareClosing, ShareOwner, ShareManual
	Percent   int        `json:"percent"` // whole percent of the commission
	Amount    money.Yuan `json:"amount"`
	Cancelled bool       `json:"cancelled,omitempty"` // grabbing: the share is not paid (SAL-015)
	Rule      string     `json:"rule"`
}

// Step is one reason of an attribution, in the order applied, written
// out in both languages (it is stored with the decision).
type Step struct {
	Rule string `json:"rule"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// Outcome is what the rules decide.
type Outcome struct {
	// Owner is the agent the customer belongs to; 0: the sales department
	// (a public customer, SAL-010).
	Owner store.ID `json:"owner_agent_id"`
	Class string   `json:"class"` // Class*
	// Shares of the deal's commission; empty without a deal or while Held.
	Shares []Share `json:"shares"`
	// Held: the rules cannot decide; the Sales Manager rules (SAL-022,
	// SAL-023).
	Held bool `json:"held"`
	// Grabber is the agent who grabbed the customer (SAL-015), 0: none.
	Grabber store.ID `json:"grabber_id,omitempty"`
	Steps   []Step   `json:"steps"`
	Rules   []string `json:"rules"`
}

func (o *Outcome) step(rule string, zh, en string, args ...any) {
	t := i18n.T(zh, en, args...)
	o.Steps = append(o.Steps, Step{Rule: rule, ZH: t.In(i18n.ZH), EN: t.In(i18n.EN)})
	if !slices.Contains(o.Rules, rule) {
		o.Rules = append(o.Rules, rule)
	}
}

// Attribute applies the attribution rules of seed 000 art.7 (SAL-008 to
// SAL-023) to a case: who the customer belongs to, and with a deal how
// its commission splits, each step with its rule. Windows are day
// differences (CAL-015) except the referral window, a d period (SAL-014).
func Attribute(c Case, r *policy.SalesRules) Outcome {
	var o Outcome
	o.owner(c, r)
	if c.Deal != nil && !o.Held {
		o.split(c, r)
	}
	slices.Sort(o.Rules)
	return o
}

// owner decides whom the subject's customer belongs to.
func (o *Outcome) owner(c Case, r *policy.SalesRules) {
	s := c.Subject
	if c.Ruled != nil {
		o.Owner, o.Class = c.Ruled.Owner, classOf(c, c.Ruled.Owner)
		o.step("SAL-022", "销售经理已裁定客户归属：%s", "the Sales Manager ruled whom the customer belongs to: %s", c.Ruled.Reason)
		return
	}
	switch {
	case s.Public != "":
		o.Class = ClassPublic
		o.step("SAL-010", "公共客户（%s 类）：属销售部共有资源，不归属首位接待的售楼员",
			"public customer (%s): a resource of the sales department, not of the first agent", s.Public)
		return
	case s.Company:
		o.Owner, o.Class = s.AgentID, ClassCompany
		o.step("SAL-023", "公司转介客户：由项目经理指定接待人，佣金另议", "company-referred customer: assigned by the Project Manager, commission decided separately")
		return
	case s.Named != 0 && s.Reception == ReceptionAssist:
		o.Owner, o.Class = s.Named, classOf(c, s.Named)
		o.step("SAL-012", "客户指名的售楼员不在：当值售楼员协助接待后交回，客户归指名售楼员",
			"the agent the customer named was absent: the on-duty agent helped and hands back; the customer belongs to the named agent")
		return
	case s.Named != 0:
		o.Owner, o.Class = s.Named, classOf(c, s.Named)
		o.step("SAL-013", "客户在首次来访接待中指名售楼员：归指名售楼员，不占轮排名额",
			"the customer named an agent during the visit: she belongs to that agent, no rotation slot used")
		return
	case s.Reception == ReceptionAssist && s.Owner != 0:
		o.Owner, o.Class = s.Owner, classOf(c, s.Owner)
		o.step("SAL-011", "老客户带新客户而原售楼员不在：轮排售楼员协助接待后交回，客户归原售楼员",
			"an old customer brought a new one while the original agent was absent: the rotation agent helped and hands back")
		return
	}
	if c.Claim != nil && c.Claim.Referral {
		if o.referral(c, r) {
			return
		}
	}
	if len(c.Family) > 0 {
		o.family(c, r)
		return
	}
	for _, p := range c.Prior {
		if p.Public != "" && len(p.Keys) > 0 {
			o.step("SAL-010", "%s 曾作为公共客户来访：不归属任何售楼员，再来有意购买按新客户轮排",
				"visited on %s as a public customer: nobody's customer; back to buy, she is a new customer in rotation", p.ReceivedOn)
			break
		}
	}
	for _, p := range c.Prior {
		if p.Book == BookPhone && p.AgentID != s.AgentID && len(p.Keys) > 0 {
			o.step("SAL-008", "%s 曾来电咨询（接听售楼员的自有资源），来访未指名：服从轮排接待",
				"called on %s (the answering agent's own resource) but named nobody on her visit: the rotation reception stands", p.ReceivedOn)
			break
		}
	}
	first, ok := firstOwner(c.Prior)
	if !ok {
		o.Owner, o.Class = s.AgentID, ClassNew
		o.step("SAL-009", "首次来访，登记中无相同客户：新客户，归接待售楼员",
			"first visit, nobody registered the same customer: a new customer of the receiving agent")
		return
	}
	zh, en := keyNames(first.Keys)
	o.step("SAL-022", "以先登记为准：%s 首次登记，相同要素："+zh, "first registration wins: registered first on %s, matching "+en,
		first.RegisteredAt.Format("2006-01-02 15:04"))
	if first.AgentID == s.AgentID {
		o.Owner, o.Class = s.AgentID, ClassOld
		o.step("SAL-009", "再次来访：接待售楼员自己的老客户", "a later visit: the receiving agent's own old customer")
		return
	}
	last := lastOf(c.Prior, first.AgentID)
	days := calendar.DaysBetween(last.ReceivedOn, s.ReceivedOn)
	if days > r.UnawareWindowDays {
		o.Owner, o.Class = s.AgentID, ClassNew
		o.step("SAL-017", "本次来访距原售楼员最近登记（%s）%d 天，超过 %d 天：作新客户，归本次接待售楼员",
			"this visit is %[2]d days after the original agent's latest registration (%[1]s), more than %[3]d: a new customer of the receiving agent",
			last.ReceivedOn, days, r.UnawareWindowDays)
		return
	}
	o.Owner, o.Class = first.AgentID, ClassOld
	o.step("SAL-017", "本次来访距原售楼员最近登记（%s）%d 天，未超过 %d 天：仍属原售楼员的老客户",
		"this visit is %[2]d days after the original agent's latest registration (%[1]s), not more than %[3]d: still the original agent's old customer",
		last.ReceivedOn, days, r.UnawareWindowDays)
}

// referral applies SAL-014: a conflict raised within the window on the
// subject's visit registration transfers the customer to the agent who
// pre-registered her when an identity key matches. It reports whether it
// decided.
func (o *Outcome) referral(c Case, r *policy.SalesRules) bool {
	s := c.Subject
	var pre *Fact
	for i := range c.Prior {
		if p := &c.Prior[i]; p.Kind == EntryReferral && len(p.Keys) > 0 && (pre == nil || p.RegisteredAt.Before(pre.RegisteredAt)) {
			pre = p
		}
	}
	end, err := c.Calendar.Deadline(s.RegisteredAt, r.ReferralWindow)
	within := err == nil && c.Claim.RaisedAt.Before(end.At)
	switch {
	case !within:
		o.Owner, o.Class = s.AgentID, ClassNew
		o.step("SAL-014", "介绍客户冲突于 %s 提出，已过有效期（至 %s）：轮排接待有效",
			"the referral conflict was raised on %s, after the validity window (until %s): the rotation reception stands",
			c.Claim.RaisedAt.In(end.At.Location()).Format("2006-01-02 15:04"), end.At.Format("2006-01-02 15:04"))
	case pre == nil:
		o.Owner, o.Class = s.AgentID, ClassNew
		o.step("SAL-014", "有效期内提出冲突，但预登记与本次登记的客户要素不符：轮排接待有效",
			"raised within the window, but no pre-registration matches the visitor's identity: the rotation reception stands")
	default:
		o.Owner, o.Class = pre.AgentID, ClassNew
		zh, en := keyNames(pre.Keys)
		o.step("SAL-014", "有效期（至 %s）内提出冲突，预登记（%s）相同要素"+zh+"：客户转归预登记的售楼员",
			"raised within the window (until %s); the pre-registration of %s matches on "+en+": the customer goes to the agent who pre-registered her",
			end.At.Format("2006-01-02 15:04"), pre.RegisteredAt.Format("2006-01-02 15:04"))
	}
	return true
}

// family applies SAL-016: a family or group belongs to the agent of its
// first reception, unless this visit is more than the window after the
// original registration or the family's deal.
func (o *Outcome) family(c Case, r *policy.SalesRules) {
	s := c.Subject
	first := c.Family[0]
	for _, f := range c.Family[1:] {
		if f.Kind == EntryVisit && (first.Kind != EntryVisit || f.ReceivedOn.Before(first.ReceivedOn) ||
			f.ReceivedOn == first.ReceivedOn && f.RegisteredAt.Before(first.RegisteredAt)) {
			first = f
		}
	}
	anchor := first.ReceivedOn
	if c.FamilyDealOn != nil && c.FamilyDealOn.After(anchor) {
		anchor = *c.FamilyDealOn
	}
	days := calendar.DaysBetween(anchor, s.ReceivedOn)
	if days > r.FamilyWindowDays {
		o.Owner, o.Class = s.AgentID, ClassNew
		o.step("SAL-016", "一家（批）人：本次来访距原登记或成交日（%s）%d 天，超过 %d 天：作新客户",
			"family or group: this visit is %[2]d days after the original registration or deal (%[1]s), more than %[3]d: a new customer",
			anchor, days, r.FamilyWindowDays)
		return
	}
	o.Owner, o.Class = first.AgentID, ClassFamily
	o.step("SAL-016", "一家（批）人：归第一次接待的售楼员（%s 接待）；距原登记或成交日（%s）%d 天，未超过 %d 天",
		"family or group: belongs to the agent of the first reception (%[1]s); %[3]d days after the original registration or deal (%[2]s), not more than %[4]d",
		first.ReceivedOn, anchor, days, r.FamilyWindowDays)
}

// split shares a deal's commission once the owner is known.
func (o *Outcome) split(c Case, r *policy.SalesRules) {
	d, s := c.Deal, c.Subject
	o.step("SAL-019", "成交：已交定金并签认购书（%s），以原认购方为准", "a deal: deposit paid and subscription signed (%s); the original subscriber counts", d.On)
	switch {
	case o.Class == ClassCompany:
		if d.Manual == nil {
			o.Held = true
			o.step("SAL-023", "公司转介客户：佣金待项目经理录入", "company-referred: the commission waits for the Project Manager's amount")
			return
		}
		o.Shares = []Share{{AgentID: o.Owner, Role: ShareManual, Percent: 100, Amount: *d.Manual, Rule: "SAL-023"}}
		o.step("SAL-023", "公司转介客户：佣金按项目经理录入的 %s 元", "company-referred: the commission is the Project Manager's %s yuan", d.Manual.String())
		return
	case o.Owner == 0 || o.Owner == d.Closing:
		owner := d.Closing
		o.Owner = owner
		o.Shares = []Share{{AgentID: owner, Role: ShareSole, Percent: 100, Amount: d.Commission, Rule: "SAL-022"}}
		o.step("SAL-022", "成交售楼员即客户归属人：佣金全归成交售楼员", "the closing agent owns the customer: the whole commission is hers")
		return
	case s.Named != 0 && s.Reception == ReceptionAssist || s.Reception == ReceptionAssist && s.Owner != 0:
		rule := "SAL-011"
		if s.Named != 0 {
			rule = "SAL-012"
		}
		o.assist(d, r.AssistSplit, rule, false)
		return
	}
	// The closing agent knew when kefu told her on registration, when the
	// contact with the original agent is on record, or when the conflict
	// was raised on a day before the deal; otherwise it is discovered
	// after the deal (SAL-015 vs SAL-018).
	if c.Claim != nil && (c.Claim.Contact != ContactNone || c.Claim.ByKefu || calendar.DateOf(c.Claim.RaisedAt.In(store.Zone)).Before(d.On)) {
		o.aware(c, r)
		return
	}
	o.unaware(c, r)
}

// assist splits closing/owner by sp.
func (o *Outcome) assist(d *DealFacts, sp policy.Split, rule string, grabbed bool) {
	closing := d.Commission.Percent(int64(sp.Closing) * 100)
	o.Shares = []Share{
		{AgentID: d.Closing, Role: ShareClosing, Percent: sp.Closing, Amount: closing, Cancelled: grabbed, Rule: rule},
		{AgentID: o.Owner, Role: ShareOwner, Percent: sp.Owner, Amount: d.Commission - closing, Rule: rule},
	}
	o.step(rule, "佣金按 %s 分成（成交 / 归属）", "commission split %s (closing / owner)", sp.String())
}

// aware applies SAL-015: the closing agent knew the customer was a
// colleague's.
func (o *Outcome) aware(c Case, r *policy.SalesRules) {
	d := c.Deal
	switch c.Claim.Contact {
	case ContactConsent:
		o.step("SAL-015", "接待中得知是同事的客户，征得原售楼员同意后继续接待", "learned during the reception that the customer was a colleague's and continued with her consent")
		o.assist(d, r.AssistSplit, "SAL-015", false)
	case ContactUnreachable:
		o.step("SAL-015", "原售楼员不在或联系不上：暂时协助接待", "the original agent was absent or unreachable: helped for now")
		o.assist(d, r.AssistSplit, "SAL-015", false)
	case ContactRefused:
		o.Grabber = d.Closing
		o.step("SAL-015", "原售楼员可联系而未征得同意继续接待：抢客户，取消该单成交佣金并处罚款",
			"continued without the consent of a reachable original agent: grabbing; the closing share is cancelled and a fine proposed")
		o.assist(d, r.AssistSplit, "SAL-015", true)
		o.step("SAL-015", "原售楼员仍得归属份额（G-41）", "the original agent keeps the owner share (G-41)")
	default:
		o.Held = true
		o.Shares = nil
		o.step("SAL-022", "成交售楼员已知是同事的客户，但未记录是否征得同意：待销售经理裁定",
			"the closing agent knew the customer was a colleague's but no consent was recorded: held for the Sales Manager's ruling")
	}
}

// unaware applies SAL-018: the closing agent did not know.
func (o *Outcome) unaware(c Case, r *policy.SalesRules) {
	d := c.Deal
	// The original registration is the owner's latest registration of
	// the customer: every reception is registered, so an agent who keeps
	// receiving her keeps her (the reading of SAL-017 and SAL-018 kefu
	// applies throughout).
	orig := lastOf(c.Prior, o.Owner)
	for _, f := range c.Family {
		if f.AgentID == o.Owner && f.ReceivedOn.After(orig.ReceivedOn) {
			orig = f
		}
	}
	if gap := calendar.DaysBetween(orig.ReceivedOn, d.On); gap > r.DealWindowDays {
		owner := o.Owner
		o.Owner = d.Closing
		o.Shares = []Share{{AgentID: d.Closing, Role: ShareSole, Percent: 100, Amount: d.Commission, Rule: "SAL-018"},
			{AgentID: owner, Role: ShareOwner, Percent: 0, Rule: "SAL-018"}}
		o.step("SAL-018", "成交日距原接待登记（%s）%d 天，超过 %d 天：按新客户成交，原售楼员不得佣金",
			"the deal is %[2]d days after the original registration (%[1]s), more than %[3]d: a new-customer deal; the original agent gets nothing",
			orig.ReceivedOn, gap, r.DealWindowDays)
		return
	}
	found := c.Today
	if c.Claim != nil {
		found = calendar.DateOf(c.Claim.RaisedAt.In(store.Zone))
	}
	after := calendar.DaysBetween(d.On, found)
	if after > r.DiscoveryWindowDays {
		owner := o.Owner
		o.Owner = d.Closing
		o.Shares = []Share{{AgentID: d.Closing, Role: ShareSole, Percent: 100, Amount: d.Commission, Rule: "SAL-018"},
			{AgentID: owner, Role: ShareOwner, Percent: 0, Rule: "SAL-018"}}
		o.step("SAL-018", "不知情成交，成交后 %d 天（%s）才发现，超过 %d 天：业绩全归成交售楼员",
			"an unaware deal discovered %d days after it (%s), more than %d: the whole commission goes to the closing agent",
			after, found, r.DiscoveryWindowDays)
		return
	}
	o.step("SAL-018", "不知情成交，成交后 %d 天（%s）内发现，未超过 %d 天：双方各半",
		"an unaware deal discovered %d days after it (%s), within %d: split between the two", after, found, r.DiscoveryWindowDays)
	o.assist(d, r.UnawareSplit, "SAL-018", false)
}

// firstOwner is the earliest entry that can own a customer: visits and
// referrals of customers who are not public; a phone call makes the
// caller the answering agent's own resource but yields to the rotation
// when she visits without naming her (SAL-007, SAL-008 (1), G-28).
func firstOwner(prior []Fact) (Fact, bool) {
	var best Fact
	ok := false
	for _, p := range prior {
		if p.Public != "" || p.Book == BookPhone || len(p.Keys) == 0 {
			continue
		}
		if !ok || p.RegisteredAt.Before(best.RegisteredAt) {
			best, ok = p, true
		}
	}
	return best, ok
}

// lastOf is agent's latest owning entry of the customer.
func lastOf(prior []Fact, agent store.ID) Fact {
	var best Fact
	for _, p := range prior {
		if p.AgentID == agent && p.Public == "" && p.Book != BookPhone && len(p.Keys) > 0 && p.ReceivedOn.Compare(best.ReceivedOn) >= 0 {
			best = p
		}
	}
	return best
}

// classOf is new or old for the agent a customer is given to.
func classOf(c Case, agent store.ID) string {
	for _, p := range c.Prior {
		if p.AgentID == agent && p.Book != BookPhone && p.Kind == EntryVisit {
			return ClassOld
		}
	}
	return ClassNew
}

// keyNames writes identity keys (CUS-016) for people.
func keyNames(keys []string) (zh, en string) {
	names := map[string][2]string{"phone": {"联系电话", "phone"}, "full_name": {"全名", "full name"},
		"plate_surname": {"车型+车牌+姓氏", "car, plate and surname"}}
	var z, e []string
	for _, k := range keys {
		n, ok := names[k]
		if !ok {
			n = [2]string{k, k}
		}
		z, e = append(z, n[0]), append(e, n[1])
	}
	return strings.ReplaceAll(strings.Join(z, "、"), "%", "%%"), strings.ReplaceAll(strings.Join(e, ", "), "%", "%%")
}
