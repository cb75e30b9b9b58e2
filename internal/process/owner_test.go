package process_test

import (
	"net/http"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/process"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestDocumentOwner: files attach to a process its readers see; another
// company's staff learn nothing of it, and a viewer may read but not attach.
func TestDocumentOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sp := f.supplyPoint("城北水泥厂")
		f.clk.Set(at("2026-03-02 09:00"))
		p, err := f.svc.Start(f.ctx, f.people["agent"], process.StartInput{Definition: "change.suspension", ServicePointID: sp.ID,
			Attributes: map[string]any{"from": "2026-04-01", "to": "2026-05-01", "capacity_kva": 400.0}})
		if err != nil {
			t.Fatal(err)
		}
		other := f.unit(*f.units["city"].ParentID, org.Company, "另一供电公司", "power")
		outsider := f.user(other, auth.RoleCSAgent)
		status := func(err error) int {
			if err == nil {
				return http.StatusOK
			}
			if e, ok := apperr.As(err); ok {
				return e.Status
			}
			t.Fatalf("unexpected %v", err)
			return 0
		}
		for _, c := range []struct {
			who   *auth.Principal
			write bool
			want  int
		}{
			{f.people["agent"], true, http.StatusOK},
			{f.people["viewer"], false, http.StatusOK},
			{f.people["viewer"], true, http.StatusForbidden},
			{outsider, false, http.StatusNotFound},
			{outsider, true, http.StatusNotFound},
		} {
			if got := status(f.svc.DocumentOwner(f.ctx, c.who, p.ID, c.write)); got != c.want {
				t.Errorf("%s write=%v: %d, want %d", c.who.Username, c.write, got, c.want)
			}
		}
		if got := status(f.svc.DocumentOwner(f.ctx, f.people["agent"], 987654, false)); got != http.StatusNotFound {
			t.Errorf("no such process: %d", got)
		}
	})
}
