package visit

// Occasions (回访事项, VIS-006, VIS-007, G-17): the visit triggers kefu has
// no module for — an activity that ended, keys handed over, an emergency
// incident closed, a major holiday. The pack's owner role (the CS
// supervisor) or a manager registers the occasion with its households;
// they are the occasion's population (VIS-006: the participating
// households) and become its candidates (ref_type "occasion"), drawn at once
// as one batch: quota = ceil(rate × households), seeded by
// pack|rule|company|occasion:<id> (VIS-016). The visits are due at the
// occasion's time + the rule's window on the pack calendar.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Limits of an occasion.
const (
	MaxHouseholds = 5000 // rows of one occasion
	MaxTitle      = 200  // characters of its title
	maxName       = 100
	maxPhone      = 32
	maxAddress    = 300
	maxProblems   = 50 // household problems listed in one refusal
)

// OccasionInput registers an occasion.
type OccasionInput struct {
	Rule  string `json:"rule"` // a visit rule of the caller's company pack with an occasion trigger
	Title string `json:"title"`
	// HappenedAt is when the activity ended, the keys were handed over, the
	// incident was closed, or the holiday's date: RFC 3339, or
	// "YYYY-MM-DD HH:MM" in Beijing time.
	HappenedAt string           `json:"happened_at"`
	Households []HouseholdInput `json:"households"` // 1 to 5000
}

// HouseholdInput is one household of an occasion: a name or a phone at
// least, and the customer file when there is one.
type HouseholdInput struct {
	CustomerID store.ID `json:"customer_id,omitempty"`
	Name       string   `json:"name"`
	Phone      string   `json:"phone"`
	Address    string   `json:"address"`
}

