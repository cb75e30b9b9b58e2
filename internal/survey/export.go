package survey

// The report as an .xlsx workbook (RPT-004): a summary sheet with the
// plan's approval block (SUR-002), the rates against the targets, the
// deducted satisfaction and the corrective actions (SUR-003), a sheet per
// question's answers, and the forms one per row.

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/internal/auth"
	"kefu/internal/store"
)

// Sheet names of the workbook.
const (
	sheetSummary   = "汇总"
	sheetQuestions = "分项统计"
	sheetForms     = "调查表明细"
)

// ExportReport writes the report of a campaign p may see as an .xlsx
// workbook.
func (s *Service) ExportReport(ctx context.Context, p *auth.Principal, id store.ID, w io.Writer) error {
	r, forms, err := s.report(ctx, p, id)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", sheetSummary); err != nil {
		return err
	}
	names, err := userNames(ctx, s.db.Reader(), r)
	if err != nil {
		return err
	}
	if err := summarySheet(x, r, names); err != nil {
		return err
	}
	if r.Campaign.Questionnaire != "" {
		if err := questionSheet(x, r); err != nil {
			return err
		}
		if err := s.formSheet(x, r, forms); err != nil {
			return err
		}
	}
	return x.Write(w)
}

func yes(b bool) string {
	if b {
		return "达标"
	}
	return "未达标"
}

// rows writes rows from A1 down.
func rows(x *excelize.File, sheet string, rs [][]any) error {
	for i, row := range rs {
		if err := x.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
			return err
		}
	}
	return nil
}

// userNames are the display names of the people of the approval block and
// the corrective actions.
func userNames(ctx context.Context, conn store.Conn, r *Report) (map[store.ID]string, error) {
	c := r.Campaign
	ids := []store.ID{c.PreparedBy, c.ReviewedBy, c.ApprovedBy}
	for _, a := range r.Actions {
		ids = append(ids, a.DoneBy, a.VerifiedBy)
	}
	out := map[store.ID]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok || id == 0 {
			continue
		}
		var name string
		if err := conn.QueryRow(ctx, "SELECT display_name FROM users WHERE id = ?", id).Scan(&name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, nil
}

// day is an instant's date in Beijing, "" when unset.
func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(store.Zone).Format(time.DateOnly)
}

func summarySheet(x *excelize.File, r *Report, names map[store.ID]string) error {
	c, t := r.Campaign, r.Targets
	rs := [][]any{
		{"满意度调查报告", c.Number, c.Title},
		{"调查时间", c.StartsOn.String() + " 至 " + c.EndsOn.String(), ""},
		// The plan's approval block (SUR-002, ARC-018): who and when.
		{"策划书", "编制", names[c.PreparedBy], day(c.SubmittedAt)},
		{"", "审核", names[c.ReviewedBy], day(c.ReviewedAt), c.ReviewOpinion},
		{"", "批准", names[c.ApprovedBy], day(c.ApprovedAt), c.ApprovalOpinion},
		{"", "日期", day(c.ApprovedAt), planStatusZH[c.PlanStatus]},
		{"项目", "数值", "要求", "结论"},
		{"入住总户数", c.Households},
		{"发放份数", c.Distributed},
		{"回收份数", c.Returned},
		{"核实份数", c.Verified, fmt.Sprintf("≥ %d（回收份数的 %d%%，向上取整）", r.VerificationQuota, t.VerificationPct)},
		{"核实属实份数", c.Genuine},
		{"有效答卷数", c.Answered},
		{"满意份数", c.Satisfied},
	}
	if res := c.Result; res != nil {
		rs = append(rs,
			[]any{"发放率 %", res.DistributionRate, fmt.Sprintf("≥ %d%%", t.DistributionPct), yes(res.Meets.Distribution)},
			[]any{"回收率 %", res.ReturnRate, fmt.Sprintf("≥ %d%%", t.ReturnPct), yes(res.Meets.Return)},
			[]any{"核实率 %", res.VerificationRate, fmt.Sprintf("≥ %d%%", t.VerificationPct), yes(res.Meets.Verification)},
			[]any{"真实率 %", res.AuthenticityRate, fmt.Sprintf("≥ %d%%", t.AuthenticityPct), yes(res.Meets.Authenticity)},
			[]any{"原始满意率 %", res.RawSatisfaction},
			[]any{"回收率不足扣减（百分点）", res.Deduction, fmt.Sprintf("每低 1 个百分点扣 %d 个百分点", t.DeductionPer)},
			[]any{"满意率 %", res.Satisfaction},
		)
	} else {
		rs = append(rs, []any{"统计", "数据不足，尚不能计算各项比率"})
	}
	if c.ImprovementPlan != "" {
		rs = append(rs, []any{"服务改进方案", c.ImprovementPlan})
	}
	for _, f := range r.Fake {
		rs = append(rs, []any{"虚假调查表", f.Number, f.Household, f.Note})
	}
	if len(r.Actions) > 0 { // SUR-003
		rs = append(rs, []any{"整改措施", "编号", "问题", "责任部门", "完成期限", "状态", "整改结果", "完成人", "验证意见", "验证人", "验证日期"})
		for _, a := range r.Actions {
			status := actionStatusZH[a.Status]
			if a.Overdue {
				status += "（逾期）"
			}
			rs = append(rs, []any{"", a.Number, a.Issue, a.DepartmentName, a.DueOn.String(), status, a.Result, names[a.DoneBy],
				a.VerifyOpinion, names[a.VerifiedBy], day(a.VerifiedAt)})
		}
	}
	if err := rows(x, sheetSummary, rs); err != nil {
		return err
	}
	return x.SetColWidth(sheetSummary, "A", "D", 24)
}

