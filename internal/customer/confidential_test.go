package customer_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"kefu/internal/auth"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestMaskIDNumber(t *testing.T) {
	for in, want := range map[string]string{"110101199003071234": "1101**********1234", "12345678": "********",
		"A1234567890": "A123***7890", "": ""} {
		if got := customer.MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConfidentialPerRole opens one household as every role: the identity
// number is masked "1101**********1234" and the household profile hidden
// unless the role holds customers:confidential and the pack names it for
// that group (SEC-009, SEC-010, CUS-020); a report's contact record is
// hidden from all but the reporter viewers (SEC-007). Every unmasked view
// writes one audit row naming the groups shown; masked views write none.
func TestConfidentialPerRole(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.property)
		c := f.create(agent, customer.Input{Name: "钱业主", IDNumber: "110101199003071234", Phone: "13800000005",
			Profile:       map[string]string{"family_members": "夫妻二人，一子", "health": "男主人心脏病"},
			ServicePoints: []customer.ServicePointInput{{Kind: "property_unit", AccountNo: "5-1202"}}})
		if c.IDNumber != "1101**********1234" || c.Profile != nil {
			t.Errorf("creation answer shows %q %v", c.IDNumber, c.Profile)
		}
		if _, err := f.svc.AddContact(f.ctx, agent, c.ID, customer.ContactInput{Channel: "phone", Summary: "举报邻居私改燃气管道",
			Reporter: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddContact(f.ctx, agent, c.ID, customer.ContactInput{Channel: "visit", Summary: "上门回访"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			role                  auth.Role
			id, profile, reporter bool
		}{
			{auth.RoleCSAgent, false, false, false},
			{auth.RoleViewer, false, false, false},
			{auth.RoleFieldStaff, false, false, false},
			{auth.RoleDeptStaff, false, false, false},
			{auth.RoleAuditor, false, false, false}, // SEC-007 example: the auditor sees a protected reporter
			{auth.RoleSalesAgent, false, false, false},
			{auth.RoleAdmin, false, false, false},       // the pack does not name the administrator
			{auth.RoleCSSupervisor, false, true, false}, // property names the supervisor for the profile only
			{auth.RoleManager, true, true, true},
			{auth.RoleArchivist, true, true, true},
		} {
			t.Run(string(tc.role), func(t *testing.T) {
				p := f.as(tc.role, f.property)
				before := f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.view_confidential'")
				got, err := f.svc.Get(f.ctx, p, c.ID)
				isNil(t, err)
				if tc.id != (got.IDNumber == "110101199003071234") || !tc.id && got.IDNumber != "1101**********1234" {
					t.Errorf("id_number %q", got.IDNumber)
				}
				if tc.profile != (got.Profile["health"] == "男主人心脏病") {
					t.Errorf("profile %v", got.Profile)
				}
				reports := slices.ContainsFunc(got.Contacts, func(k customer.Contact) bool { return k.Reporter })
				if tc.reporter != reports || len(got.Contacts) != map[bool]int{true: 2, false: 1}[tc.reporter] {
					t.Errorf("contacts %+v", got.Contacts)
				}
				var shown []string
				for group, on := range map[string]bool{"id_number": tc.id, "profile": tc.profile, "reporter": tc.reporter} {
					if on {
						shown = append(shown, group)
					} else if group != "reporter" && !slices.Contains(got.Masked, group) {
						t.Errorf("masked %v lacks %s", got.Masked, group)
					}
				}
				after := f.count("SELECT count(*) FROM audit_log WHERE action = 'customer.view_confidential'")
				if len(shown) == 0 {
					if after != before {
						t.Errorf("a masked view wrote %d audit rows", after-before)
					}
					return
				}
				if after != before+1 {
					t.Fatalf("%d audit rows for an unmasked view, want 1", after-before)
				}
				var changes string
				var actor int64
				if err := f.db.Reader().QueryRow(f.ctx, `SELECT changes, coalesce(actor_id, 0) FROM audit_log
					WHERE action = 'customer.view_confidential' AND object_id = ? ORDER BY seq DESC LIMIT 1`, c.ID.String()).Scan(&changes, &actor); err != nil {
					t.Fatal(err)
				}
				var ch struct{ Fields []string }
				_ = json.Unmarshal([]byte(changes), &ch)
				slices.Sort(ch.Fields)
				slices.Sort(shown)
				if !slices.Equal(ch.Fields, shown) || store.ID(actor) != p.UserID {
					t.Errorf("audit %s by %d, want fields %v by %d", changes, actor, shown, p.UserID)
				}
			})
		}
		// Lists never show confidential values.
		pg, err := f.svc.List(f.ctx, f.as(auth.RoleManager, f.property), customer.Filter{})
		isNil(t, err)
		if len(pg.Items) != 1 || pg.Items[0].IDNumber != "1101**********1234" || pg.Items[0].Profile != nil {
			t.Errorf("list: %+v", pg.Items)
		}
		// The gas pack names no supervisor for the profile.
		gc := f.create(f.as(auth.RoleCSAgent, f.gas), customer.Input{Name: "孙", Type: "residential", Profile: map[string]string{"habits": "早出晚归"}})
		got, err := f.svc.Get(f.ctx, f.as(auth.RoleCSSupervisor, f.gas), gc.ID)
		isNil(t, err)
		if got.Profile != nil {
			t.Errorf("gas supervisor sees the profile %v", got.Profile)
		}
		// Field history masks as the record does.
		cur, err := f.svc.Get(f.ctx, f.as(auth.RoleCSAgent, f.property), c.ID)
		isNil(t, err)
		newID := "110101199003079999"
		if _, err := f.svc.Update(f.ctx, agent, c.ID, customer.Patch{Version: cur.Version, IDNumber: &newID}); err != nil {
			t.Fatal(err)
		}
		h, err := f.svc.History(f.ctx, agent, c.ID)
		isNil(t, err)
		if len(h.Fields) != 1 || h.Fields[0].Old != "1101**********1234" || h.Fields[0].New != "1101**********9999" || !h.Fields[0].Masked {
			t.Errorf("agent's history %+v", h.Fields)
		}
		h, err = f.svc.History(f.ctx, f.as(auth.RoleArchivist, f.property), c.ID)
		isNil(t, err)
		if h.Fields[0].Old != "110101199003071234" || h.Fields[0].New != newID {
			t.Errorf("archivist's history %+v", h.Fields)
		}
		// Out of scope: another company's customer is not found.
		_, err = f.svc.Get(f.ctx, f.as(auth.RoleManager, f.gas), c.ID)
		wantErr(t, err, http.StatusNotFound, "customer")
	})
}

// TestDuplicateCandidates is CUS-016's example: "王先生, 大众, 粤B 12345"
// matches "王小明, 大众, 粤B12345" on plate + surname; phone digits match
// whatever their width; name + address match.
func TestDuplicateCandidates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		wang := f.create(agent, customer.Input{Name: "王小明", Phone: "13812345678", Address: "幸福里3栋", Type: "residential",
			CarBrand: "大众", CarPlate: "粤B12345"})
		keys := func(in customer.Input) []string {
			t.Helper()
			cs, err := f.svc.Candidates(f.ctx, agent, in)
			isNil(t, err)
			for _, c := range cs {
				if c.ID == wang.ID {
					return c.Keys
				}
			}
			return nil
		}
		if k := keys(customer.Input{Name: "王先生", CarBrand: "大众", CarPlate: "粤b 12345"}); !slices.Equal(k, []string{"plate_surname"}) {
			t.Errorf("plate + surname: %v", k)
		}
		if k := keys(customer.Input{Name: "李先生", CarPlate: "粤B12345"}); k != nil {
			t.Errorf("another surname matched %v", k)
		}
		if k := keys(customer.Input{Name: "王先生", CarBrand: "丰田", CarPlate: "粤B12345"}); k != nil {
			t.Errorf("another brand matched %v", k)
		}
		if k := keys(customer.Input{Name: "某人", Phone: "１３８-１２３４-５６７８"}); !slices.Equal(k, []string{"phone"}) {
			t.Errorf("full-width phone: %v", k)
		}
		if k := keys(customer.Input{Name: "王 小明", Address: "幸福里 3栋"}); !slices.Equal(k, []string{"name_address"}) {
			t.Errorf("name + address: %v", k)
		}
		if k := keys(customer.Input{Name: "王小明", Address: "光明路"}); k != nil {
			t.Errorf("same name elsewhere matched %v (the gas pack uses name + address)", k)
		}
		// Create answers the candidates and still creates (the user decides).
		c, cands, err := f.svc.Create(f.ctx, agent, customer.Input{Name: "王先生", Type: "residential", Phone: "１３８１２３４５６７８",
			CarBrand: "大众", CarPlate: "粤B·12345"})
		isNil(t, err)
		if len(cands) != 1 || cands[0].ID != wang.ID || !slices.Equal(cands[0].Keys, []string{"phone", "plate_surname"}) {
			t.Errorf("candidates %+v", cands)
		}
		if c.Phone != "13812345678" || c.CarPlate != "粤B12345" {
			t.Errorf("stored phone %q plate %q", c.Phone, c.CarPlate)
		}
		// Another company's customers are outside the agent's scope.
		other := f.as(auth.RoleCSAgent, f.power)
		cs, err := f.svc.Candidates(f.ctx, other, customer.Input{Phone: "13812345678"})
		isNil(t, err)
		if len(cs) != 0 {
			t.Errorf("out-of-scope candidates %+v", cs)
		}
	})
}

