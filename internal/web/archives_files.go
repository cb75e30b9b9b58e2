package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// fileFields are the inputs of the new-file form.
var fileFields = []string{"kind", "title", "customer_id", "project", "building", "unit", "year", "level", "chain",
	"holder_unit_id", "location"}

// arcFileRow is one file of the catalogue.
type arcFileRow struct {
	F                    *archive.File
	KindName, LevelClass string
	Volumes              int
}

// arcBrowserData is the archive browser.
type arcBrowserData struct {
	*arcCtx
	Rows                        []arcFileRow
	Kinds, Categories, Levels   []option
	Chains, Holders             []option
	NextURL, FirstURL, DefLevel string
	Filtered                    bool
}

// arcBrowser is the catalogue: filters, files in catalogue order and the
// new-file form.
func (s *Server) arcBrowser(w http.ResponseWriter, rq *request) error {
	return s.renderBrowser(w, rq, http.StatusOK, newForm(nil))
}

func (s *Server) renderBrowser(w http.ResponseWriter, rq *request, status int, nf *Form) error {
	q, l := rq.URL.Query(), rq.Lang
	form := newForm(q)
	c := s.arcContext(rq, nf, "files")
	d := &arcBrowserData{arcCtx: c, Kinds: arcOptions("kind", archive.FileKinds, l), Categories: c.categoryOptions(l),
		Levels: c.levelOptions(l), Chains: c.chainOptions(l), Holders: s.holderOptions(rq, c.Company),
		DefLevel: c.Rules.DefaultLevel}
	f := archive.FileFilter{CompanyID: c.Company, Kind: q.Get("kind"), Category: q.Get("category"), Level: q.Get("level"),
		HolderUnit: form.id("holder"), CustomerID: form.id("customer"), Q: strings.TrimSpace(q.Get("q")), Limit: 50,
		Cursor: q.Get("cursor")}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 9999 {
			form.Errors["year"] = label("arc.bad_year").In(l)
		}
		f.Year = y
	}
	if v := q.Get("hold"); v != "" {
		h := v == "1"
		f.OnHold = &h
	}
	d.Filtered = f.Kind != "" || f.Category != "" || f.Level != "" || f.HolderUnit != 0 || f.Q != "" || f.Year != 0 ||
		f.OnHold != nil || f.CustomerID != 0
	if !form.HasErrors() {
		page, err := s.archives.ListFiles(rq.Context(), rq.P, f)
		if err != nil && !failOn(form, err, l, []string{"kind", "category", "year", "level", "q", "holder"}) {
			return err
		}
		for i := range page.Items {
			it := &page.Items[i]
			d.Rows = append(d.Rows, arcFileRow{F: it, KindName: arcName("kind", it.Kind, l),
				LevelClass: levelClass(c.Rules, it.Level), Volumes: it.VolumeCount})
		}
		if page.Next != "" {
			nq := cloneValues(q)
			nq.Set("cursor", page.Next)
			d.NextURL = "/archives?" + nq.Encode()
		}
	}
	if f.Cursor != "" {
		fq := cloneValues(q)
		fq.Del("cursor")
		d.FirstURL = "/archives?" + fq.Encode()
	}
	if nf.Get("level") == "" {
		nf.Values.Set("level", c.Rules.DefaultLevel)
	}
	if form.HasErrors() && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	// The filters and the new-file form share the page: the filters' own
	// errors show on them, the form's on it.
	pg := s.newPage(rq, "arc.title", "archives")
	pg.Form, pg.Data = nf, struct {
		*arcBrowserData
		Filter *Form
	}{d, form}
	if status == http.StatusOK {
		status = statusOrOK(nf)
	}
	s.render(w, rq, status, "archives_browser", pg)
	return nil
}

// arcFileCreate opens a file.
func (s *Server) arcFileCreate(w http.ResponseWriter, rq *request) error {
	f, err := parsedForm(rq)
	if err != nil {
		return err
	}
	l := rq.Lang
	in := archive.FileInput{CompanyID: f.id("company_id"), Kind: f.text("kind"), Title: f.text("title"),
		CustomerID: f.id("customer_id"), Project: f.text("project"), Building: f.text("building"), Unit: f.text("unit"),
		Level: f.text("level"), Chain: f.text("chain"), HolderUnitID: f.id("holder_unit_id"), Location: f.text("location")}
	if v := f.text("customer_id"); v != "" && in.CustomerID == 0 {
		f.Errors["customer_id"] = label("arc.bad_id").In(l)
	}
	if v := f.text("year"); v != "" {
		if in.Year, err = strconv.Atoi(v); err != nil {
			f.Errors["year"] = label("arc.bad_year").In(l)
		}
	}
	var file archive.File
	if !f.HasErrors() {
		if file, err = s.archives.CreateFile(rq.Context(), rq.P, in); err != nil && !failOn(f, err, l, fileFields) {
			return err
		}
	}
	if f.HasErrors() {
		return s.renderBrowser(w, rq, statusOf(err), f)
	}
	s.seeOther(w, rq.Request, "/archives/files/"+file.ID.String(), "arc_file_created")
	return nil
}

