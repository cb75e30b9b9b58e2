package sales

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// StartReception starts a reception (SAL-001, SAL-004): a rotation
// reception goes to NextAgent's pick and applies it (skips, credits,
// pointer, all logged); the other kinds name the agent and use no slot. An
// agent already receiving is refused (max_active_receptions).
//
// A public reception without an agent is taken by the rotation's pick as
// well, and the slot comes back at once as a make-up turn (SAL-010).
func (s *Service) StartReception(ctx context.Context, p *auth.Principal, in ReceptionInput) (Reception, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Reception{}, err
	}
	if in.UnitID == 0 {
		return Reception{}, apperr.Required("unit_id")
	}
	if in.Kind == "" {
		in.Kind = ReceptionRotation
	}
	if !slices.Contains(ReceptionKinds, in.Kind) {
		return Reception{}, apperr.Validation("kind", i18n.T("接待类型须为 %[1]s 之一", "kind must be one of %[1]s",
			strings.Join(ReceptionKinds, ", ")))
	}
	if in.Visitors == 0 {
		in.Visitors = 1
	}
	if in.Visitors < 0 || in.Visitors > 500 {
		return Reception{}, apperr.Validation("visitors", i18n.T("来访人数须在 1 至 500 之间", "visitors must be 1 to 500"))
	}
	viaRotation := in.Kind == ReceptionRotation || in.Kind == ReceptionPublic && in.AgentID == 0
	if in.Kind == ReceptionRotation && in.AgentID != 0 {
		return Reception{}, apperr.Validation("agent_id", i18n.T("轮排接待由轮排表指定售楼员",
			"a rotation reception goes to the rotation's next agent"))
	}
	if !viaRotation && in.AgentID == 0 {
		return Reception{}, apperr.Required("agent_id")
	}
	manager := p == nil || p.Can(auth.PermSalesManage)
	if in.Kind == ReceptionCompany && !manager {
		return Reception{}, apperr.Forbidden(i18n.T("公司推荐客户由项目经理分配（SAL-023）",
			"company-referred customers are assigned by the Project Manager (SAL-023)"))
	}
	if !viaRotation && in.AgentID != principalID(p) && !manager {
		return Reception{}, apperr.Forbidden(i18n.T("只能为自己登记接待", "you may only start your own receptions"))
	}
	switch in.Kind {
	case ReceptionNamed:
		if in.NamedAgentID == 0 {
			in.NamedAgentID = in.AgentID
		}
		if in.NamedAgentID != in.AgentID {
			return Reception{}, apperr.Validation("named_agent_id", i18n.T("指名接待须由被指名的售楼员接待",
				"a named reception is received by the agent named"))
		}
	case ReceptionAssist:
		if in.OwnerAgentID == 0 && in.NamedAgentID == 0 {
			return Reception{}, apperr.Required("owner_agent_id")
		}
	case ReceptionPublic:
		if !slices.Contains(PublicReasons, in.PublicReason) {
			return Reception{}, apperr.Validation("public_reason", i18n.T("公共客户原因须为 a–d（SAL-010）",
				"public_reason must be a to d (SAL-010)"))
		}
	}
	if in.Kind != ReceptionPublic {
		in.PublicReason = ""
	}
	now := s.now()
	var id store.ID
	var pick *Pick
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		ce, err := s.loadCentre(ctx, tx, p, in.UnitID)
		if err != nil {
			return err
		}
		if err := store.LockXact(ctx, tx, salesLock^int64(in.UnitID)); err != nil {
			return err
		}
		if viaRotation {
			tb, err := s.loadTable(ctx, tx, ce)
			if err != nil {
				return err
			}
			pk, err := NextAgent(tb.state)
			if errors.Is(err, ErrNobodyFree) {
				return apperr.Conflict("agent_id", i18n.T("轮排表上没有空闲的售楼员", "nobody on the rotation is free"))
			}
			if err != nil {
				return err
			}
			pick, in.AgentID = &pk, pk.UserID
		} else {
			if ok, err := isMember(ctx, tx, in.UnitID, in.AgentID); err != nil {
				return err
			} else if !ok {
				return errNotAgent("agent_id")
			}
			for _, o := range []struct {
				field string
				id    store.ID
			}{{"owner_agent_id", in.OwnerAgentID}, {"named_agent_id", in.NamedAgentID}} {
				if o.id == 0 {
					continue
				}
				if ok, err := isMember(ctx, tx, in.UnitID, o.id); err != nil {
					return err
				} else if !ok {
					return errNotAgent(o.field)
				}
			}
		}
		var open int64
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM sales_receptions WHERE agent_id = ? AND ended_at = 0`,
			in.AgentID).Scan(&open); err != nil {
			return err
		}
		if int(open) >= ce.Rules.MaxActiveReceptions {
			return apperr.Conflict("agent_id", i18n.T("该售楼员正在接待，不得中途接待另一位客户（SAL-004）",
				"the agent is receiving a customer already (SAL-004)"))
		}
		number, err := nextNumber(ctx, tx, seqReception, ce.CompanyID, now)
		if err != nil {
			return err
		}
		var credit store.ID
		if pick != nil {
			credit = pick.CreditID
		}
		id, err = tx.InsertID(ctx, `INSERT INTO sales_receptions (number, unit_id, company_id, agent_id, kind,
			owner_agent_id, named_agent_id, public_reason, uses_slot, via_rotation, credit_id, visitors, note,
			started_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			number, in.UnitID, ce.CompanyID, in.AgentID, in.Kind, store.OptionalID(in.OwnerAgentID),
			store.OptionalID(in.NamedAgentID), in.PublicReason, flag01(UsesSlot(in.Kind)), flag01(viaRotation),
			store.OptionalID(credit), in.Visitors, strings.TrimSpace(in.Note), store.Micros(now), p.UserRef())
		if err != nil {
			return err
		}
		if pick != nil {
			if err := s.applyPick(ctx, tx, p, ce, *pick, id, number); err != nil {
				return err
			}
			if in.Kind == ReceptionPublic {
				if _, err := s.addCredit(ctx, tx, in.UnitID, in.AgentID, "restored:"+ReceptionPublic, "SAL-010", id); err != nil {
					return err
				}
				if err := s.logRotation(ctx, tx, in.UnitID, p, "credit", in.AgentID, "restored:"+ReceptionPublic+" "+number,
					"SAL-010"); err != nil {
					return err
				}
			}
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.reception.start", "sales_reception",
			id.String(), map[string]any{"number": number, "kind": in.Kind, "agent_id": in.AgentID})
	})
	if err != nil {
		return Reception{}, err
	}
	r, err := s.GetReception(ctx, p, id)
	r.Pick = pick
	return r, err
}

