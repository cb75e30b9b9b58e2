package customer

import (
	"context"
	"slices"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Classification dimensions (customer_grades.dimension).
const (
	DimType            = "type"             // CUS-002
	DimGrade           = "grade"            // CUS-004
	DimImportance      = "importance"       // CUS-005
	DimImportanceState = "importance_state" // CUS-006
	DimCreditGrade     = "credit_grade"     // CUS-017
	DimCreditLimit     = "credit_limit"     // CUS-017
	DimKeyAccountTier  = "key_account_tier" // CUS-013
)

// dimColumns maps a dimension to its column of customers.
var dimColumns = map[string]string{DimType: "type", DimGrade: "grade", DimImportance: "importance",
	DimImportanceState: "importance_state", DimCreditGrade: "credit_grade", DimCreditLimit: "credit_limit_cents",
	DimKeyAccountTier: "key_account_tier"}

// Important-customer states (CUS-006): candidate → proposed → approved
// (by the government power authority) → filed (with the regulator).
const (
	StateCandidate = "candidate"
	StateProposed  = "proposed"
	StateApproved  = "approved"
	StateFiled     = "filed"
)

// stateMoves are the allowed moves of the importance state; any state may
// also be cleared ("") with a reason (the customer is no longer important).
var stateMoves = map[string][]string{
	"":             {StateCandidate},
	StateCandidate: {StateProposed},
	StateProposed:  {StateApproved, StateCandidate},
	StateApproved:  {StateFiled},
	StateFiled:     {},
}

// Change is one classification change (POST /customers/{id}/classification).
type Change struct {
	Dimension string `json:"dimension"` // type, grade, importance, importance_state, credit_grade, credit_limit, key_account_tier
	Value     string `json:"value"`
	Reason    string `json:"reason"`
	// EffectiveAt is when the change takes effect; for importance_state
	// "approved" the date of the government's approval (CUS-006). Default now.
	EffectiveAt *time.Time `json:"effective_at"`
}

const maxReason = 500

// SetClassification changes one classification dimension of a customer,
// writing its history row (customer_grades) with reason and effective
// time. A grade set by hand needs a reason (CUS-004 override); approving an
// important customer needs a valid supply configuration (CUS-007) and both
// designated persons (CUS-010); changing the grade of an approved important
// customer sends it back to "proposed".
func (s *Service) SetClassification(ctx context.Context, p *auth.Principal, id store.ID, ch Change) (Customer, error) {
	if err := need(p, auth.PermCustomersManage); err != nil {
		return Customer{}, err
	}
	c, err := s.visible(ctx, s.db.Reader(), p, id)
	if err != nil {
		return Customer{}, err
	}
	pack, err := s.packOf(ctx, c)
	if err != nil {
		return Customer{}, err
	}
	ch.Dimension, ch.Reason = strings.TrimSpace(ch.Dimension), strings.TrimSpace(ch.Reason)
	ch.Value = strings.TrimSpace(fold(ch.Value))
	if longer(ch.Reason, maxReason) {
		return Customer{}, tooLong("reason", maxReason)
	}
	col, ok := dimColumns[ch.Dimension]
	if !ok {
		return Customer{}, apperr.Validation("dimension", i18n.T("未知的分类维度 %q", "unknown dimension %q", ch.Dimension))
	}
	now := s.now()
	effective := now
	if ch.EffectiveAt != nil {
		effective = *ch.EffectiveAt
	}
	value, stored, err := checkChange(c, pack, &ch)
	if err != nil {
		return Customer{}, err
	}
	previous := current(c, ch.Dimension)
	if previous == value {
		return Customer{}, apperr.Validation("value", i18n.T("与当前值相同", "same as the current value"))
	}
	ctx = withActor(ctx, p)
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		at, by := store.Micros(now), byUser(p)
		res, err := tx.Exec(ctx, "UPDATE customers SET "+col+" = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			stored, at, c.ID, c.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale()
		}
		if err := insertGrade(ctx, tx, c.ID, ch.Dimension, value, previous, ch.Reason, store.Micros(effective), by, nil, at); err != nil {
			return err
		}
		// A first importance grade makes a candidate; a new grade of an
		// approved customer needs approval again; none clears the state (CUS-006).
		if ch.Dimension == DimImportance {
			next := c.ImportanceState
			switch {
			case value == "":
				next = ""
			case c.ImportanceState == "":
				next = StateCandidate
			case c.ImportanceState == StateApproved || c.ImportanceState == StateFiled:
				next = StateProposed
			}
			if next != c.ImportanceState {
				if _, err := tx.Exec(ctx, "UPDATE customers SET importance_state = ? WHERE id = ?", next, c.ID); err != nil {
					return err
				}
				if err := insertGrade(ctx, tx, c.ID, DimImportanceState, next, c.ImportanceState, ch.Reason, store.Micros(effective), by, nil, at); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, tx, now, "customer.classify", "customer", c.ID.String(),
			map[string]any{"dimension": ch.Dimension, "from": previous, "to": value, "reason": ch.Reason})
	})
	if err != nil {
		return Customer{}, err
	}
	return s.read(ctx, p, c.ID, false)
}