// arcVolumeView is a volume as shown.
type arcVolumeView struct {
	V                *archive.Volume
	StateName, Class string
	Items            []archive.Item
}

// arcItemView is a document of the file.
type arcItemView struct {
	I       *archive.Item
	SameDay bool
	Medium  string
}

// arcLevelView is a level change with its steps.
type arcLevelView struct {
	C      *archive.LevelChange
	State  string
	Class  string
	Steps  []arcStepView
	Decide bool
	Form   arcDecide
}

// arcFileView is a file's page.
type arcFileView struct {
	*arcCtx
	File       *archive.File
	KindName   string
	ChainName  string
	HoldAction string // hold, or release when held
	LevelClass string
	Volumes    []arcVolumeView
	Loose      []arcItemView // items without a volume (none expected)
	Items      []arcItemView
	Levels     []arcLevelView
	Loans      []archive.Loan
	LevelOpts  []option
	Relations  []option
	Upload     bool     // electronic copies can be stored (a document service)
	Categories []option // of the upload form
	Media      []option // electronic media of the upload form
	Approve    bool
	Write      bool
	refusedForm
}

// arcFileShow shows a file.
func (s *Server) arcFileShow(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	return s.renderFile(w, rq, http.StatusOK, id, "", nil)
}

func (s *Server) renderFile(w http.ResponseWriter, rq *request, status int, id store.ID, failed string, f *Form) error {
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	file, err := s.archives.GetFile(ctx, p, id)
	if err != nil {
		return err
	}
	c := s.arcContext(rq, nil, "files")
	if c.Company == 0 {
		if pk, err := s.policy.ForUnit(ctx, file.CompanyID); err == nil && pk != nil {
			c.Rules = &pk.Archives
		}
	}
	v := &arcFileView{arcCtx: c, File: &file, ChainName: c.chainName(file.Chain, l), HoldAction: "hold", KindName: arcName("kind", file.Kind, l), LevelClass: levelClass(c.Rules, file.Level),
		LevelOpts: c.levelOptions(l), Relations: arcOptions("rel", archive.Relations, l), Approve: p.Can(auth.PermArchivesApprove),
		Upload: s.docs != nil, Categories: c.categoryOptions(l), Media: arcOptions("medium", []string{"electronic", "photo", "audio", "video"}, l),
		Write: p.Can(auth.PermArchivesWrite), refusedForm: refusedForm{Failed: failed, Form: f}}
	if file.OnHold {
		v.HoldAction = "release"
	}
	for i := range file.Items {
		it := &file.Items[i]
		v.Items = append(v.Items, arcItemView{I: it, SameDay: !it.FiledAt.IsZero() && !it.FiledLate,
			Medium: arcName("medium", it.Medium, l)})
	}
	for i := range file.Volumes {
		vol := &file.Volumes[i]
		v.Volumes = append(v.Volumes, arcVolumeView{V: vol, StateName: arcName("vstate", vol.State, l), Class: stateClass(vol.State)})
	}
	for i := range file.LevelChanges {
		lc := &file.LevelChanges[i]
		v.Levels = append(v.Levels, arcLevelView{C: lc, State: arcName("lstate", lc.State, l), Class: stateClass(lc.State),
			Steps: arcSteps(lc.Steps, l), Decide: lc.State == "pending" && canDecide(lc.Steps),
			Form: arcDecide{Action: "/archives/levels/" + lc.ID.String() + "/decide", File: file.ID, Form: v.F("decide")}})
	}
	if loans, err := s.archives.ListLoans(ctx, p, archive.LoanFilter{FileID: id, Limit: 20}); err == nil {
		v.Loans = loans.Items
	}
	if f == nil {
		f = newForm(nil)
	}
	s.arcRender(w, rq, status, "archives_file", file.Number+" · "+label("arc.file").In(l), f, v)
	return nil
}