// applyPick writes what the rotation's pick does to the table: the
// make-up turns earned by the skips, the turn used, the pointer; each line
// logged (SAL-001 to SAL-004).
func (s *Service) applyPick(ctx context.Context, tx store.Conn, p *auth.Principal, ce *centre, pk Pick,
	reception store.ID, number string) error {
	for _, sk := range pk.Skips {
		detail := sk.Reason + " " + number
		if sk.Credit {
			rule := "SAL-003"
			if ce.MakeUp != policy.MakeUpArt7 {
				rule = "SAL-002"
			}
			if _, err := s.addCredit(ctx, tx, ce.UnitID, sk.UserID, "skip:"+sk.Reason, rule, reception); err != nil {
				return err
			}
			detail += " credit"
		}
		if err := s.logRotation(ctx, tx, ce.UnitID, p, "skip", sk.UserID, detail, "SAL-002"); err != nil {
			return err
		}
	}
	if pk.CreditID != 0 {
		if _, err := tx.Exec(ctx, `UPDATE sales_makeup_credits SET used_at = ?, used_reception_id = ? WHERE id = ?`,
			store.Micros(s.now()), reception, pk.CreditID); err != nil {
			return err
		}
		if err := s.logRotation(ctx, tx, ce.UnitID, p, "credit_used", pk.UserID, "credit "+pk.CreditID.String()+" "+number,
			"SAL-002"); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE sales_centres SET pointer_user_id = ? WHERE unit_id = ?`,
		store.OptionalID(pk.NextPointer), ce.UnitID); err != nil {
		return err
	}
	return s.logRotation(ctx, tx, ce.UnitID, p, "assign", pk.UserID, number, strings.Join(pk.Rules, ","))
}

// EndReception closes a reception: the agent is free again.
func (s *Service) EndReception(ctx context.Context, p *auth.Principal, id store.ID) (Reception, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Reception{}, err
	}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, _, err := s.receptionFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if p != nil && r.AgentID != p.UserID && !p.Can(auth.PermSalesManage) {
			return apperr.Forbidden(i18n.T("只有接待的售楼员或项目经理可以结束接待",
				"only the receiving agent or the Project Manager ends a reception"))
		}
		if !r.EndedAt.IsZero() {
			return apperr.Conflict("id", i18n.T("接待已结束", "the reception has ended"))
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE sales_receptions SET ended_at = ? WHERE id = ?`, store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.reception.end", "sales_reception",
			id.String(), nil)
	})
	if err != nil {
		return Reception{}, err
	}
	return s.GetReception(ctx, p, id)
}

