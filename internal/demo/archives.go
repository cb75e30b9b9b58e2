package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"kefu/internal/apperr"
	"kefu/internal/archive"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/calendar"
	"kefu/internal/org"
	"kefu/internal/store"
)

// archiveDepts are the real-estate company's archive departments (ARC-004):
// pack key, unit name and its custodian (档案管理员 for the central office).
var archiveDepts = []struct {
	key, unit string
	custodian person
}{
	{"gmo", "总经理办公室", p("danganyuan", "梁静", "档案管理员", auth.RoleArchivist)},
	{"customer_affairs", "客户事务组", p("zy.kh.da", "钱敏", "客户事务组档案员", auth.RoleArchivist)},
	{"csc", "客户服务中心", p("zy.kf.da", "蒋丽", "客服中心档案员", auth.RoleArchivist)},
	{"legal", "法律室", p("zy.fl.da", "沈律", "法律室档案员", auth.RoleArchivist)},
	{"sales_office", "售楼处客服部", p("zy.sl.da", "韩梅", "售楼处档案员", auth.RoleArchivist)},
	{"general_services", "综合服务部", p("zy.zh.da", "杨帆", "综合服务部档案员", auth.RoleArchivist)},
}

// archiveGM is the General Manager who approves destruction and holds.
var archiveGM = p("zy.gm", "陈总", "总经理", auth.RoleManager)

// LoadArchives fills the archives of the real-estate company 置业有限公司
// (issue 13): its archive departments with their custodians, a dozen unit
// files of 西堤国际 (XD) with sales and contract volumes, a shop file, a
// litigation file linked to a customer file, the 2026 complaint case
// file, loans pending, lent and overdue, and returned, a volume past its
// retention, a legal hold and handovers pending (one overdue) — unless
// the company has files already (idempotent). opts are the app's archive
// options; the history runs on a clock of its own ending at now.
func LoadArchives(ctx context.Context, o *org.Service, a *auth.Service, opts archive.Options, now time.Time, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.System)
	units, err := o.List(ctx)
	if err != nil {
		return err
	}
	var company org.Unit
	for _, u := range units {
		if u.Name == "置业有限公司" && u.Kind == org.Company {
			company = u
		}
	}
	if company.ID == 0 {
		return fmt.Errorf("demo archives: the real-estate company is missing (load the demo first)")
	}
	var n int64
	if err := opts.DB.Reader().QueryRow(ctx, "SELECT count(*) FROM archive_files WHERE company_id = ?", company.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	clock := now
	opts.Now = func() time.Time { return clock }
	svc := archive.New(opts)
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	user := func(s person, unit store.ID) (*auth.Principal, error) {
		if u, err := a.ByUsername(ctx, s.username); err == nil {
			return u.Principal(), nil
		} else if !apperr.Is(err, apperr.CodeNotFound) {
			return nil, err
		}
		u, err := a.CreateWithHash(ctx, nil, auth.CreateUserInput{Username: s.username, Password: Password,
			DisplayName: s.name, Position: s.position, Roles: s.roles, OrgUnit: unit}, hash)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", s.username, err)
		}
		return u.Principal(), nil
	}
	d := &archiveDemo{ctx: ctx, svc: svc, clock: &clock, company: company.ID, dept: map[string]store.ID{},
		people: map[string]*auth.Principal{}}
	for _, ad := range archiveDepts {
		unit := store.ID(0)
		for _, u := range units {
			if u.Name == ad.unit && strings.HasPrefix(u.Path, company.Path) {
				unit = u.ID
			}
		}
		if unit == 0 {
			pid := company.ID
			made, err := o.Create(ctx, org.CreateInput{ParentID: &pid, Kind: org.Department, Name: ad.unit})
			if err != nil {
				return fmt.Errorf("demo unit %s: %w", ad.unit, err)
			}
			unit = made.ID
		}
		d.dept[ad.key] = unit
		if d.people[ad.key], err = user(ad.custodian, unit); err != nil {
			return err
		}
	}
	if d.gm, err = user(archiveGM, d.dept["gmo"]); err != nil {
		return err
	}
	for _, name := range []string{"zy.sales1", "zy.salesmgr"} {
		u, err := a.ByUsername(ctx, name)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", name, err)
		}
		d.people[name] = u.Principal()
	}
	d.arch = d.people["gmo"]
	for _, ad := range archiveDepts {
		if _, err := svc.BindDepartment(ctx, d.arch, ad.key, archive.DepartmentInput{CompanyID: company.ID,
			UnitID: d.dept[ad.key], CustodianID: d.people[ad.key].UserID}); err != nil {
			return fmt.Errorf("demo archive department %s: %w", ad.key, err)
		}
	}
	if err := d.history(now); err != nil {
		return fmt.Errorf("demo archives: %w", err)
	}
	fmt.Fprintf(out, "kefu: demo archives loaded for 置业有限公司: %d files; archivist danganyuan, GM zy.gm (password %s)\n",
		d.files, Password)
	return nil
}