// Occasion is a registered occasion as the API shows it.
type Occasion struct {
	ID          store.ID      `json:"id"`
	Pack        string        `json:"pack"`
	PackVersion int           `json:"pack_version"`
	Rule        string        `json:"rule"`
	RuleName    string        `json:"rule_name"`
	Trigger     string        `json:"trigger"`
	Title       string        `json:"title"`
	HappenedAt  time.Time     `json:"happened_at"`
	DueAt       time.Time     `json:"due_at"` // of its visits: happened_at + the rule's window
	Role        string        `json:"role"`   // who visits
	CompanyID   store.ID      `json:"company_id"`
	Households  int           `json:"households"`
	Draw        *OccasionDraw `json:"draw,omitempty"`
	CreatedBy   store.ID      `json:"created_by,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
}

// OccasionDraw is the draw of an occasion (VIS-016): its population (the
// households), the quota ceil(rate × population) and the visits drawn.
type OccasionDraw struct {
	Seed       string `json:"seed"`
	RatePct    int    `json:"rate_pct"`
	Population int    `json:"population"`
	Quota      int    `json:"quota"`
	Drawn      int    `json:"drawn"`
}

// occasionBatch is the batch key of an occasion's candidates and draw.
func occasionBatch(id store.ID) string { return fmt.Sprintf("occasion:%d", id) }

// OccasionRules are the occasion rules of the caller's company pack that
// the caller may register (VIS-006, VIS-007): for the pack's owner role, a
// manager or an administrator; 403 for anyone else.
func (s *Service) OccasionRules(ctx context.Context, p *auth.Principal) (*policy.Pack, org.Unit, []policy.VisitRule, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, org.Unit{}, nil, apperr.Forbidden(i18n.T("无权登记回访事项", "you may not register visit occasions"))
	}
	co, err := org.CompanyOf(ctx, s.db.Reader(), p.OrgUnitID)
	if err != nil {
		return nil, co, nil, err
	}
	pack, err := s.packs.ForUnit(ctx, co.ID)
	if err != nil {
		return nil, co, nil, err
	}
	owner := pack.Visits.Owner
	if !p.IsAdmin() && !slices.Contains(p.Roles, owner) && !slices.Contains(p.Roles, auth.RoleManager) {
		return nil, co, nil, apperr.Forbidden(i18n.T("回访事项由%[1]s或公司经理登记（VIS-001）",
			"occasions are registered by the %[2]s or a manager (VIS-001)", owner.Label().ZH, string(owner)))
	}
	var rules []policy.VisitRule
	for _, r := range pack.Visits.Rules {
		if r.IsOccasion() {
			rules = append(rules, r)
		}
	}
	return pack, co, rules, nil
}

// CreateOccasion registers an occasion with its households and draws its
// visits at once (VIS-006, VIS-007, VIS-016).
func (s *Service) CreateOccasion(ctx context.Context, p *auth.Principal, in OccasionInput) (*Occasion, error) {
	if !p.Can(auth.PermVisitsAct) {
		return nil, apperr.Forbidden(i18n.T("无权登记回访事项", "you may not register visit occasions"))
	}
	// The input first, as every form: a refusal names the field.
	in.Rule, in.Title = strings.TrimSpace(in.Rule), strings.TrimSpace(in.Title)
	if in.Rule == "" {
		return nil, apperr.Required("rule")
	}
	if in.Title == "" {
		return nil, apperr.Required("title")
	}
	if utf8.RuneCountInString(in.Title) > MaxTitle {
		return nil, apperr.Validation("title", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxTitle))
	}
	happened, err := parseHappened(in.HappenedAt)
	if err != nil {
		return nil, err
	}
	if err := checkHouseholds(in.Households); err != nil {
		return nil, err
	}
	pack, co, rules, err := s.OccasionRules(ctx, p)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(rules, func(r policy.VisitRule) bool { return r.Key == in.Rule })
	if i < 0 {
		keys := make([]string, len(rules))
		for j, r := range rules {
			keys[j] = r.Key
		}
		return nil, apperr.Validation("rule", i18n.T("本公司政策包没有回访事项规则 %[1]q（可用：%[2]s）",
			"the company's pack has no occasion rule %[1]q (known: %[2]s)", in.Rule, strings.Join(keys, ", ")))
	}
	rule := &rules[i]
	now := s.now()
	if rule.Trigger != policy.TriggerHoliday && happened.After(now) {
		return nil, apperr.Validation("happened_at", i18n.T("事项尚未发生", "must not be in the future"))
	}
	due, err := s.due(pack, rule, happened)
	if err != nil {
		return nil, apperr.Validation("happened_at", i18n.T("无法按日历计算回访时限：%s", "no deadline on the calendar: %s", err.Error()))
	}
	var id store.ID
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		if err := checkCustomers(ctx, tx, co, in.Households); err != nil {
			return err
		}
		month := happened.In(store.Zone).Format("2006-01")
		id, err = tx.InsertID(ctx, `INSERT INTO visit_occasions (pack, pack_version, rule, company_id, unit_id, title,
			happened_at, month, households, due_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			pack.Key, pack.Version, rule.Key, co.ID, p.OrgUnitID, in.Title, store.Micros(happened), month,
			len(in.Households), store.Micros(due), p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		if err := insertHouseholds(ctx, tx, id, in.Households); err != nil {
			return err
		}
		// Every household is a candidate of the occasion's batch.
		batch := occasionBatch(id)
		// (The casts type the parameters for PostgreSQL, which reads a
		// parameter in a SELECT list as text.)
		if _, err := tx.Exec(ctx, `INSERT INTO visit_candidates (pack, pack_version, rule, company_id, unit_id, ref_type,
			ref_id, ref_number, customer_id, customer_name, customer_phone, customer_address, severity, mandatory, exempt,
			completed_at, day, month, occasion_id)
			SELECT CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), 'occasion', h.id,
			CAST(? AS TEXT) || CAST(h.line AS TEXT), h.customer_id, h.name, h.phone, h.address, '', FALSE, '',
			CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), h.occasion_id
			FROM visit_occasion_households h WHERE h.occasion_id = ? ORDER BY h.line`,
			pack.Key, pack.Version, rule.Key, co.ID, p.OrgUnitID, fmt.Sprintf("SX%d-", id), store.Micros(happened),
			batch, month, id); err != nil {
			return err
		}
		k := batchKey{pack: pack.Key, rule: rule.Key, company: co.ID, day: batch}
		items, bpack, brule, err := s.batch(ctx, tx, k)
		if err != nil {
			return err
		}
		// The occasion is its own population: nothing drawn before it.
		drawID, picked, err := s.pick(ctx, tx, k, bpack, brule, items, 0, 0)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE visit_occasions SET draw_id = ? WHERE id = ?", drawID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "visit.occasion", "visit_occasion", id.String(), map[string]any{"rule": rule.Key,
			"title": in.Title, "happened_at": happened, "households": len(in.Households), "drawn": picked})
	})
	if err != nil {
		return nil, err
	}
	return s.GetOccasion(ctx, p, id)
}