func questionSheet(x *excelize.File, r *Report) error {
	if _, err := x.NewSheet(sheetQuestions); err != nil {
		return err
	}
	rs := [][]any{{"问题", "作答数", "满意数", "满意率 %", "目标 %", "结论", "平均分", "各选项（份数）"}}
	for _, q := range r.Questions {
		if q.Kind == "text" {
			rs = append(rs, []any{q.Text.ZH, q.Answered, "", "", "", "", "", fmt.Sprintf("%d 条意见", len(q.Comments))})
			continue
		}
		row := []any{q.Text.ZH, q.Answered, q.Satisfied, "", "", "", ""}
		if q.Rate != nil {
			row[3] = *q.Rate
		}
		if q.Meets != nil {
			row[4], row[5] = q.Target, yes(*q.Meets)
		}
		if q.MeanScore != nil {
			row[6] = *q.MeanScore
		}
		for _, o := range q.Options {
			row = append(row, fmt.Sprintf("%s %d", o.Name.ZH, o.Count))
		}
		rs = append(rs, row)
	}
	for _, q := range r.Questions {
		for _, cm := range q.Comments {
			rs = append(rs, []any{q.Text.ZH, cm})
		}
	}
	if err := rows(x, sheetQuestions, rs); err != nil {
		return err
	}
	return x.SetColWidth(sheetQuestions, "A", "A", 30)
}

func (s *Service) formSheet(x *excelize.File, r *Report, forms []*Form) error {
	if _, err := x.NewSheet(sheetForms); err != nil {
		return err
	}
	sh, err := s.SheetOf(r.Campaign)
	if err != nil {
		return err
	}
	head := []any{"编号", "房号", "状态", "方式", "回收时间", "满意", "平均分", "核实"}
	for _, q := range sh.Questions {
		head = append(head, q.Text.ZH)
	}
	rs := [][]any{head}
	for _, f := range forms {
		row := []any{f.Number, f.Household, formStatusZH[f.Status], channelZH[f.Channel], "", "", "", verifyZH[f.VerifyResult]}
		if f.AnsweredAt != nil {
			row[4] = f.AnsweredAt.In(store.Zone).Format(time.DateTime)
			row[5] = map[bool]string{true: "是", false: "否"}[f.Satisfied]
		}
		if f.Score != nil {
			row[6] = *f.Score
		}
		for _, q := range sh.Questions {
			row = append(row, answerLabel(q, f.Answers[q.Key]))
		}
		rs = append(rs, row)
	}
	return rows(x, sheetForms, rs)
}

// answerLabel is an answer as the form shows it: the option's name.
func answerLabel(q SheetQuestion, v string) string {
	for _, o := range q.Options {
		if o.Key == v {
			return o.Name.ZH
		}
	}
	return v
}

var (
	formStatusZH = map[FormStatus]string{FormIssued: "已发放", FormReturned: "已回收"}
	channelZH    = map[string]string{AnswerPhone: "电话调查", AnswerFaceToFace: "当面（屏幕签名）", AnswerPaper: "纸质表",
		AnswerLink: "客户链接", "": ""}
	verifyZH = map[string]string{VerifyGenuine: "属实", VerifyFake: "虚假", "": ""}
	// SUR-002 and SUR-003.
	planStatusZH   = map[PlanStatus]string{PlanDraft: "草稿", PlanSubmitted: "待审核", PlanReviewed: "待批准", PlanApproved: "已批准"}
	actionStatusZH = map[ActionStatus]string{ActionOpen: "整改中", ActionDone: "待验证", ActionVerified: "已验证"}
)