// Reclassify changes a reception's kind after the fact (SAL-010, SAL-013):
// a rotation reception that becomes named or public restores the slot as
// a make-up turn of the rotation agent.
func (s *Service) Reclassify(ctx context.Context, p *auth.Principal, id store.ID, in ReclassifyInput) (Reception, error) {
	if err := need(p, auth.PermSalesReceive); err != nil {
		return Reception{}, err
	}
	if in.Kind == ReceptionRotation || !slices.Contains(ReceptionKinds, in.Kind) {
		return Reception{}, apperr.Validation("kind", i18n.T("只能改为轮排以外的接待类型",
			"a reception is reclassified to a kind other than rotation"))
	}
	reason, err := reasonOf(in.Reason)
	if err != nil {
		return Reception{}, err
	}
	switch in.Kind {
	case ReceptionNamed:
		if in.NamedAgentID == 0 {
			return Reception{}, apperr.Required("named_agent_id")
		}
		in.PublicReason = ""
	case ReceptionPublic:
		if !slices.Contains(PublicReasons, in.PublicReason) {
			return Reception{}, apperr.Validation("public_reason", i18n.T("公共客户原因须为 a–d（SAL-010）",
				"public_reason must be a to d (SAL-010)"))
		}
		in.NamedAgentID = 0
	default:
		in.PublicReason, in.NamedAgentID = "", 0
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		r, ce, err := s.receptionFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		own := r.AgentID == principalID(p) && in.Kind == ReceptionNamed
		if !own && p != nil && !p.Can(auth.PermSalesManage) {
			return apperr.Forbidden(i18n.T("需要权限 %s", "permission %s is required", string(auth.PermSalesManage)))
		}
		if r.Kind == in.Kind {
			return apperr.Conflict("kind", i18n.T("接待类型未改变", "the reception is of that kind already"))
		}
		if in.NamedAgentID != 0 {
			if ok, err := isMember(ctx, tx, ce.UnitID, in.NamedAgentID); err != nil {
				return err
			} else if !ok {
				return errNotAgent("named_agent_id")
			}
		}
		if err := store.LockXact(ctx, tx, salesLock^int64(ce.UnitID)); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE sales_receptions SET kind = ?, named_agent_id = ?, public_reason = ?,
			uses_slot = 0 WHERE id = ?`, in.Kind, store.OptionalID(in.NamedAgentID), in.PublicReason, id); err != nil {
			return err
		}
		if r.UsesSlot {
			rule := "SAL-010"
			if in.Kind == ReceptionNamed {
				rule = "SAL-013"
			}
			if _, err := s.addCredit(ctx, tx, ce.UnitID, r.AgentID, "restored:"+in.Kind, rule, id); err != nil {
				return err
			}
			if err := s.logRotation(ctx, tx, ce.UnitID, p, "credit", r.AgentID, "restored:"+in.Kind+" "+r.Number,
				reason); err != nil {
				return err
			}
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, now, "sales.reception.reclassify", "sales_reception",
			id.String(), map[string]any{"from": r.Kind, "to": in.Kind, "reason": reason})
	})
	if err != nil {
		return Reception{}, err
	}
	return s.GetReception(ctx, p, id)
}

// GetReception reads one.
func (s *Service) GetReception(ctx context.Context, p *auth.Principal, id store.ID) (Reception, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return Reception{}, err
	}
	r, _, err := s.receptionFor(ctx, s.db.Reader(), p, id)
	return r, err
}

// receptionFor reads a reception and its centre, if p sees the centre.
func (s *Service) receptionFor(ctx context.Context, c store.Conn, p *auth.Principal, id store.ID) (Reception, *centre, error) {
	var unit store.ID
	err := c.QueryRow(ctx, `SELECT unit_id FROM sales_receptions WHERE id = ?`, id).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return Reception{}, nil, apperr.NotFound("id")
	}
	if err != nil {
		return Reception{}, nil, err
	}
	ce, err := s.loadCentre(ctx, c, p, unit)
	if apperr.Is(err, apperr.CodeNotFound) {
		return Reception{}, nil, apperr.NotFound("id")
	}
	if err != nil {
		return Reception{}, nil, err
	}
	r, err := s.readReception(ctx, c, ce, id)
	return r, ce, err
}

// receptionColumns are what scanReception reads.
const receptionColumns = `r.id, r.number, r.unit_id, r.agent_id, a.display_name, r.kind, r.owner_agent_id,
	COALESCE(o.display_name, ''), r.named_agent_id, r.public_reason, r.uses_slot, r.via_rotation, r.visitors, r.note,
	r.started_at, r.ended_at, (SELECT MAX(g.id) FROM sales_registrations g WHERE g.reception_id = r.id)
	FROM sales_receptions r JOIN users a ON a.id = r.agent_id LEFT JOIN users o ON o.id = r.owner_agent_id`

// scanReception reads a row of receptionColumns; the due time is the
// centre's to fill.
func scanReception(sc store.Scanner) (Reception, error) {
	var r Reception
	var owner, named, reg store.NullID
	var started, ended int64
	err := sc.Scan(&r.ID, &r.Number, &r.UnitID, &r.AgentID, &r.Agent, &r.Kind, &owner, &r.OwnerAgent, &named,
		&r.PublicReason, &r.UsesSlot, &r.ViaRotation, &r.Visitors, &r.Note, &started, &ended, &reg)
	r.OwnerAgentID, r.NamedAgentID, r.RegistrationID = owner.ID, named.ID, reg.ID
	r.StartedAt = store.FromMicros(started)
	if ended != 0 {
		r.EndedAt = store.FromMicros(ended)
	}
	return r, err
}

// readReception reads a reception of the centre with its due time.
func (s *Service) readReception(ctx context.Context, c store.Conn, ce *centre, id store.ID) (Reception, error) {
	r, err := scanReception(c.QueryRow(ctx, `SELECT `+receptionColumns+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("id")
	}
	if err != nil {
		return r, err
	}
	return r, dueOf(ce, &r)
}

// dueOf fills the registration due time of the reception (SAL-006).
func dueOf(ce *centre, r *Reception) error {
	due, err := ce.Calendar.Deadline(r.StartedAt, ce.Rules.RegistrationLimit)
	if err != nil {
		return err
	}
	r.RegistrationDue = due.At
	return nil
}

// Receptions lists a centre's receptions of a day, newest first.
func (s *Service) Receptions(ctx context.Context, p *auth.Principal, unit store.ID, day calendar.Date) ([]Reception, error) {
	if err := need(p, auth.PermSalesRead); err != nil {
		return nil, err
	}
	if !day.Valid() {
		return nil, apperr.Required("day")
	}
	c := s.db.Reader()
	ce, err := s.loadCentre(ctx, c, p, unit)
	if err != nil {
		return nil, err
	}
	from, to := day.Midnight(store.Zone), day.AddDays(1).Midnight(store.Zone)
	out, err := store.QueryAll(ctx, c, scanReception, `SELECT `+receptionColumns+` WHERE r.unit_id = ?
		AND r.started_at >= ? AND r.started_at < ? ORDER BY r.started_at DESC, r.id DESC`, unit, store.Micros(from),
		store.Micros(to))
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := dueOf(ce, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
