package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// approves reads a decision: approve or reject; anything else is a 422
// naming "decision".
func (d archiveDecision) approves() (bool, error) {
	switch d.Decision {
	case "approve":
		return true, nil
	case "reject":
		return false, nil
	case "":
		return false, apperr.Required("decision")
	}
	return false, apperr.Validation("decision", i18n.T("须为 approve 或 reject", "must be approve or reject"))
}

// decideRecord decides the current step of a chain on the record of the
// path: {"decision": "approve"|"reject", "note"}.
func decideRecord[Out any](w http.ResponseWriter, r *http.Request, p *auth.Principal, kind string,
	run func(context.Context, *auth.Principal, store.ID, bool, string) (Out, error)) error {
	return recordCommand(w, r, kind, http.StatusOK, func(id store.ID, in archiveDecision) (Out, error) {
		ok, err := in.approves()
		if err != nil {
			var none Out
			return none, err
		}
		return run(r.Context(), p, id, ok, in.Note)
	})
}

// archiveCompany reads ?company_id= (0: the caller's).
func archiveCompany(r *http.Request) (store.ID, error) { return queryID(r, "company_id") }

// queryYear reads an optional year.
func queryYear(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1900 || n > 9999 {
		return 0, apperr.Validation(name, i18n.T("须为年份", "must be a year"))
	}
	return n, nil
}

func (h archiveAPI) departments(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Departments(r.Context(), p, company)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h archiveAPI) bindDepartment(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in archive.DepartmentInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := h.svc.BindDepartment(r.Context(), p, r.PathValue("key"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (h archiveAPI) files(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := archive.FileFilter{Kind: q.Get("kind"), Category: q.Get("category"), Level: q.Get("level"), Q: q.Get("q"),
		Limit: pg.Limit, Cursor: pg.Cursor}
	if f.CompanyID, err = archiveCompany(r); err != nil {
		return err
	}
	if f.CustomerID, err = queryID(r, "customer_id"); err != nil {
		return err
	}
	if f.HolderUnit, err = queryID(r, "holder_unit_id"); err != nil {
		return err
	}
	if f.Year, err = queryYear(r, "year"); err != nil {
		return err
	}
	if q.Get("on_hold") != "" {
		held, err := queryBool(r, "on_hold")
		if err != nil {
			return err
		}
		f.OnHold = &held
	}
	out, err := h.svc.ListFiles(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(out.Items, out.Next))
	return nil
}

func (h archiveAPI) createFile(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CreateFile)
}

func (h archiveAPI) lookup(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	number := r.URL.Query().Get("number")
	if number == "" {
		return apperr.Required("number")
	}
	f, err := h.svc.LookupFile(r.Context(), p, company, number)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (h archiveAPI) file(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "file", h.svc.GetFile)
}

func (h archiveAPI) updateFile(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "file", http.StatusOK, h.svc.UpdateFile)
}

func (h archiveAPI) addLink(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordStep(w, r, p, "file", http.StatusCreated, h.svc.AddLink)
}

func (h archiveAPI) hold(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "file", http.StatusOK, func(id store.ID, in archiveHoldInput) (archive.File, error) {
		var place bool
		switch in.Action {
		case "place":
			place = true
		case "release":
		case "":
			return archive.File{}, apperr.Required("action")
		default:
			return archive.File{}, apperr.Validation("action", i18n.T("须为 place 或 release", "must be place or release"))
		}
		return h.svc.SetHold(r.Context(), p, id, place, in.Reason)
	})
}

func (h archiveAPI) requestLevel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "file", http.StatusCreated, func(id store.ID, in archiveLevelInput) (archive.LevelChange, error) {
		return h.svc.RequestLevelChange(r.Context(), p, id, in.ToLevel, in.Reason)
	})
}

func (h archiveAPI) decideLevel(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decideRecord(w, r, p, "level_change", h.svc.DecideLevelChange)
}

func (h archiveAPI) tray(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	items, err := h.svc.Tray(r.Context(), p, company)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h archiveAPI) checkIn(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CheckIn)
}

func (h archiveAPI) fileItem(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "item", http.StatusOK, func(id store.ID, in archiveFileRef) (archive.Item, error) {
		if in.FileID == 0 {
			return archive.Item{}, apperr.Required("file_id")
		}
		return h.svc.FileItem(r.Context(), p, id, in.FileID)
	})
}

func (h archiveAPI) archiveVolume(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "volume", http.StatusOK, func(id store.ID, in archiveVolumeInput) (archive.Volume, error) {
		var on calendar.Date
		if in.ArchivedOn != "" {
			d, err := calendar.ParseDate(in.ArchivedOn)
			if err != nil {
				return archive.Volume{}, apperr.Validation("archived_on", i18n.T("日期须为 YYYY-MM-DD 格式的有效日期", "must be a valid date YYYY-MM-DD"))
			}
			on = d
		}
		return h.svc.ArchiveVolume(r.Context(), p, id, on)
	})
}

