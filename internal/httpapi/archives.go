package httpapi

import (
	"net/http"

	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/store"
)

// archiveAPI serves /api/v1/archives (issue 13, RULES.md ARC-001 to
// ARC-019, SEC-009): archive departments and their custodians, the file
// catalogue with volumes, documents checked in the same day, links,
// holds and level changes, loans through the pack's approval chains,
// retention and destruction, scheduled handovers and inspections. The
// route table names the permission; the service narrows it further
// (custody, chain steps, the sending and receiving departments).
type archiveAPI struct{ svc *archive.Service }

// archiveDecision decides a step of a chain: approve or reject.
type archiveDecision struct {
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// archiveHoldInput places or releases a legal hold.
type archiveHoldInput struct {
	Action string `json:"action"` // place, release
	Reason string `json:"reason"`
}

// archiveLevelInput asks to change a file's confidentiality level.
type archiveLevelInput struct {
	ToLevel string `json:"to_level"`
	Reason  string `json:"reason"`
}

// archiveFileRef files a document of the tray into a file.
type archiveFileRef struct {
	FileID store.ID `json:"file_id"`
}

// archiveVolumeInput archives a volume on a day (empty: today).
type archiveVolumeInput struct {
	ArchivedOn string `json:"archived_on"`
}

// archiveNote is a note on a step (return, chase, submit, receive, close).
type archiveNote struct {
	Note string `json:"note"`
}

// archiveHandoverFiles adds files to a handover batch.
type archiveHandoverFiles struct {
	FileIDs  []store.ID `json:"file_ids"`
	CopyKept bool       `json:"copy_kept"`
}

// archiveRoutes serves /api/v1/archives (issue 13). Static paths (lookup,
// eligible) are more specific than {id}, so the mux prefers them.
func (a *API) archiveRoutes(svc *archive.Service) []Route {
	if svc == nil {
		return nil
	}
	h := archiveAPI{svc}
	const tag, root = "archives", "/api/v1/archives"
	read, write, approve, borrow := auth.PermArchivesRead, auth.PermArchivesWrite, auth.PermArchivesApprove, auth.PermArchivesBorrow
	company := Param{"company_id", "the company (default: the caller's)"}
	pageParams := []Param{{"limit", "1–500, default 50"}, {"cursor", "next_cursor of the previous page"}}
	return []Route{
		{Method: "GET", Path: root + "/departments", Permission: read, Tag: tag,
			Summary: "档案部门 The pack's archive departments of a company with the org units bound to them and their " +
				"dedicated custodians (ARC-004: custody by department, never by a person)",
			Query: []Param{company}, Response: list[archive.Department]{}, handle: h.departments},
		{Method: "PUT", Path: root + "/departments/{key}", Permission: write, Tag: tag,
			Summary: "绑定档案部门 Bind an archive department of the pack to an org unit of the company and name its " +
				"custodian, a user of that unit (ARC-004)",
			Request: archive.DepartmentInput{}, Response: archive.Department{}, handle: h.bindDepartment},
		{Method: "GET", Path: root + "/files", Permission: read, Tag: tag,
			Summary: "档案目录 The catalogue of a company in catalogue order: project, homes before shops, building, " +
				"unit (ARC-010)",
			Query: append([]Param{company, {"kind", "unit, shop, customer, litigation, case_year, general"},
				{"category", "files with a volume of the category (3.1 … 3.9, leasing, complaint …)"},
				{"year", "case-year files of the year, or files created in it"}, {"customer_id", "one customer's files"},
				{"holder_unit_id", "files held by a department"}, {"level", "confidentiality level A, B, C"},
				{"on_hold", "true: files under legal hold"}, {"q", "number, title, project or customer name"}}, pageParams...),
			Response: list[archive.File]{}, handle: h.files},
		{Method: "POST", Path: root + "/files", Permission: write, Tag: tag,
			Summary: "建档 Open a file numbered by the pack's scheme (ARC-002, ARC-010): one per property unit or shop " +
				"(一户一档), per customer, litigation case or complaint year (ARC-017); a customer's other unit files are " +
				"cross-referenced",
			Request: archive.FileInput{}, Response: archive.File{}, Status: http.StatusCreated, handle: h.createFile},
		{Method: "GET", Path: root + "/files/lookup", Permission: borrow, Tag: tag,
			Summary: "按档号查找 Find a file by its number for a loan application: number, title, kind, level and chain only",
			Query:   []Param{{"number", "the file number (required)"}, company}, Response: archive.File{}, handle: h.lookup},
		{Method: "GET", Path: root + "/files/{id}", Permission: read, Tag: tag,
			Summary: "档案详情 A file with volumes, links, holds and level changes; its documents when the caller may view " +
				"the contents (SEC-009). Every view is audited (SEC-001)",
			Response: archive.File{}, handle: h.file},
		{Method: "PATCH", Path: root + "/files/{id}", Permission: write, Tag: tag,
			Summary: "修改档案 Change a file's title, location or lending chain; custody moves only by a handover, the " +
				"level only by a level change",
			Request: archive.FilePatch{}, Response: archive.File{}, handle: h.updateFile},
		{Method: "POST", Path: root + "/files/{id}/links", Permission: write, Tag: tag,
			Summary: "档间参照 Cross-reference the file with another file of the company (ARC-002): same_owner, " +
				"litigation, lease_sale, copy, related; seen from both",
			Request: archive.LinkInput{}, Response: archive.Link{}, Status: http.StatusCreated, handle: h.addLink},
		{Method: "POST", Path: root + "/files/{id}/holds", Permission: approve, Tag: tag,
			Summary: "诉讼保全 Place or release a legal hold with a reason; a held file is never destroyed (ARC-015)",
			Request: archiveHoldInput{}, Response: archive.File{}, handle: h.hold},
		{Method: "POST", Path: root + "/files/{id}/level-changes", Permission: write, Tag: tag,
			Summary: "密级变更申请 Ask to change the file's confidentiality level; the handling department and the " +
				"archive office both approve (ARC-005)",
			Request: archiveLevelInput{}, Response: archive.LevelChange{}, Status: http.StatusCreated, handle: h.requestLevel},
		{Method: "POST", Path: root + "/level-changes/{id}/decision", Permission: approve, Tag: tag,
			Summary: "密级变更审批 One approving department's decision (approve or reject); the last approval applies the level",
			Request: archiveDecision{}, Response: archive.LevelChange{}, handle: h.decideLevel},
		{Method: "GET", Path: root + "/items", Permission: read, Tag: tag,
			Summary: "待归档 The intake tray: documents checked in and not yet filed, the most urgent first, with their " +
				"same-day clock (ARC-009)",
			Query: []Param{company}, Response: list[archive.Item]{}, handle: h.tray},
		{Method: "POST", Path: root + "/items", Permission: write, Tag: tag,
			Summary: "签收资料 Check a document in (ARC-001, ARC-009): with a file it is filed at once into the file's " +
				"volume of its category; without, it waits in the tray, due by the end of the day of receipt",
			Request: archive.ItemInput{}, Response: archive.Item{}, Status: http.StatusCreated, handle: h.checkIn},
		{Method: "POST", Path: root + "/items/{id}/file", Permission: write, Tag: tag,
			Summary: "归档 File a received document into a file",
			Request: archiveFileRef{}, Response: archive.Item{}, handle: h.fileItem},
		{Method: "POST", Path: root + "/volumes/{id}/archive", Permission: write, Tag: tag,
			Summary: "立卷归档 Archive a volume on a day (default today, never in the future): its retention runs from " +
				"that day (ARC-014)",
			Request: archiveVolumeInput{}, Response: archive.Volume{}, handle: h.archiveVolume},
		{Method: "GET", Path: root + "/volumes/eligible", Permission: read, Tag: tag,
			Summary: "到期可销毁 Archived volumes whose retention has ended (ARC-014), held ones marked, oldest first",
			Query:   append([]Param{company}, pageParams...), Response: list[archive.Volume]{}, handle: h.eligible},
		{Method: "GET", Path: root + "/retention", Permission: read, Tag: tag,
			Summary: "保管期限看板 The retention dashboard: eligible, held, listed, permanent and upcoming volumes per " +
				"report period and category (ARC-014)",
			Query: []Param{company}, Response: archive.RetentionSummary{}, handle: h.retention},
		{Method: "GET", Path: root + "/loans", Permission: borrow, Tag: tag,
			Summary: "借阅 Loans; without archives:read only the caller's own and those waiting for the caller's decision",
			Query: append([]Param{company, {"state", "pending, approved, rejected, cancelled, lent, returned"},
				{"file_id", "one file's loans"}, {"borrower_id", "one borrower's loans"}, {"mine", "true: the caller's applications"},
				{"to_decide", "true: waiting for a step the caller qualifies for"}, {"overdue", "true: lent and past due"}},
				pageParams...),
			Response: list[archive.Loan]{}, handle: h.loans},
		{Method: "POST", Path: root + "/loans", Permission: borrow, Tag: tag,
			Summary: "借阅申请 Apply to borrow a file (by id, or by number with company_id) through the file's chain " +
				"(ARC-012)",
			Request: archive.LoanInput{}, Response: archive.Loan{}, Status: http.StatusCreated, handle: h.requestLoan},
		{Method: "GET", Path: root + "/loans/{id}", Permission: borrow, Tag: tag,
			Summary:  "借阅详情 A loan with its steps, approvals and chases",
			Response: archive.Loan{}, handle: h.loan},
		{Method: "POST", Path: root + "/loans/{id}/decision", Permission: borrow, Tag: tag,
			Summary: "借阅审批 The current step's decision (approve or reject); the chain decides who qualifies (ARC-012)",
			Request: archiveDecision{}, Response: archive.Loan{}, handle: h.decideLoan},
		{Method: "POST", Path: root + "/loans/{id}/lend", Permission: write, Tag: tag,
			Summary: "登记出借 Register an approved loan and hand the file out, due after the loan period (ARC-011); " +
				"refused while the procedure is incomplete",
			Response: archive.Loan{}, handle: h.lend},
		{Method: "POST", Path: root + "/loans/{id}/return", Permission: write, Tag: tag,
			Summary: "归还 Record the file's return",
			Request: archiveNote{}, Response: archive.Loan{}, handle: h.returnLoan},
		{Method: "POST", Path: root + "/loans/{id}/cancel", Permission: borrow, Tag: tag,
			Summary:  "撤回申请 The borrower withdraws an application not yet lent",
			Response: archive.Loan{}, handle: h.cancelLoan},
		{Method: "POST", Path: root + "/loans/{id}/chase", Permission: write, Tag: tag,
			Summary: "催收 The custodian chases an overdue loan (ARC-011); the borrower is told",
			Request: archiveNote{}, Response: archive.Loan{}, handle: h.chase},
		{Method: "GET", Path: root + "/destructions", Permission: read, Tag: tag,
			Summary:  "销毁清册 Destruction lists and records, newest first (ARC-015)",
			Query:    append([]Param{company, {"state", "pending, approved, rejected, executed"}}, pageParams...),
			Response: list[archive.Destruction]{}, handle: h.destructions},
		{Method: "POST", Path: root + "/destructions", Permission: write, Tag: tag,
			Summary: "拟销毁清册 Propose a list of eligible volumes; refuses volumes not eligible, held, destroyed or on " +
				"another open list",
			Request: archive.DestructionInput{}, Response: archive.Destruction{}, Status: http.StatusCreated, handle: h.createDestruction},
		{Method: "GET", Path: root + "/destructions/{id}", Permission: read, Tag: tag,
			Summary:  "销毁清册详情 A list or destruction record with its volumes and approvals",
			Response: archive.Destruction{}, handle: h.destruction},
		{Method: "POST", Path: root + "/destructions/{id}/decision", Permission: approve, Tag: tag,
			Summary: "销毁审批 A step of the destruction chain: head review, then General Manager approval (ARC-015)",
			Request: archiveDecision{}, Response: archive.Destruction{}, handle: h.decideDestruction},
		{Method: "POST", Path: root + "/destructions/{id}/execute", Permission: write, Tag: tag,
			Summary: "执行销毁 Destroy an approved list into the permanent destruction record (method, witness, day); a " +
				"volume placed on hold since is refused",
			Request: archive.ExecuteInput{}, Response: archive.Destruction{}, handle: h.execute},
		{Method: "GET", Path: root + "/handovers", Permission: read, Tag: tag,
			Summary: "移交批次 Handover batches, pending first by due time, then newest; the current Monday/Thursday, " +
				"quarterly and half-yearly batches are opened when missing (ARC-006 to ARC-009)",
			Query: append([]Param{company, {"schedule", "a handover schedule key of the pack"},
				{"state", "pending, submitted, received"},
				{"overdue", "true: pending past the due time, or submitted after it"}}, pageParams...),
			Response: list[archive.Handover]{}, handle: h.handovers},
		{Method: "POST", Path: root + "/handovers", Permission: write, Tag: tag,
			Summary: "新建移交批次 Open a batch of a schedule: an event batch due after the schedule's limit from " +
				"event_on (5wd after a subscription, 1mo after move-in or a case's closure), or the periodic batch of " +
				"the period containing event_on (default today)",
			Request: archive.HandoverInput{}, Response: archive.Handover{}, Status: http.StatusCreated, handle: h.createHandover},
		{Method: "GET", Path: root + "/handovers/{id}", Permission: read, Tag: tag,
			Summary:  "移交批次详情 A batch with its files and the ARC-003 checklist entries each lacks",
			Response: archive.Handover{}, handle: h.handover},
		{Method: "POST", Path: root + "/handovers/{id}/files", Permission: write, Tag: tag,
			Summary: "加入移交档案 Add files held by the sending department to a pending batch, checked against the " +
				"categories' checklists (ARC-003); copy_kept records a copy kept by the sender",
			Request: archiveHandoverFiles{}, Response: archive.Handover{}, handle: h.handoverFiles},
		{Method: "POST", Path: root + "/handovers/{id}/submit", Permission: write, Tag: tag,
			Summary: "移交 The sending department hands the batch over (staff of that department)",
			Request: archiveNote{}, Response: archive.Handover{}, handle: h.submitHandover},
		{Method: "POST", Path: root + "/handovers/{id}/receive", Permission: write, Tag: tag,
			Summary: "签收 The receiving department signs for the batch; custody of its files moves to it (ARC-004)",
			Request: archiveNote{}, Response: archive.Handover{}, handle: h.receiveHandover},
		{Method: "GET", Path: root + "/inspections", Permission: read, Tag: tag,
			Summary: "档案检查 Inspections of a company, newest first, with findings and the next due date (ARC-019: " +
				"half-yearly by default)",
			Query: []Param{company}, Response: list[archive.Inspection]{}, handle: h.inspections},
		{Method: "POST", Path: root + "/inspections", Permission: write, Tag: tag,
			Summary: "记录检查 Record an inspection of a department with findings tracked to closure (ARC-019)",
			Request: archive.InspectionInput{}, Response: archive.Inspection{}, Status: http.StatusCreated, handle: h.createInspection},
		{Method: "POST", Path: root + "/findings/{id}/close", Permission: write, Tag: tag,
			Summary: "整改关闭 Close a finding with what was done",
			Request: archiveNote{}, Response: archive.Finding{}, handle: h.closeFinding},
	}
}
