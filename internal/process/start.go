package process

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/customer"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// StartInput starts a process.
type StartInput struct {
	Definition     string   `json:"definition"`
	CustomerID     store.ID `json:"customer_id"`
	ServicePointID store.ID `json:"service_point_id"`
	// UnitID is where the application is accepted; default the service
	// point's unit when the caller's scope covers it, else the caller's.
	UnitID store.ID `json:"unit_id"`
	// Attributes answer the definition's attributes; a service point's
	// attributes of the same key fill in what is left out.
	Attributes map[string]any `json:"attributes"`
	// AppliedAt is when the application was made (back-entry); default now.
	AppliedAt *time.Time `json:"applied_at"`
}

// numberPrefix is the number prefix of each process group.
var numberPrefix = map[string]string{"connection": "YK", "change": "BG", "test": "SY", "protection": "BH",
	"sales": "JY", "approval": "SP", "other": "LC"}

// MaxTextAttribute is the longest text attribute, in characters.
const MaxTextAttribute = 500

// Start starts a process of the unit's pack and enters its first step.
func (s *Service) Start(ctx context.Context, p *auth.Principal, in StartInput) (*Process, error) {
	if !p.Can(auth.PermProcessesAct) {
		return nil, apperr.Forbidden(i18n.T("无权发起业务流程", "you may not start business processes"))
	}
	if in.Definition == "" {
		return nil, apperr.Required("definition")
	}
	var point customer.ServicePoint
	if in.ServicePointID != 0 {
		var err error
		if point, err = customer.PointOf(ctx, s.db.Reader(), in.ServicePointID, "service_point_id"); err != nil {
			return nil, err
		}
	}
	unit := in.UnitID
	if unit == 0 && in.ServicePointID != 0 {
		// The unit that keeps the account accepts the application (and
		// its pack's definitions apply), when the caller may act there.
		if u, err := s.org.Get(ctx, point.OrgUnitID); err == nil && p.Scope().Contains(u.Path) {
			unit = u.ID
		}
	}
	if unit == 0 {
		unit = p.OrgUnitID
	}
	now := s.now()
	applied := now
	if in.AppliedAt != nil {
		if in.AppliedAt.After(now) {
			return nil, apperr.Validation("applied_at", i18n.T("申请时间不能晚于现在", "cannot be in the future"))
		}
		applied = *in.AppliedAt
	}
	u, err := s.org.Get(ctx, unit)
	if err != nil || !u.Active {
		return nil, apperr.Validation("unit_id", i18n.T("单位 %d 不存在或已停用", "no active unit %d", int64(unit)))
	}
	if !p.Scope().Contains(u.Path) {
		return nil, apperr.Validation("unit_id", i18n.T("不能在本单位以外发起", "outside your unit"))
	}
	var id store.ID
	err = s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		pack, err := s.packs.ForUnit(ctx, unit)
		if err != nil {
			return err
		}
		def, ok := pack.Process(in.Definition)
		if !ok {
			return apperr.Validation("definition", i18n.T("政策包 %s 没有业务流程 %q", "pack %s has no process %q", pack.Key, in.Definition))
		}
		if in.ServicePointID != 0 {
			// A point outside the caller's scope is one that does not exist.
			if err := customerInScope(ctx, tx, p, point.CustomerID, "service_point_id",
				i18n.T("服务点 %d 不存在", "no service point %d", int64(in.ServicePointID))); err != nil {
				return err
			}
			if in.CustomerID != 0 && in.CustomerID != point.CustomerID {
				return apperr.Validation("service_point_id", i18n.T("服务点不属于该客户", "the service point belongs to another customer"))
			}
			in.CustomerID = point.CustomerID
		} else if def.ServicePoint != "" {
			return apperr.Required("service_point_id")
		}
		if def.ServicePoint != "" && point.Kind != def.ServicePoint {
			return apperr.Validation("service_point_id", i18n.T("该流程需要 %s 类服务点", "the process needs a %s service point", def.ServicePoint))
		}
		if in.CustomerID != 0 {
			if err := customerInScope(ctx, tx, p, in.CustomerID, "customer_id",
				i18n.T("客户 %d 不存在", "no customer %d", int64(in.CustomerID))); err != nil {
				return err
			}
		}
		attrs, err := attributes(def, in.Attributes, point.Attributes)
		if err != nil {
			return err
		}
		if err := s.checkGuards(ctx, tx, pack, def, in.ServicePointID, in.CustomerID, attrs, applied, 0); err != nil {
			return err
		}
		raw, err := json.Marshal(attrs)
		if err != nil {
			return err
		}
		number, err := nextNumber(ctx, tx, numberPrefix[def.Group], now)
		if err != nil {
			return err
		}
		var createdBy any
		if p.UserID != 0 {
			createdBy = p.UserID
		}
		id, err = tx.InsertID(ctx, `INSERT INTO processes (number, pack, pack_version, definition, status, customer_id,
			service_point_id, unit_id, attributes, applied_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			number, pack.Key, pack.Version, def.Key, string(StatusOpen), store.OptionalID(in.CustomerID), store.OptionalID(in.ServicePointID),
			unit, string(raw), store.Micros(applied), createdBy, store.Micros(now), store.Micros(now))
		if err != nil {
			return err
		}
		if err := addUnit(ctx, tx, id, unit); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, id, now, p, "process.started", "", 0,
			map[string]any{"definition": def.Key, "pack_version": pack.Version, "applied_at": applied}, ""); err != nil {
			return err
		}
		r, err := load(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		ru := &run{r: r, pack: pack, def: def, attrs: values(def, attrs)}
		if err := s.enter(ctx, tx, ru, def.Steps[0].Key, store.NullID{}, now, p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "process.start", "process", id.String(),
			map[string]any{"number": number, "definition": def.Key})
	})
	if err != nil {
		return nil, err
	}
	s.poke()
	return s.Get(ctx, p, id)
}

// attributes checks the answers against the definition's attributes and
// returns them normalised: numbers as numbers, dates as YYYY-MM-DD.
func attributes(def *policy.ProcessDef, in, fromPoint map[string]any) (map[string]any, error) {
	for k := range in {
		if _, ok := def.Attribute(k); !ok {
			return nil, apperr.Validation("attributes."+k, i18n.T("该流程没有此属性", "the process has no such attribute"))
		}
	}
	out := map[string]any{}
	for _, a := range def.Attributes {
		field := "attributes." + a.Key
		v, ok := in[a.Key]
		if !ok || v == nil {
			if pv, found := fromPoint[a.Key]; found {
				if norm, err := attribute(a, pv, field); err == nil {
					out[a.Key] = norm
					continue
				}
			}
			if a.Required {
				return nil, apperr.Required(field)
			}
			continue
		}
		norm, err := attribute(a, v, field)
		if err != nil {
			return nil, err
		}
		out[a.Key] = norm
	}
	return out, nil
}

// attribute normalises one answer to the attribute's type.
func attribute(a policy.ProcessAttribute, v any, field string) (any, error) {
	switch a.Type {
	case policy.AttrNumber:
		switch x := v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				break
			}
			return x, nil
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f, nil
			}
		}
		return nil, apperr.Validation(field, i18n.T("须为数字", "must be a number"))
	case policy.AttrBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, apperr.Validation(field, i18n.T("须为 true 或 false", "must be true or false"))
	case policy.AttrDate:
		if sv, ok := v.(string); ok {
			if d, err := calendar.ParseDate(sv); err == nil {
				return d.String(), nil
			}
		}
		return nil, apperr.Validation(field, i18n.T("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"))
	case policy.AttrChoice:
		if sv, ok := v.(string); ok && slices.ContainsFunc(a.Choices, func(k policy.Keyed) bool { return k.Key == sv }) {
			return sv, nil
		}
		keys := make([]string, len(a.Choices))
		for i, k := range a.Choices {
			keys[i] = k.Key
		}
		return nil, apperr.Validation(field, i18n.T("须为 %[1]v 之一", "must be one of %[2]v", keys, keys))
	default:
		sv, ok := v.(string)
		if !ok {
			return nil, apperr.Validation(field, i18n.T("须为文本", "must be text"))
		}
		if utf8.RuneCountInString(sv) > MaxTextAttribute {
			return nil, apperr.Validation(field, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxTextAttribute))
		}
		return sv, nil
	}
}

// nextNumber is the next process number: the group's prefix, the day and
// the day's sequence (YK20261123-0001).
func nextNumber(ctx context.Context, tx store.Conn, prefix string, now time.Time) (string, error) {
	day := prefix + now.In(store.Zone).Format("20060102")
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO process_sequences (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = process_sequences.last + 1 RETURNING last`, day).Scan(&n)
	return fmt.Sprintf("%s-%04d", day, n), err
}

// customerInScope refuses a customer outside the caller's scope, as if it
// did not exist.
func customerInScope(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID, field string, unknown i18n.Text) error {
	cond, args := p.Scope().SQL("org_unit_id")
	var n int
	err := c.QueryRow(ctx, "SELECT count(*) FROM customers WHERE id = ? AND "+cond, append([]any{id}, args...)...).Scan(&n)
	if err == nil && n == 0 {
		return apperr.Validation(field, unknown)
	}
	return err
}