// TestMergeKeepsHistory merges a duplicate (CUS-016): its service points
// move, its contacts and history stay visible on the kept record, it
// leaves lists, and its id answers with the kept record.
func TestMergeKeepsHistory(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		keep := f.create(agent, customer.Input{Name: "周一", Phone: "13800000010", Type: "residential"})
		dup := f.create(agent, customer.Input{Name: "周一", Phone: "13800000011", Type: "residential",
			ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "A-77"}}})
		addr := "光明路1号"
		dup, err := f.svc.Update(f.ctx, agent, dup.ID, customer.Patch{Version: dup.Version, Address: &addr})
		isNil(t, err)
		_, err = f.svc.AddContact(f.ctx, agent, dup.ID, customer.ContactInput{Channel: "phone", Summary: "咨询账单"})
		isNil(t, err)

		_, err = f.svc.Merge(f.ctx, agent, keep.ID, dup.ID, "同一人")
		wantErr(t, err, http.StatusForbidden, "")
		sup := f.as(auth.RoleCSSupervisor, f.gas)
		_, err = f.svc.Merge(f.ctx, sup, keep.ID, dup.ID, "")
		wantErr(t, err, http.StatusUnprocessableEntity, "reason")
		got, err := f.svc.Merge(f.ctx, sup, keep.ID, dup.ID, "同一人，两个号码")
		isNil(t, err)
		if len(got.ServicePoints) != 1 || got.ServicePoints[0].AccountNo != "A-77" || !slices.Equal(got.MergedIDs, []store.ID{dup.ID}) {
			t.Errorf("kept: points %+v merged %v", got.ServicePoints, got.MergedIDs)
		}
		viaDup, err := f.svc.Get(f.ctx, agent, dup.ID)
		isNil(t, err)
		if viaDup.ID != keep.ID || len(viaDup.Contacts) != 1 || viaDup.Contacts[0].CustomerID != dup.ID {
			t.Errorf("Get(merged) = %d with contacts %+v", viaDup.ID, viaDup.Contacts)
		}
		pg, err := f.svc.List(f.ctx, agent, customer.Filter{})
		isNil(t, err)
		if len(pg.Items) != 1 || pg.Items[0].ID != keep.ID {
			t.Errorf("list after merge: %d items", len(pg.Items))
		}
		h, err := f.svc.History(f.ctx, agent, keep.ID)
		isNil(t, err)
		var fields []string
		for _, x := range h.Fields {
			fields = append(fields, x.Field)
		}
		if !slices.Contains(fields, "merged_from") || !slices.Contains(fields, "merged_into") || !slices.Contains(fields, "address") {
			t.Errorf("history of both records: %v", fields)
		}
		if n := f.count("SELECT count(*) FROM customer_merges WHERE kept_id = ? AND merged_id = ?", keep.ID, dup.ID); n != 1 {
			t.Errorf("%d merge rows", n)
		}
		_, err = f.svc.Merge(f.ctx, sup, keep.ID, dup.ID, "again")
		wantErr(t, err, http.StatusConflict, "merge_id")
		// A contact on the merged id goes to the kept record.
		k, err := f.svc.AddContact(f.ctx, agent, dup.ID, customer.ContactInput{Channel: "visit", Summary: "上门"})
		isNil(t, err)
		if k.CustomerID != keep.ID {
			t.Errorf("contact on merged id stored on %d", k.CustomerID)
		}
	})
}