// checkChange validates a change against the pack and the customer; it
// returns the value as history shows it and as the column stores it.
func checkChange(c Customer, pack *policy.Pack, ch *Change) (string, any, error) {
	rules := &pack.Customers
	v := ch.Value
	switch ch.Dimension {
	case DimType:
		if v == "" && rules.TypeRequired {
			return "", nil, apperr.Validation("value", i18n.T("本政策包的客户类型必填（CUS-002）", "the pack requires a customer type (CUS-002)"))
		}
		if err := validType(rules, v); err != nil {
			return "", nil, apperr.Validation("value", err.(*apperr.Error).Message)
		}
	case DimGrade:
		v = strings.ToUpper(v)
		if v != "" && !slices.Contains(Grades, v) {
			return "", nil, apperr.Validation("value", i18n.T("客户等级须为 A、B、C 或 D（CUS-004）", "grade must be A, B, C or D (CUS-004)"))
		}
		if ch.Reason == "" {
			return "", nil, apperr.Validation("reason", i18n.T("人工调整等级须说明原因（CUS-004）", "a grade set by hand needs a reason (CUS-004)"))
		}
	case DimImportance:
		if err := validImportance(rules, v); err != nil {
			return "", nil, apperr.Validation("value", err.(*apperr.Error).Message)
		}
		if v == "" && ch.Reason == "" {
			return "", nil, apperr.Validation("reason", i18n.T("撤销重要客户须说明原因", "removing an important customer needs a reason"))
		}
	case DimImportanceState:
		if err := checkState(c, ch); err != nil {
			return "", nil, err
		}
	case DimCreditGrade:
		if err := validCreditGrade(rules, v); err != nil {
			return "", nil, apperr.Validation("value", err.(*apperr.Error).Message)
		}
	case DimCreditLimit:
		cents, err := parseYuan(v)
		if err != nil {
			return "", nil, apperr.Validation("value", i18n.T("信用限度须为金额，如 500000.00（元）", "credit limit must be an amount in yuan such as 500000.00"))
		}
		return formatYuan(cents), cents, nil
	case DimKeyAccountTier:
		if v != "" && (!c.KeyAccount || !policy.HasKey(rules.KeyAccountTiers, v)) {
			return "", nil, apperr.Validation("value", i18n.T("须为大客户且层级为本政策包所列（CUS-013）", "must be a key account and a tier of the pack (CUS-013)"))
		}
	}
	return v, v, nil
}

// checkState validates a move of the importance state (CUS-006, CUS-007, CUS-010).
func checkState(c Customer, ch *Change) error {
	v := ch.Value
	if v == "" {
		if ch.Reason == "" {
			return apperr.Validation("reason", i18n.T("撤销重要客户状态须说明原因", "clearing the state needs a reason"))
		}
		return nil
	}
	if c.Importance == "" {
		return apperr.Conflict("value", i18n.T("请先设定重要客户等级（CUS-005）", "set the importance grade first (CUS-005)"))
	}
	if !slices.Contains(stateMoves[c.ImportanceState], v) {
		return apperr.Conflict("value", i18n.T("重要客户状态不能从 %q 变为 %q（CUS-006）", "the state cannot move from %q to %q (CUS-006)",
			c.ImportanceState, v))
	}
	if v != StateApproved {
		return nil
	}
	if c.OutageContact == "" {
		return apperr.Validation("outage_contact", i18n.T("须指定停电信息告知专人（CUS-010）", "designated outage contact required (CUS-010)"))
	}
	if c.MaintainerID == nil {
		return apperr.Validation("maintainer_id", i18n.T("须指定营销系统信息维护专人（CUS-010）", "designated system maintainer required (CUS-010)"))
	}
	var sup Supply
	if c.Supply != nil {
		sup = *c.Supply
	}
	check, err := ValidateSupply(c.Importance, sup)
	if err != nil {
		return err
	}
	if !check.Valid {
		first := check.Problems[0].Message
		return apperr.Validation("supply", i18n.T("电源配置不符合%[1]s要求，不能批准（CUS-007）：%[2]s",
			"the supply configuration does not meet %[1]s; approval blocked (CUS-007): %[3]s", c.Importance, first.In(i18n.ZH), first.In(i18n.EN)))
	}
	return nil
}

// current is the value of a dimension as history shows it.
func current(c Customer, dim string) string {
	switch dim {
	case DimType:
		return c.Type
	case DimGrade:
		return c.Grade
	case DimImportance:
		return c.Importance
	case DimImportanceState:
		return c.ImportanceState
	case DimCreditGrade:
		return c.CreditGrade
	case DimCreditLimit:
		return c.CreditLimit
	case DimKeyAccountTier:
		return c.KeyAccountTier
	}
	return ""
}

func insertGrade(ctx context.Context, tx store.Conn, id store.ID, dim, value, previous, reason string, effective int64, by any, run *store.ID, at int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO customer_grades (customer_id, dimension, value, previous, reason, effective_at, by_user, run_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, dim, value, previous, reason, effective, by, nullable(run), at)
	return err
}

func stale() error {
	return apperr.Conflict("version", i18n.T("客户档案已被他人修改，请刷新后重试", "the customer was changed by someone else; reload and try again"))
}