// archiveDemo replays the archive history on its own clock.
type archiveDemo struct {
	ctx     context.Context
	svc     *archive.Service
	clock   *time.Time
	company store.ID
	dept    map[string]store.ID
	people  map[string]*auth.Principal
	arch    *auth.Principal // the central archivist
	gm      *auth.Principal
	files   int
}

// at moves the demo clock.
func (d *archiveDemo) at(t time.Time) { *d.clock = t }

// file opens a file and files its documents, category → titles.
func (d *archiveDemo) file(in archive.FileInput, docs map[string][]string) (archive.File, error) {
	in.CompanyID = d.company
	f, err := d.svc.CreateFile(d.ctx, d.arch, in)
	if err != nil {
		return f, fmt.Errorf("file %s: %w", in.Title, err)
	}
	d.files++
	for _, cat := range []string{"3.1", "3.2", "3.7", "3.8", "complaint"} {
		for _, title := range docs[cat] {
			if _, err := d.svc.CheckIn(d.ctx, d.arch, archive.ItemInput{CompanyID: d.company, FileID: f.ID, Category: cat,
				Title: title, Medium: "paper", Pages: 2 + len(title)%5}); err != nil {
				return f, fmt.Errorf("check in %s of %s: %w", title, f.Number, err)
			}
		}
	}
	return d.svc.GetFile(d.ctx, d.arch, f.ID)
}

// archiveAll archives the open volumes of a file today.
func (d *archiveDemo) archiveAll(f archive.File) error {
	for _, v := range f.Volumes {
		if v.State == "open" {
			if _, err := d.svc.ArchiveVolume(d.ctx, d.arch, v.ID, calendar.Date{}); err != nil {
				return fmt.Errorf("archive %s: %w", v.Number, err)
			}
		}
	}
	return nil
}

// loan requests a file for agent and has it approved by the GMO (the
// central chain, G-58).
func (d *archiveDemo) loan(agent *auth.Principal, f archive.File, purpose string) (archive.Loan, error) {
	l, err := d.svc.RequestLoan(d.ctx, agent, archive.LoanInput{FileID: f.ID, Purpose: purpose})
	if err != nil {
		return l, fmt.Errorf("loan of %s: %w", f.Number, err)
	}
	return d.svc.DecideLoan(d.ctx, d.arch, l.ID, true, "同意借阅")
}

