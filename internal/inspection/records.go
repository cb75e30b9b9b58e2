package inspection

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/hazard"
	"kefu/internal/i18n"
	"kefu/internal/policy"
	"kefu/internal/store"
)

// Finding is a hazard found on an inspection (INS-012, INS-018). It is
// registered in the hazard register when the record closes, in the same
// transaction; HazardID is then the register's entry.
type Finding struct {
	Location       string   `json:"location,omitempty"` // default the point's address
	Description    string   `json:"description"`
	Severity       string   `json:"severity"`       // minor, general, larger, serious (INS-018)
	Responsibility string   `json:"responsibility"` // customer, company (INS-018)
	FixedOnSite    bool     `json:"fixed_on_site,omitempty"`
	HazardID       store.ID `json:"hazard_id,omitempty"`
}

// Responsibilities are INS-018's: the customer's or the company's (the
// severities are policy.HazardSeverityKeys).
var Responsibilities = []string{hazard.ResponsibleCustomer, hazard.ResponsibleCompany}

// RecordInput is an inspection as the inspector records it: the point,
// the obligation inspected (a track, a campaign or both in one visit,
// INS-002), when, the form and the hazards found.
type RecordInput struct {
	ServicePointID store.ID `json:"service_point_id"`
	// Track is the periodic obligation inspected ("periodic",
	// "grid_marketing", …) and Campaign the special inspection ("spring");
	// at least one. A correction takes its original's.
	Track    string `json:"track,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	// InspectedAt is when the inspection took place; default now, never
	// in the future (a paper form may be entered later).
	InspectedAt *time.Time `json:"inspected_at,omitempty"`
	Form
	Hazards []Finding `json:"hazards,omitempty"`
	Note    string    `json:"note,omitempty"`
	// Corrects is the closed record this one corrects: closed records are
	// never changed; the correction supersedes it as the point's history.
	Corrects store.ID `json:"corrects,omitempty"`
	// Close closes the record at once (CloseRecord's checks apply).
	Close bool `json:"close,omitempty"`
}

// RecordUpdate replaces the form, the hazards and the note of an open record.
type RecordUpdate struct {
	Form
	Hazards []Finding `json:"hazards,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// maxFindings bounds the hazards of one record.
const maxFindings = 50

// checkFindings validates the hazards found (INS-018's scales).
func checkFindings(fs []Finding) error {
	if len(fs) > maxFindings {
		return apperr.Validation("hazards", i18n.T("最多 %d 项隐患", "at most %d hazards", maxFindings))
	}
	for i := range fs {
		f := &fs[i]
		path := fmt.Sprintf("hazards[%d].", i)
		f.Description, f.Location = strings.TrimSpace(f.Description), strings.TrimSpace(f.Location)
		switch {
		case f.Description == "":
			return apperr.Required(path + "description")
		case utf8.RuneCountInString(f.Description) > MaxNote:
			return apperr.Validation(path+"description", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxNote))
		case utf8.RuneCountInString(f.Location) > 300:
			return apperr.Validation(path+"location", i18n.T("不能超过 %d 个字符", "at most %d characters", 300))
		case !slices.Contains(policy.HazardSeverityKeys, f.Severity):
			return apperr.Validation(path+"severity", i18n.T("须为 minor、general、larger 或 serious（INS-018）",
				"must be minor, general, larger or serious (INS-018)"))
		case !slices.Contains(Responsibilities, f.Responsibility):
			return apperr.Validation(path+"responsibility", i18n.T("须为 customer 或 company（INS-018）", "must be customer or company (INS-018)"))
		}
		f.HazardID = 0
	}
	return nil
}

// checkText validates the note and the signature fields.
func checkText(note string, f *Form) error {
	if utf8.RuneCountInString(note) > MaxNote {
		return apperr.Validation("note", i18n.T("不能超过 %d 个字符", "at most %d characters", MaxNote))
	}
	f.Signature, f.RefusalWitness = strings.TrimSpace(f.Signature), strings.TrimSpace(f.RefusalWitness)
	if f.SignatureRefused {
		f.Signature = ""
	} else {
		f.RefusalWitness = ""
	}
	return nil
}