// TestUpdateHistoryAndVersion: every changed field gets a history row
// with old and new value (CUS-018); a stale version is a 409 and writes
// nothing.
func TestUpdateHistoryAndVersion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		c := f.create(agent, customer.Input{Name: "吴", Phone: "13800000020", Type: "residential"})
		phone, groups := "１３９００００００２１", []string{"elderly"}
		up, err := f.svc.Update(f.ctx, agent, c.ID, customer.Patch{Version: c.Version, Phone: &phone, SpecialGroups: &groups})
		isNil(t, err)
		if up.Version != c.Version+1 || up.Phone != "13900000021" || !slices.Equal(up.SpecialGroups, groups) {
			t.Errorf("updated: v%d %q %v", up.Version, up.Phone, up.SpecialGroups)
		}
		rows := f.count("SELECT count(*) FROM customer_history WHERE customer_id = ?", c.ID)
		if rows != 2 {
			t.Errorf("%d history rows, want 2 (phone, special_groups)", rows)
		}
		if n := f.count("SELECT count(*) FROM customer_history WHERE customer_id = ? AND field = 'phone' AND old_value = '13800000020' AND new_value = '13900000021'", c.ID); n != 1 {
			t.Error("no phone row with old and new value")
		}
		name := "吴某"
		_, err = f.svc.Update(f.ctx, agent, c.ID, customer.Patch{Version: c.Version, Name: &name})
		wantErr(t, err, http.StatusConflict, "version")
		if n := f.count("SELECT count(*) FROM customer_history WHERE customer_id = ?", c.ID); n != rows {
			t.Error("a stale update wrote history")
		}
		_, err = f.svc.Update(f.ctx, agent, c.ID, customer.Patch{Name: &name})
		wantErr(t, err, http.StatusUnprocessableEntity, "version")
		bad := "rich"
		_, err = f.svc.Update(f.ctx, agent, c.ID, customer.Patch{Version: up.Version, SpecialGroups: &[]string{bad}})
		wantErr(t, err, http.StatusUnprocessableEntity, "special_groups[0]")
		_, err = f.svc.Update(f.ctx, f.as(auth.RoleViewer, f.gas), c.ID, customer.Patch{Version: up.Version, Name: &name})
		wantErr(t, err, http.StatusForbidden, "")
		// Contact records are append-only in the database itself (SEC-002).
		k, err := f.svc.AddContact(f.ctx, agent, c.ID, customer.ContactInput{Channel: "letter", Summary: "来信"})
		isNil(t, err)
		err = db.Tx(f.ctx, func(tx store.Conn) error {
			_, err := tx.Exec(f.ctx, "UPDATE customer_contacts SET summary = 'x' WHERE id = ?", k.ID)
			return err
		})
		if err == nil {
			t.Error("a contact record was changed")
		}
		_, err = f.svc.AddContact(f.ctx, agent, c.ID, customer.ContactInput{Channel: "pigeon", Summary: "x"})
		wantErr(t, err, http.StatusUnprocessableEntity, "channel")
	})
}

