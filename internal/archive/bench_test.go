package archive

import (
	"fmt"
	"testing"

	"kefu/internal/calendar"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// benchFiles is the size of the benchmark archive: a company of 50,000
// property units, each file with its sales and contract volumes and four
// documents (100,000 volumes, 200,000 items).
const benchFiles = 50000

// benchArchive seeds the archive in one transaction on SQLite.
func benchArchive(b *testing.B) *fixture {
	db := storetest.OpenSQLite(b)
	fx := newFixture(b, db)
	ctx, gmo, now := fx.ctx, fx.dept["gmo"], store.Micros(fx.clock.Now())
	err := db.Tx(ctx, func(tx store.Conn) error {
		for i := range benchFiles {
			building, unit := fmt.Sprint(i/1000+1), fmt.Sprintf("%04d", i%1000+101)
			number := fmt.Sprintf("XD-%02s-%s", building, unit)
			file, err := tx.InsertID(ctx, `INSERT INTO archive_files (company_id, number, kind, title, project, building, unit_no,
				sort_key, level, holder_unit_id, created_at, updated_at) VALUES (?, ?, 'unit', ?, 'XD', ?, ?, ?, 'C', ?, ?, ?) RETURNING id`,
				fx.company, number, "XD "+building+"-"+unit, building, unit, SortKey(KindUnit, "XD", building, unit, number), gmo, now, now)
			if err != nil {
				return err
			}
			for j, cat := range []string{"3.1", "3.2"} {
				archived := fmt.Sprintf("%d-%02d-%02d", 2016+i%10, j+1, i%28+1)
				eligible, _ := EligibleOn(mustDate(archived), 10)
				vol, err := tx.InsertID(ctx, `INSERT INTO archive_volumes (file_id, company_id, category, number, state, archived_on,
					retention_months, eligible_on, created_at, updated_at) VALUES (?, ?, ?, ?, 'archived', ?, 120, ?, ?, ?) RETURNING id`,
					file, fx.company, cat, number+"-"+cat, archived, eligible.String(), now, now)
				if err != nil {
					return err
				}
				for k := range 2 {
					if _, err := tx.Exec(ctx, `INSERT INTO archive_items (company_id, file_id, volume_id, category, title, medium,
						holder_unit_id, received_at, filing_due_at, filed_at, state, created_at)
						VALUES (?, ?, ?, ?, ?, 'paper', ?, ?, ?, ?, 'filed', ?)`, fx.company, file, vol, cat,
						fmt.Sprintf("资料%d", k), gmo, now, now, now, now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return fx
}

// BenchmarkArchive: the archivist's hot pages over 50,000 files — the
// catalogue's first page and a search, one file with its volumes, and the
// retention dashboard.
func BenchmarkArchive(b *testing.B) {
	fx := benchArchive(b)
	b.Run("ListFirstPage", func(b *testing.B) {
		for b.Loop() {
			if p, err := fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Limit: 50}); err != nil || len(p.Items) != 50 {
				b.Fatal(len(p.Items), err)
			}
		}
	})
	b.Run("SearchNumber", func(b *testing.B) {
		for b.Loop() {
			if p, err := fx.svc.ListFiles(fx.ctx, fx.archivist, FileFilter{Q: "XD-37-0505", Limit: 50}); err != nil || len(p.Items) != 1 {
				b.Fatal(len(p.Items), err)
			}
		}
	})
	var id store.ID
	if err := fx.db.Reader().QueryRow(fx.ctx, "SELECT id FROM archive_files WHERE number = 'XD-37-0505'").Scan(&id); err != nil {
		b.Fatal(err)
	}
	b.Run("GetFile", func(b *testing.B) {
		for b.Loop() {
			if f, err := fx.svc.GetFile(fx.ctx, fx.archivist, id); err != nil || len(f.Volumes) != 2 {
				b.Fatal(err)
			}
		}
	})
	b.Run("Retention", func(b *testing.B) {
		for b.Loop() {
			if r, err := fx.svc.Retention(fx.ctx, fx.archivist, 0); err != nil || r.Archived != 2*benchFiles {
				b.Fatal(r.Archived, err)
			}
		}
	})
}

func mustDate(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