// checklistsOf are the checklists an inspection on cycle and campaign
// fills in, in that order, each once.
func checklistsOf(pack *policy.Pack, cycle, campaign string) []string {
	var out []string
	for _, c := range pack.Inspections.Cycles {
		if c.Key == cycle && c.Checklist != "" {
			out = append(out, c.Checklist)
		}
	}
	for _, c := range pack.Inspections.Campaigns {
		if c.Key == campaign && c.Checklist != "" && !slices.Contains(out, c.Checklist) {
			out = append(out, c.Checklist)
		}
	}
	return out
}

// CreateRecord records an inspection of a service point of the caller's
// company by the caller, open until it is closed; with Close it is closed
// at once.
func (s *Service) CreateRecord(ctx context.Context, p *auth.Principal, in RecordInput) (*Record, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if in.ServicePointID == 0 && in.Corrects == 0 {
		return nil, apperr.Required("service_point_id")
	}
	if err := checkText(in.Note, &in.Form); err != nil {
		return nil, err
	}
	if err := checkFindings(in.Hazards); err != nil {
		return nil, err
	}
	now := s.now()
	var id store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		inspector := p.UserID // a correction keeps the original's inspector
		if in.Corrects != 0 {
			orig, err := s.loadRecord(ctx, tx, p, in.Corrects)
			if apperr.Is(err, apperr.CodeNotFound) {
				return apperr.NotFound("corrects")
			}
			if err != nil {
				return err
			}
			switch {
			case orig.Status != StatusClosed:
				return apperr.Validation("corrects", i18n.T("只能更正已结案的记录；未结案的记录直接修改", "only a closed record is corrected; edit an open one"))
			case in.ServicePointID != 0 && in.ServicePointID != orig.ServicePointID:
				return apperr.Validation("service_point_id", i18n.T("更正记录须为同一服务点", "a correction is of the same service point"))
			case in.Track != "" && in.Track != orig.Track || in.Campaign != "" && in.Campaign != orig.Campaign:
				return apperr.Validation("track", i18n.T("更正记录须为同一检查项目", "a correction is of the same obligation"))
			}
			in.ServicePointID, in.Track, in.Campaign, inspector = orig.ServicePointID, orig.Track, orig.Campaign, orig.InspectorID
			if in.InspectedAt == nil {
				in.InspectedAt = &orig.InspectedAt
			}
		}
		cond, args := visible(p, "sp.company_id")
		pt, err := scanPoint(tx.QueryRow(ctx, "SELECT "+pointColumns+` FROM service_points sp JOIN customers c ON c.id = sp.customer_id
			WHERE sp.id = ? AND `+cond, append([]any{in.ServicePointID}, args...)...))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("service_point_id")
		}
		if err != nil {
			return err
		}
		var company store.ID
		if err := tx.QueryRow(ctx, "SELECT company_id FROM service_points WHERE id = ?", pt.sp.ID).Scan(&company); err != nil {
			return err
		}
		pack, cal, err := s.packOf(ctx, company)
		if err != nil {
			return err
		}
		sel, err := Cycle(pack, &pt.cust, &pt.sp)
		if err != nil {
			return err
		}
		at := now
		if in.InspectedAt != nil {
			at = *in.InspectedAt
		}
		if at.After(now) || at.Year() < calendar.MinYear {
			return apperr.Validation("inspected_at", i18n.T("检查时间不能晚于现在", "the inspection cannot lie in the future"))
		}
		day := dayOf(cal, at)
		var cycle string
		var rules []string
		switch {
		case in.Track == "" && in.Campaign == "":
			return apperr.Validation("track", i18n.T("请选择检查项目（周期检查或专项检查）", "name the track or the campaign inspected"))
		case in.Track != "":
			ch, ok := sel.Track(in.Track)
			if !ok {
				return apperr.Validation("track", i18n.T("该服务点没有 %s 检查周期", "no %s cycle applies to the service point", in.Track))
			}
			cycle, rules = ch.Cycle.Key, slices.Clone(ch.Rules)
		}
		if in.Campaign != "" {
			i := slices.IndexFunc(sel.Campaigns, func(c policy.InspectionCampaign) bool { return c.Key == in.Campaign })
			if i < 0 {
				return apperr.Validation("campaign", i18n.T("该服务点没有 %s 专项检查", "no %s campaign applies to the service point", in.Campaign))
			}
			c := sel.Campaigns[i]
			if !CampaignDone(c, day.Year, day) {
				return apperr.Validation("inspected_at", i18n.T("%[1]s须在 %[2]s 至 %[3]s 之间进行（INS-002）", "the %[4]s inspection lies between %[2]s and %[3]s (INS-002)",
					c.Name.ZH, c.From, c.To, c.Key))
			}
			for _, r := range c.Rules {
				if !slices.Contains(rules, r) {
					rules = append(rules, r)
				}
			}
			slices.Sort(rules)
		}
		lists := checklistsOf(pack, cycle, in.Campaign)
		if err := checkShape(&pack.Inspections, lists, &in.Form); err != nil {
			return err
		}
		sheet, sheetDue, err := workSheet(pack, cal, &pt, at)
		if err != nil {
			return err
		}
		answers, copyText, acks, hazards := jsonOf(in.Answers, "{}"), jsonOf(in.CustomerCopy, "{}"), jsonOf(in.Acknowledgements, "{}"),
			jsonOf(in.Hazards, "[]")
		id, err = tx.InsertID(ctx, `INSERT INTO inspection_records (company_id, pack, pack_version, customer_id, service_point_id,
			archive_no, track, cycle, campaign, rules, inspector_id, inspected_at, inspected_on, answers, customer_copy, acknowledgements,
			signature, signature_refused, refusal_witness, hazards, note, work_sheet, work_sheet_due_at, corrects_id, status,
			created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, company, pack.Key, pack.Version, pt.cust.ID, pt.sp.ID, pt.sp.ArchiveNo, in.Track, cycle, in.Campaign,
			strings.Join(rules, ","), inspector, store.Micros(at), day.String(), answers, copyText, acks, in.Signature,
			in.SignatureRefused, in.RefusalWitness, hazards, in.Note, sheet, sheetDue, store.OptionalID(in.Corrects), string(StatusOpen),
			store.Micros(now), p.UserRef(), store.Micros(now))
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, "inspection.record", "inspection_record", id.String(), map[string]any{
			"service_point_id": pt.sp.ID, "track": in.Track, "campaign": in.Campaign, "inspected_on": day.String(),
			"corrects": in.Corrects}); err != nil {
			return err
		}
		if !in.Close {
			return nil
		}
		rec, err := s.loadRecord(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return s.close(ctx, tx, p, rec, now)
	})
	if err != nil {
		return nil, err
	}
	return s.GetRecord(ctx, p, id)
}

// workSheet is the work sheet an inspection at must reach the system with
// and its target (INS-011), or "" and 0.
func workSheet(pack *policy.Pack, cal *calendar.Calendar, pt *pointRow, at time.Time) (string, int64, error) {
	attrs := Attributes(pack, &pt.cust, &pt.sp)
	for _, ws := range pack.Inspections.WorkSheets {
		if ws.When != "" {
			cond, err := policy.ParseCondition(ws.When)
			if err != nil {
				return "", 0, err
			}
			if !cond.Eval(attrs) {
				continue
			}
		}
		res, err := cal.Deadline(at, ws.Within)
		if err != nil {
			return "", 0, err
		}
		return ws.Key, store.Micros(res.At), nil
	}
	return "", 0, nil
}

func jsonOf(v any, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// mayAct refuses a caller who is neither the record's inspector nor the
// safety supervision department (auditor) nor an administrator.
func mayAct(p *auth.Principal, r *Record) error {
	if r.InspectorID == p.UserID || hasRole(p, auth.RoleAuditor) {
		return nil
	}
	return apperr.Forbidden(i18n.T("只有检查人或安监部门可以修改、结案", "only the inspector or the safety supervision department may change or close the record"))
}

// UpdateRecord replaces the form, hazards and note of an open record.
func (s *Service) UpdateRecord(ctx context.Context, p *auth.Principal, id store.ID, in RecordUpdate) (*Record, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if err := checkText(in.Note, &in.Form); err != nil {
		return nil, err
	}
	if err := checkFindings(in.Hazards); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		rec, err := s.loadRecord(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := mayAct(p, rec); err != nil {
			return err
		}
		if rec.Status != StatusOpen {
			return apperr.Conflict("status", i18n.T("记录已结案，不能修改；请登记更正记录", "the record is closed: record a correction"))
		}
		pack, ok := s.packs.Version(rec.Pack, rec.PackVersion)
		if !ok {
			return apperr.Conflict("pack", i18n.T("记录的政策包版本已不存在", "the record's pack version is gone"))
		}
		if err := checkShape(&pack.Inspections, rec.Checklists, &in.Form); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inspection_records SET answers = ?, customer_copy = ?, acknowledgements = ?, signature = ?,
			signature_refused = ?, refusal_witness = ?, hazards = ?, note = ?, updated_at = ? WHERE id = ?`,
			jsonOf(in.Answers, "{}"), jsonOf(in.CustomerCopy, "{}"), jsonOf(in.Acknowledgements, "{}"), in.Signature,
			in.SignatureRefused, in.RefusalWitness, jsonOf(in.Hazards, "[]"), in.Note, store.Micros(now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "inspection.record.update", "inspection_record", id.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return s.GetRecord(ctx, p, id)
}

// CloseRecord closes an open record once its form is complete and
// consistent (CheckComplete): the hazards found are registered in the
// hazard register in the same transaction, the record becomes the track's
// new last completion and completes the plans' items (CAL-010). A closed
// record is never changed.
func (s *Service) CloseRecord(ctx context.Context, p *auth.Principal, id store.ID) (*Record, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		rec, err := s.loadRecord(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := mayAct(p, rec); err != nil {
			return err
		}
		return s.close(ctx, tx, p, rec, now)
	})
	if err != nil {
		return nil, err
	}
	return s.GetRecord(ctx, p, id)
}