func (d *archiveDemo) history(now time.Time) error {
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	// A volume archived long ago, past its 10-year retention (ARC-014).
	d.at(time.Date(2015, 3, 16, 10, 0, 0, 0, now.Location()))
	old, err := d.file(archive.FileInput{Kind: archive.KindUnit, Project: "XD", Building: "1", Unit: "0101"},
		map[string][]string{"3.1": {"认购书", "排号协议"}})
	if err != nil {
		return err
	}
	if err := d.archiveAll(old); err != nil {
		return err
	}
	d.at(day(60))
	agent := d.people["zy.sales1"]
	var units []archive.File
	for _, b := range []string{"3", "5"} {
		for _, u := range []string{"0501", "0502", "0601", "0602", "0701", "0702"} {
			if b == "5" && u == "0702" {
				continue
			}
			in := archive.FileInput{Kind: archive.KindUnit, Project: "XD", Building: b, Unit: u}
			if b == "5" {
				in.HolderUnitID = d.dept["customer_affairs"]
			}
			f, err := d.file(in, map[string][]string{"3.1": {"排号协议", "认购书", "客户身份证明"}, "3.2": {"买卖合同", "银行按揭合同"}})
			if err != nil {
				return err
			}
			units = append(units, f)
		}
	}
	for _, f := range units[:6] {
		if err := d.archiveAll(f); err != nil {
			return err
		}
	}
	shop, err := d.file(archive.FileInput{Kind: archive.KindShop, Project: "XD", Unit: "0003", Chain: "leasing"},
		map[string][]string{"3.8": {"租赁预订协议", "正式租赁合同"}})
	if err != nil {
		return err
	}
	_ = shop
	cust, err := d.file(archive.FileInput{Kind: archive.KindCustomer, Title: "刘先生 客户档案"},
		map[string][]string{"3.1": {"认购书"}})
	if err != nil {
		return err
	}
	lit, err := d.file(archive.FileInput{Kind: archive.KindLitigation, Title: "刘先生诉逾期交房案", HolderUnitID: d.dept["legal"]},
		map[string][]string{"3.7": {"起诉状", "应诉材料"}})
	if err != nil {
		return err
	}
	if _, err := d.svc.AddLink(d.ctx, d.arch, lit.ID, archive.LinkInput{OtherFileID: cust.ID, Relation: "litigation",
		Note: "诉讼档案另行立卷"}); err != nil {
		return fmt.Errorf("link: %w", err)
	}
	if _, err := d.svc.SetHold(d.ctx, d.gm, lit.ID, true, "诉讼未结，保全证据"); err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	if _, err := d.file(archive.FileInput{Kind: archive.KindCaseYear, Year: now.Year()},
		map[string][]string{"complaint": {"投诉登记表（漏水）", "处理回访记录"}}); err != nil {
		return err
	}
	// Loans: returned, lent and overdue, pending.
	d.at(day(30))
	l, err := d.loan(agent, units[0], "办理产权证")
	if err != nil {
		return err
	}
	if _, err := d.svc.LendLoan(d.ctx, d.arch, l.ID); err != nil {
		return fmt.Errorf("lend: %w", err)
	}
	d.at(day(26))
	if _, err := d.svc.ReturnLoan(d.ctx, d.arch, l.ID, "完好归还"); err != nil {
		return fmt.Errorf("return: %w", err)
	}
	d.at(day(15))
	if l, err = d.loan(agent, units[1], "核对按揭合同"); err != nil {
		return err
	}
	if _, err := d.svc.LendLoan(d.ctx, d.arch, l.ID); err != nil {
		return fmt.Errorf("lend: %w", err)
	}
	d.at(day(1))
	if _, err := d.svc.RequestLoan(d.ctx, d.people["zy.salesmgr"], archive.LoanInput{FileID: units[2].ID,
		Purpose: "客户更名查阅", Mode: archive.ModeView}); err != nil {
		return fmt.Errorf("loan: %w", err)
	}
	// Handovers: the move-in handover of building 5, overdue; this half-year's CSC handover.
	d.at(day(45))
	if _, err := d.svc.CreateHandover(d.ctx, d.arch, archive.HandoverInput{CompanyID: d.company, Schedule: "move_in",
		EventOn: calendar.DateOf(day(45)), EventNote: "西堤国际5栋集中入伙", FileIDs: fileIDs(units[6:])}); err != nil {
		return fmt.Errorf("handover move_in: %w", err)
	}
	d.at(now)
	if _, err := d.svc.CreateHandover(d.ctx, d.arch, archive.HandoverInput{CompanyID: d.company, Schedule: "csc",
		EventOn: calendar.DateOf(now)}); err != nil {
		return fmt.Errorf("handover csc: %w", err)
	}
	return nil
}

func fileIDs(fs []archive.File) []store.ID {
	out := make([]store.ID, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