// arcFileAct runs an action of the file page: archive a volume, add a
// cross-reference, place or release a hold, request a level change.
func (s *Server) arcFileAct(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	ctx, p, l := rq.Context(), rq.P, rq.Lang
	action := rq.PathValue("action")
	var fields []string
	switch action {
	case "archive":
		fields = []string{"archived_on"}
		on := arcDate(f, "archived_on", l)
		if !f.HasErrors() {
			_, err = s.archives.ArchiveVolume(ctx, p, f.id("volume_id"), on)
		}
	case "link":
		fields = []string{"other_number", "relation", "note"}
		var other archive.File
		if other, err = s.archives.LookupFile(ctx, p, f.id("company_id"), f.text("other_number")); err == nil {
			_, err = s.archives.AddLink(ctx, p, id, archive.LinkInput{OtherFileID: other.ID, Relation: f.text("relation"), Note: f.text("note")})
		} else if apperr.Is(err, apperr.CodeNotFound) {
			f.Errors["other_number"], err = label("arc.no_such_file").In(l), nil
		}
	case "hold", "release":
		fields = []string{"reason"}
		_, err = s.archives.SetHold(ctx, p, id, action == "hold", f.text("reason"))
	case "level":
		fields = []string{"to", "reason"}
		_, err = s.archives.RequestLevelChange(ctx, p, id, f.text("to"), f.text("reason"))
	default:
		return notFound()
	}
	if !f.HasErrors() && err != nil && !failOn(f, err, l, fields) {
		return err
	}
	if f.HasErrors() {
		return s.renderFile(w, rq, statusOf(err), id, action, f)
	}
	s.seeOther(w, rq.Request, "/archives/files/"+id.String(), "arc_"+action)
	return nil
}

// arcLevelDecide records one department's decision on a level change.
func (s *Server) arcLevelDecide(w http.ResponseWriter, rq *request) error {
	id, f, err := postForm(rq)
	if err != nil {
		return err
	}
	lc, err := s.archives.DecideLevelChange(rq.Context(), rq.P, id, f.text("approve") == "yes", f.text("note"))
	if err != nil {
		file := f.id("file_id")
		if file == 0 || !failOn(f, err, rq.Lang, []string{"note"}) {
			return err
		}
		return s.renderFile(w, rq, statusOf(err), file, "decide", f)
	}
	s.seeOther(w, rq.Request, "/archives/files/"+lc.FileID.String(), "arc_decided")
	return nil
}

// arcCoverData is the printable file cover (卷皮).
type arcCoverData struct {
	F                     *archive.File
	Company, Holder, Kind string
	Level, Categories     string
	Retention, Archived   string
	Volumes               []arcVolumeView
	Printed               string
}

// arcFileCover prints a file's cover.
func (s *Server) arcFileCover(w http.ResponseWriter, rq *request) error {
	id, err := idOf(rq)
	if err != nil {
		return err
	}
	file, err := s.archives.GetFile(rq.Context(), rq.P, id)
	if err != nil {
		return err
	}
	zh := i18n.ZH
	d := &arcCoverData{F: &file, Holder: file.HolderUnit, Kind: arcName("kind", file.Kind, zh),
		Level: file.LevelName, Printed: exact(s.now())}
	if d.Level == "" {
		d.Level = file.Level
	}
	if u, err := s.org.Get(rq.Context(), file.CompanyID); err == nil {
		d.Company = u.Name
	}
	var cats, rets []string
	for i := range file.Volumes {
		vol := &file.Volumes[i]
		cats = append(cats, vol.Category+" "+vol.CategoryName)
		ret := label("arc.permanent").In(zh)
		if vol.RetentionYears > 0 {
			ret = label("arc.years", vol.RetentionYears).In(zh)
		}
		if !slices.Contains(rets, ret) {
			rets = append(rets, ret)
		}
		if !vol.ArchivedOn.IsZero() && (d.Archived == "" || vol.ArchivedOn.String() < d.Archived) {
			d.Archived = vol.ArchivedOn.String()
		}
		d.Volumes = append(d.Volumes, arcVolumeView{V: vol, StateName: arcName("vstate", vol.State, zh)})
	}
	d.Categories, d.Retention = strings.Join(cats, "、"), strings.Join(rets, "、")
	pg := s.newPage(rq, "arc.cover", "archives")
	pg.Title = file.Number + " · " + label("arc.cover").In(rq.Lang)
	pg.Data = d
	s.render(w, rq, http.StatusOK, "archives_cover", pg)
	return nil
}