func (s *Service) close(ctx context.Context, tx store.Conn, p *auth.Principal, rec *Record, now time.Time) error {
	if rec.Status != StatusOpen {
		return apperr.Conflict("status", i18n.T("记录已结案", "the record is already closed"))
	}
	pack, ok := s.packs.Version(rec.Pack, rec.PackVersion)
	if !ok {
		return apperr.Conflict("pack", i18n.T("记录的政策包版本已不存在", "the record's pack version is gone"))
	}
	if err := CheckComplete(&pack.Inspections, rec.Checklists, rec.Form); err != nil {
		return err
	}
	if len(rec.Hazards) > 0 && s.hz == nil {
		return apperr.Conflict("hazards", i18n.T("隐患登记不可用", "the hazard register is not available"))
	}
	for i := range rec.Hazards {
		f := &rec.Hazards[i]
		loc := f.Location
		if loc == "" {
			loc = rec.Address
		}
		hid, err := s.hz.RegisterIn(ctx, tx, p, hazard.Finding{Source: hazard.SourceInspection, SourceID: rec.ID, CompanyID: rec.CompanyID,
			CustomerID: rec.CustomerID, ServicePointID: rec.ServicePointID, Location: loc, Description: f.Description,
			Severity: f.Severity, Responsibility: f.Responsibility, FixedOnSite: f.FixedOnSite, FoundAt: &rec.InspectedAt})
		if err != nil {
			if e, ok := apperr.As(err); ok && e.Field != "" && !strings.HasPrefix(e.Field, "hazards") {
				e.Field = fmt.Sprintf("hazards[%d].%s", i, e.Field)
			}
			return err
		}
		f.HazardID = hid
	}
	res, err := tx.Exec(ctx, `UPDATE inspection_records SET status = ?, closed_at = ?, closed_by = ?, hazards = ?, updated_at = ?
		WHERE id = ? AND status = ?`, string(StatusClosed), store.Micros(now), p.UserRef(), jsonOf(rec.Hazards, "[]"),
		store.Micros(now), rec.ID, string(StatusOpen))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflict("status", i18n.T("记录已结案", "the record is already closed"))
	}
	if err := s.replanPoint(ctx, tx, rec.ServicePointID, rec); err != nil {
		return err
	}
	hazards := make([]store.ID, len(rec.Hazards))
	for i, f := range rec.Hazards {
		hazards[i] = f.HazardID
	}
	return audit.Record(ctx, tx, now, "inspection.record.close", "inspection_record", rec.ID.String(),
		map[string]any{"service_point_id": rec.ServicePointID, "inspected_on": rec.InspectedOn.String(), "hazards": hazards})
}