func (h archiveAPI) eligible(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	items, next, err := h.svc.EligibleVolumes(r.Context(), p, company, pg.Limit, pg.Cursor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (h archiveAPI) retention(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	s, err := h.svc.Retention(r.Context(), p, company)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (h archiveAPI) loans(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	f := archive.LoanFilter{State: r.URL.Query().Get("state"), Limit: pg.Limit, Cursor: pg.Cursor}
	if f.CompanyID, err = archiveCompany(r); err != nil {
		return err
	}
	if f.FileID, err = queryID(r, "file_id"); err != nil {
		return err
	}
	if f.BorrowerID, err = queryID(r, "borrower_id"); err != nil {
		return err
	}
	if f.Mine, err = queryBool(r, "mine"); err != nil {
		return err
	}
	if f.ToDecide, err = queryBool(r, "to_decide"); err != nil {
		return err
	}
	if f.Overdue, err = queryBool(r, "overdue"); err != nil {
		return err
	}
	out, err := h.svc.ListLoans(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(out.Items, out.Next))
	return nil
}

func (h archiveAPI) requestLoan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.RequestLoan)
}

func (h archiveAPI) loan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "loan", h.svc.GetLoan)
}

func (h archiveAPI) decideLoan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decideRecord(w, r, p, "loan", h.svc.DecideLoan)
}

// recordAction runs a command without a body (an empty or {} body is
// accepted) on the record of the path.
func recordAction[Out any](w http.ResponseWriter, r *http.Request, p *auth.Principal, kind string,
	run func(id store.ID) (Out, error)) error {
	if r.ContentLength != 0 {
		var in struct{}
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	id, err := recordID(r, kind)
	if err != nil {
		return err
	}
	out, err := run(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h archiveAPI) lend(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordAction(w, r, p, "loan", func(id store.ID) (archive.Loan, error) { return h.svc.LendLoan(r.Context(), p, id) })
}

func (h archiveAPI) cancelLoan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordAction(w, r, p, "loan", func(id store.ID) (archive.Loan, error) { return h.svc.CancelLoan(r.Context(), p, id) })
}

func (h archiveAPI) returnLoan(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "loan", http.StatusOK, func(id store.ID, in archiveNote) (archive.Loan, error) {
		return h.svc.ReturnLoan(r.Context(), p, id, in.Note)
	})
}

func (h archiveAPI) chase(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "loan", http.StatusOK, func(id store.ID, in archiveNote) (archive.Loan, error) {
		return h.svc.ChaseLoan(r.Context(), p, id, in.Note)
	})
}

func (h archiveAPI) destructions(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	out, err := h.svc.ListDestructions(r.Context(), p, company, r.URL.Query().Get("state"), pg.Limit, pg.Cursor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(out.Items, out.Next))
	return nil
}

func (h archiveAPI) createDestruction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CreateDestruction)
}

func (h archiveAPI) destruction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "destruction", h.svc.GetDestruction)
}

func (h archiveAPI) decideDestruction(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return decideRecord(w, r, p, "destruction", h.svc.DecideDestruction)
}

func (h archiveAPI) execute(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	var in archive.ExecuteInput
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, "destruction")
	if err != nil {
		return err
	}
	d, err := h.svc.ExecuteDestruction(r.Context(), p, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (h archiveAPI) handovers(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := archive.HandoverFilter{Schedule: q.Get("schedule"), State: q.Get("state"), Limit: pg.Limit, Cursor: pg.Cursor}
	if f.CompanyID, err = archiveCompany(r); err != nil {
		return err
	}
	if f.Overdue, err = queryBool(r, "overdue"); err != nil {
		return err
	}
	out, err := h.svc.ListHandovers(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(out.Items, out.Next))
	return nil
}

func (h archiveAPI) createHandover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CreateHandover)
}

func (h archiveAPI) handover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordRead(w, r, p, "handover", h.svc.GetHandover)
}

func (h archiveAPI) handoverFiles(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "handover", http.StatusOK, func(id store.ID, in archiveHandoverFiles) (archive.Handover, error) {
		return h.svc.AddHandoverFiles(r.Context(), p, id, in.FileIDs, in.CopyKept)
	})
}

func (h archiveAPI) submitHandover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "handover", http.StatusOK, func(id store.ID, in archiveNote) (archive.Handover, error) {
		return h.svc.SubmitHandover(r.Context(), p, id, in.Note)
	})
}

func (h archiveAPI) receiveHandover(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "handover", http.StatusOK, func(id store.ID, in archiveNote) (archive.Handover, error) {
		return h.svc.ReceiveHandover(r.Context(), p, id, in.Note)
	})
}

func (h archiveAPI) inspections(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	company, err := archiveCompany(r)
	if err != nil {
		return err
	}
	items, err := h.svc.ListInspections(r.Context(), p, company)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
	return nil
}

func (h archiveAPI) createInspection(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return createRecord(w, r, p, h.svc.CreateInspection)
}

func (h archiveAPI) closeFinding(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return recordCommand(w, r, "finding", http.StatusOK, func(id store.ID, in archiveNote) (archive.Finding, error) {
		return h.svc.CloseFinding(r.Context(), p, id, in.Note)
	})
}