// TestListFilters: the substring search and the filters, in row scope.
func TestListFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		agent := f.as(auth.RoleCSAgent, f.gas)
		a := f.create(agent, customer.Input{Name: "郑一", Address: "朝阳区幸福里小区3栋", Type: "residential", SpecialGroups: []string{"elderly"},
			ServicePoints: []customer.ServicePointInput{{Kind: "gas_account", AccountNo: "GA-5566"}}})
		b := f.create(agent, customer.Input{Name: "郑二", Phone: "13700000030", Type: "commercial", Grade: "B"})
		branch, err := org.New(org.Options{DB: db}).Create(f.ctx, org.CreateInput{ParentID: &f.gas.ID, Kind: org.Department, Name: "东区"})
		isNil(t, err)
		inBranch := f.create(agent, customer.Input{Name: "郑三", Type: "residential", OrgUnit: &branch.ID})
		ids := func(fl customer.Filter, p *auth.Principal) []store.ID {
			pg, err := f.svc.List(f.ctx, p, fl)
			isNil(t, err)
			var out []store.ID
			for _, c := range pg.Items {
				out = append(out, c.ID)
			}
			return out
		}
		for _, c := range []struct {
			name string
			f    customer.Filter
			want []store.ID
		}{
			{"q address", customer.Filter{Q: "幸福里"}, []store.ID{a.ID}},
			{"q account", customer.Filter{Q: "5566"}, []store.ID{a.ID}},
			{"q phone", customer.Filter{Q: "0000003"}, []store.ID{b.ID}},
			{"type", customer.Filter{Type: "commercial"}, []store.ID{b.ID}},
			{"grade", customer.Filter{Grade: "b"}, []store.ID{b.ID}},
			{"special group", customer.Filter{SpecialGroup: "elderly"}, []store.ID{a.ID}},
			{"unit", customer.Filter{Unit: branch.ID}, []store.ID{inBranch.ID}},
			{"all", customer.Filter{}, []store.ID{inBranch.ID, b.ID, a.ID}},
		} {
			if got := ids(c.f, agent); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
		if got := ids(customer.Filter{}, f.as(auth.RoleCSAgent, branch)); !slices.Equal(got, []store.ID{inBranch.ID}) {
			t.Errorf("branch agent sees %v", got)
		}
		pg, err := f.svc.List(f.ctx, agent, customer.Filter{Limit: 2})
		isNil(t, err)
		if len(pg.Items) != 2 || pg.Next == "" {
			t.Fatalf("page 1: %d items next %q", len(pg.Items), pg.Next)
		}
		if got := ids(customer.Filter{Limit: 2, Cursor: pg.Next}, agent); !slices.Equal(got, []store.ID{a.ID}) {
			t.Errorf("page 2: %v", got)
		}
	})
}