// parseHappened reads an occasion's time: RFC 3339, or "YYYY-MM-DD HH:MM"
// (also with a T, as a datetime-local input sends it) in Beijing time.
func parseHappened(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, apperr.Required("happened_at")
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.In(store.Zone), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, v, store.Zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Validation("happened_at", i18n.T("须为时间，如 2026-08-31 18:00 或 RFC 3339",
		"must be a time: 2026-08-31 18:00 or RFC 3339"))
}

// checkHouseholds checks the rows: 1 to MaxHouseholds, each with a name or
// a phone, a phone of 7 to 15 digits, no row twice. A refusal names the
// first bad field (households[3].phone) and lists up to maxProblems in
// Details["problems"] ({field, zh, en}).
func checkHouseholds(hs []HouseholdInput) error {
	if len(hs) == 0 {
		return apperr.Validation("households", i18n.T("请填写参与或受影响的住户", "list the households"))
	}
	if len(hs) > MaxHouseholds {
		return apperr.Validation("households", i18n.T("一次最多 %d 户", "at most %d households", MaxHouseholds))
	}
	var problems []map[string]string
	add := func(i int, field string, msg i18n.Text) {
		if len(problems) < maxProblems {
			problems = append(problems, map[string]string{"field": fmt.Sprintf("households[%d].%s", i, field),
				"zh": msg.In(i18n.ZH), "en": msg.In(i18n.EN)})
		}
	}
	seen := map[HouseholdInput]int{}
	for i := range hs {
		h := &hs[i]
		h.Name, h.Phone, h.Address = strings.TrimSpace(h.Name), strings.TrimSpace(h.Phone), strings.TrimSpace(h.Address)
		switch {
		case h.Name == "" && h.Phone == "":
			add(i, "name", i18n.T("须填写姓名或电话", "a name or a phone is required"))
		case utf8.RuneCountInString(h.Name) > maxName:
			add(i, "name", i18n.T("不能超过 %d 个字符", "at most %d characters", maxName))
		case h.Phone != "" && !validPhone(h.Phone):
			add(i, "phone", i18n.T("电话号码须为7至15位数字", "a phone number has 7 to 15 digits"))
		case utf8.RuneCountInString(h.Address) > maxAddress:
			add(i, "address", i18n.T("不能超过 %d 个字符", "at most %d characters", maxAddress))
		default:
			if j, dup := seen[*h]; dup {
				add(i, "name", i18n.T("与第 %[1]d 户重复", "the same as households[%[2]d]", j+1, j))
			} else {
				seen[*h] = i
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	first := problems[0]
	e := apperr.Validation(first["field"], i18n.T("%[1]s", "%[2]s", first["zh"], first["en"]))
	e.Details = map[string]any{"problems": problems}
	return e
}

// validPhone: digits, spaces and + - ( ) as people write them (as the
// customer archive's numbers), 7 to 15 digits.
func validPhone(s string) bool {
	if len(s) > maxPhone {
		return false
	}
	for _, r := range s {
		if !unicode.IsDigit(r) && !strings.ContainsRune(" +-()－（）＋—", r) {
			return false
		}
	}
	n := len(customer.PhoneKey(s))
	return n >= 7 && n <= 15
}

// checkCustomers refuses a customer file that does not exist or is not of
// the occasion's company (its subtree).
func checkCustomers(ctx context.Context, tx store.Conn, co org.Unit, hs []HouseholdInput) error {
	for i, h := range hs {
		if h.CustomerID == 0 {
			continue
		}
		var path string
		err := tx.QueryRow(ctx, `SELECT u.path FROM customers c JOIN org_units u ON u.id = c.org_unit_id WHERE c.id = ?`,
			h.CustomerID).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !(org.Scope{Path: co.Path}).Contains(path) {
			return apperr.Validation(fmt.Sprintf("households[%d].customer_id", i), i18n.T("本公司没有此客户档案",
				"no such customer of the company"))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// insertHouseholds stores the rows, numbered from 1, in statements of up to
// householdChunk rows.
func insertHouseholds(ctx context.Context, tx store.Conn, occasion store.ID, hs []HouseholdInput) error {
	const householdChunk = 200
	for start := 0; start < len(hs); start += householdChunk {
		rows := hs[start:min(start+householdChunk, len(hs))]
		args := make([]any, 0, len(rows)*6)
		for i, h := range rows {
			var cust any
			if h.CustomerID != 0 {
				cust = h.CustomerID
			}
			args = append(args, occasion, start+i+1, cust, h.Name, h.Phone, h.Address)
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(rows)), ", ")
		if _, err := tx.Exec(ctx, `INSERT INTO visit_occasion_households (occasion_id, line, customer_id, name, phone, address)
			VALUES `+values, args...); err != nil {
			return err
		}
	}
	return nil
}

const occasionColumns = `o.id, o.pack, o.pack_version, o.rule, o.title, o.happened_at, o.due_at, o.company_id, o.households,
	o.created_by, o.created_at, d.seed, d.rate_pct, d.batch, d.picked`

func (s *Service) scanOccasion(sc store.Scanner) (*Occasion, error) {
	var o Occasion
	var happened, due, created int64
	var by store.NullID
	var seed sql.NullString
	var rate, batch, picked sql.NullInt64
	if err := sc.Scan(&o.ID, &o.Pack, &o.PackVersion, &o.Rule, &o.Title, &happened, &due, &o.CompanyID, &o.Households,
		&by, &created, &seed, &rate, &batch, &picked); err != nil {
		return nil, err
	}
	o.HappenedAt, o.DueAt, o.CreatedAt, o.CreatedBy = store.FromMicros(happened), store.FromMicros(due), store.FromMicros(created), by.ID
	if _, rule, ok := s.rule(o.Pack, o.PackVersion, o.Rule); ok {
		o.RuleName, o.Trigger, o.Role = rule.Name.ZH, rule.Trigger, string(rule.Visitor)
	}
	if seed.Valid {
		o.Draw = &OccasionDraw{Seed: seed.String, RatePct: int(rate.Int64), Population: int(batch.Int64),
			Quota: Quota(int(rate.Int64), int(batch.Int64)), Drawn: int(picked.Int64)}
	}
	return &o, nil
}

// GetOccasion returns an occasion p may see (the visits' row scope), with
// its draw.
func (s *Service) GetOccasion(ctx context.Context, p *auth.Principal, id store.ID) (*Occasion, error) {
	if err := mayRead(p); err != nil {
		return nil, err
	}
	cond, args := visible(p, "o.company_id")
	o, err := s.scanOccasion(s.db.Reader().QueryRow(ctx, "SELECT "+occasionColumns+` FROM visit_occasions o
		LEFT JOIN visit_draws d ON d.id = o.draw_id WHERE o.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("occasion")
	}
	return o, err
}

// OccasionFilter pages the occasions: newest first, below Before.
type OccasionFilter struct {
	Limit  int // default 50, at most 500
	Before store.ID
}

// ListOccasions returns the occasions p may see, newest first.
func (s *Service) ListOccasions(ctx context.Context, p *auth.Principal, f OccasionFilter) ([]*Occasion, error) {
	err := mayRead(p)
	if err != nil {
		return nil, err
	}
	if f.Limit, err = apperr.PageLimit(f.Limit); err != nil {
		return nil, err
	}
	cond, args := visible(p, "o.company_id")
	if f.Before != 0 {
		cond += " AND o.id < ?"
		args = append(args, f.Before)
	}
	out, err := store.QueryAll(ctx, s.db.Reader(), s.scanOccasion, "SELECT "+occasionColumns+` FROM visit_occasions o
		LEFT JOIN visit_draws d ON d.id = o.draw_id WHERE `+cond+" ORDER BY o.id DESC LIMIT ?", append(args, f.Limit)...)
	if out == nil {
		out = []*Occasion{}
	}
	return out, err
}
