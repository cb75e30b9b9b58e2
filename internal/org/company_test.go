package org_test

import (
	"context"
	"testing"

	"kefu/internal/org"
	"kefu/internal/store"
	"kefu/internal/store/storetest"
)

// TestCompanyOf: a unit's company is the nearest company at or above it;
// units above every company (the group) belong to the root.
func TestCompanyOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, root, _ := newService(t, db)
		company := mustCreate(t, s, root.ID, org.Company, "城市燃气有限公司")
		dept := mustCreate(t, s, company.ID, org.Department, "客户服务中心")
		team := mustCreate(t, s, dept.ID, org.Team, "热线一班")
		groupDept := mustCreate(t, s, root.ID, org.Department, "集团办公室")
		for _, c := range []struct {
			unit store.ID
			want store.ID
		}{{team.ID, company.ID}, {dept.ID, company.ID}, {company.ID, company.ID}, {groupDept.ID, root.ID}, {root.ID, root.ID}} {
			got, err := s.CompanyOf(context.Background(), c.unit)
			if err != nil || got.ID != c.want {
				t.Errorf("CompanyOf(%s) = %s %v, want %s", c.unit, got.ID, err, c.want)
			}
		}
	})
}
