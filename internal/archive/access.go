package archive

import (
	"context"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/org"
	"kefu/internal/store"
)

// DocumentOwner is the document.OwnerCheck of "archive_file": reading an
// electronic copy needs the right to view the file's contents (SEC-009;
// audited), attaching needs archives:write in the holding or central
// department.
func (s *Service) DocumentOwner(ctx context.Context, p *auth.Principal, id store.ID, write bool) error {
	if write {
		return s.mayAttach(ctx, p, id)
	}
	// The refusal is audited too: the audit commits, the refusal is
	// answered after.
	var refusal error
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		f, r, err := s.loadFile(ctx, tx, p, id, "owner_id")
		if err != nil {
			return err
		}
		ok, err := s.canViewContents(ctx, tx, p, f, r)
		if err != nil {
			return err
		}
		action := "archive.file.contents_view"
		switch {
		case ok:
		case !p.Can(auth.PermArchivesRead):
			action, refusal = "archive.file.contents_refused", apperr.NotFound("owner_id")
		default:
			action, refusal = "archive.file.contents_refused", apperr.Forbidden(i18n.T("无权查看该档案的内容（SEC-009）",
				"you may not view the contents of the file (SEC-009)"))
		}
		return audit.Record(audit.WithActor(ctx, p.Actor()), tx, s.now(), action, "archive_file", f.ID.String(),
			map[string]any{"number": f.Number, "level": f.Level, "via": "document"})
	})
	if err != nil {
		return err
	}
	return refusal
}

// mayAttach checks that p may attach documents to file id: archives:write
// in the holding department or the central office.
func (s *Service) mayAttach(ctx context.Context, p *auth.Principal, id store.ID) error {
	c := s.db.Reader()
	f, r, err := s.loadFile(ctx, c, p, id, "owner_id")
	if err != nil {
		return err
	}
	if err := need(p, auth.PermArchivesWrite); err != nil {
		return err
	}
	if f.State == "destroyed" {
		return apperr.Gone("owner_id", i18n.T("档案已销毁", "the file was destroyed"))
	}
	if p == nil || p.IsAdmin() {
		return nil
	}
	in, err := inCustody(ctx, c, p, f, r)
	if err != nil {
		return err
	}
	if !in {
		return apperr.Forbidden(i18n.T("只有档案保管部门或档案集中管理部门可以添加电子文件",
			"only the holding department or the central archive office attaches documents"))
	}
	return nil
}

// inCustody reports whether p works in the department holding f or in
// the central archive office (ARC-004).
func inCustody(ctx context.Context, c store.Conn, p *auth.Principal, f File, r *rules) (bool, error) {
	holder, err := org.GetUnit(ctx, c, f.HolderUnitID)
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(p.OrgPath, holder.Path) {
		return true, nil
	}
	central := r.Archive.CentralDepartment()
	if central == "" {
		return false, nil
	}
	path, err := deptPath(ctx, c, f.CompanyID, central, f.HolderUnitID)
	if err != nil || path == "" {
		return false, err
	}
	return strings.HasPrefix(p.OrgPath, path), nil
}

// canViewContents reports whether p may open f's documents (SEC-009): an
// administrator; the borrower of a loan of it that is out; a holder of
// archives:read working in the holding department or the central office.
// A file above the default level (ARC-005) opens, besides current
// borrowers, only to the custodians of those two departments and to
// holders of archives:approve working in them.
func (s *Service) canViewContents(ctx context.Context, c store.Conn, p *auth.Principal, f File, r *rules) (bool, error) {
	if p == nil || p.IsAdmin() {
		return true, nil
	}
	var lent int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM archive_loans WHERE file_id = ? AND borrower_id = ? AND state = 'lent'",
		f.ID, p.UserID).Scan(&lent); err != nil {
		return false, err
	}
	if lent > 0 {
		return true, nil
	}
	in, err := inCustody(ctx, c, p, f, r)
	if err != nil || !in {
		return false, err
	}
	rank, def := r.Archive.LevelRank(f.Level), r.Archive.LevelRank(r.Archive.DefaultLevel)
	if rank < 0 || rank >= def {
		return p.Can(auth.PermArchivesRead), nil
	}
	if p.Can(auth.PermArchivesApprove) {
		return true, nil
	}
	holder, err := org.GetUnit(ctx, c, f.HolderUnitID)
	if err != nil {
		return false, err
	}
	depts, err := boundUnits(ctx, c, f.CompanyID)
	if err != nil {
		return false, err
	}
	central := r.Archive.CentralDepartment()
	for _, d := range depts {
		if d.custodian == p.UserID && (d.key == central || strings.HasPrefix(holder.Path, d.path)) {
			return true, nil
		}
	}
	return false, nil
}
