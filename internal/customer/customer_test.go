package customer_test

import (
	"context"
	"net/http"
	"testing"

	"kefu/internal/apperr"
	"kefu/internal/customer"
	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

func TestPhoneKey(t *testing.T) {
	for in, want := range map[string]string{"138 0000-0000": "13800000000", "１３８０００００００": "1380000000",
		"(010) 6512-3456": "01065123456", "": ""} {
		if got := customer.PhoneKey(in); got != want {
			t.Errorf("PhoneKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		in    customer.Input
		field string
	}{
		{customer.Input{Name: "王芳", Phone: "13800000000"}, ""},
		{customer.Input{Phone: "１３８００００００００"}, ""},
		{customer.Input{Name: "王芳", Phone: "123456"}, "customer.phone"},           // 6 digits
		{customer.Input{Name: "王芳", Phone: "1234567890123456"}, "customer.phone"}, // 16 digits
		{customer.Input{Name: "王芳", Phone: "138abc00000"}, "customer.phone"},
		{customer.Input{}, "customer.name"},
		{customer.Input{Name: "x", Kind: "robot"}, "customer.kind"},
	} {
		err := c.in.ValidateIntake("customer")
		e, _ := apperr.As(err)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.in, err)
		case c.field != "" && (e == nil || e.Field != c.field || e.Status != http.StatusUnprocessableEntity):
			t.Errorf("%+v: %v, want 422 %s", c.in, err, c.field)
		}
	}
}

// TestFindOrCreate finds a customer by the phone key whatever the digits'
// width, prefers the same name, and creates one otherwise.
func TestFindOrCreate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		root, err := org.New(org.Options{DB: db}).EnsureRoot(ctx, "集团")
		if err != nil {
			t.Fatal(err)
		}
		s := customer.New(customer.Options{DB: db})
		find := func(in customer.Input) (customer.Customer, bool) {
			var c customer.Customer
			var created bool
			err := db.Tx(ctx, func(tx store.Conn) error {
				var err error
				c, created, err = s.FindOrCreate(ctx, tx, in, root.ID, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return c, created
		}
		a, created := find(customer.Input{Name: "王芳", Phone: "138-0000-0000", Address: "3栋"})
		if !created || a.PhoneKey != "13800000000" {
			t.Fatalf("first: %+v created %v", a, created)
		}
		b, created := find(customer.Input{Name: "王芳", Phone: "１３８００００００００"})
		if created || b.ID != a.ID {
			t.Errorf("same phone: %+v created %v", b, created)
		}
		c, created := find(customer.Input{Name: "李雷", Address: "5栋"})
		if !created || c.ID == a.ID {
			t.Errorf("no phone: %+v", c)
		}
		if d, created := find(customer.Input{Name: "李雷", Address: "5栋"}); created || d.ID != c.ID {
			t.Errorf("same name and address: %+v created %v", d, created)
		}
		got, err := s.Load(ctx, db.Reader(), a.ID)
		if err != nil || got.Name != "王芳" || got.OrgUnitID != root.ID {
			t.Errorf("get: %+v %v", got, err)
		}
	})
}
