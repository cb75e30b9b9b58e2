// Package demo loads the demonstration organisation of `kefu serve --demo`:
// a group with one subsidiary per built-in policy pack, their departments
// and teams, and staff in every role. Later modules add their demo records
// (customers, work orders in every state …) here. Loading is idempotent.
package demo

import (
	"context"
	"fmt"
	"io"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/org"
	"kefu/internal/store"
)

// Password is the password of every demo user.
const Password = "kefu-demo-2026"

type unit struct {
	name, code, pack string
	kind             org.Kind
	children         []unit
	staff            []person
}

type person struct {
	username, name, position string
	roles                    []auth.Role
}

func dept(name string, staff []person, teams ...unit) unit {
	return unit{name: name, kind: org.Department, staff: staff, children: teams}
}

func team(name string, staff ...person) unit { return unit{name: name, kind: org.Team, staff: staff} }

func p(username, name, position string, roles ...auth.Role) person {
	return person{username, name, position, roles}
}

// tree is the demo group under the root unit.
var tree = []unit{
	{name: "幸福里物业服务有限公司", code: "WY", pack: "property", kind: org.Company, children: []unit{
		dept("客服中心", []person{p("wy.agent", "王芳", "客服专员", auth.RoleCSAgent), p("wy.supervisor", "李娜", "客服部主管", auth.RoleCSSupervisor)}),
		dept("工程部", []person{p("wy.dept", "赵强", "工程部主管", auth.RoleDeptStaff)},
			team("维修班", p("wy.repair", "孙师傅", "维修员", auth.RoleFieldStaff))),
		dept("管家部", []person{p("wy.assistant", "周敏", "物业助理", auth.RoleFieldStaff)}),
		dept("经理室", []person{p("wy.manager", "吴总", "项目经理", auth.RoleManager)}),
	}},
	{name: "城市燃气有限公司", code: "RQ", pack: "gas", kind: org.Company, children: []unit{
		dept("客户服务中心", []person{p("rq.agent", "陈静", "热线员", auth.RoleCSAgent), p("rq.supervisor", "刘洋", "客服主管", auth.RoleCSSupervisor)}),
		dept("安检所", nil, team("安检一班", p("rq.inspector", "郑伟", "安检员", auth.RoleFieldStaff))),
		dept("稽查科", []person{p("rq.auditor", "冯刚", "稽查员", auth.RoleAuditor)}),
		dept("档案室", []person{p("rq.archivist", "何丽", "档案管理员", auth.RoleArchivist)}),
	}},
	{name: "城区供电公司", code: "GD", pack: "power", kind: org.Company, children: []unit{
		dept("营销部", []person{p("gd.agent", "马丽", "营业员", auth.RoleCSAgent), p("gd.dept", "高峰", "客户经理", auth.RoleDeptStaff)}),
		dept("生技部", []person{p("gd.engineer", "林涛", "用电检查员", auth.RoleFieldStaff)}),
		dept("安监部", []person{p("gd.auditor", "黄勇", "安监专责", auth.RoleAuditor)}),
	}},
	{name: "置业有限公司", code: "ZY", pack: "realestate", kind: org.Company, children: []unit{
		dept("营销中心", []person{p("zy.sales1", "谢婷", "售楼员", auth.RoleSalesAgent), p("zy.sales2", "韩雪", "售楼员", auth.RoleSalesAgent),
			p("zy.salesmgr", "唐军", "销售经理", auth.RoleSalesManager)}),
		dept("客户服务部", []person{p("zy.agent", "曹颖", "客服专员", auth.RoleCSAgent)}),
	}},
	{name: "集团客户服务中心", code: "KF", pack: "general", kind: org.Company, children: []unit{
		dept("投诉受理组", []person{p("kf.agent", "许可", "热线员", auth.RoleCSAgent)}),
		dept("领导班子", []person{p("kf.manager", "邓总", "总经理", auth.RoleManager), p("kf.viewer", "宋阅", "督查员", auth.RoleViewer)}),
	}},
}

// Load creates the demo organisation and staff under the root unit unless
// they exist, and lists the demo sign-ins on out.
func Load(ctx context.Context, o *org.Service, a *auth.Service, out io.Writer) error {
	ctx = audit.WithActor(ctx, audit.System)
	if _, err := a.ByUsername(ctx, "wy.agent"); err == nil {
		fmt.Fprintf(out, "kefu: demo data already loaded; demo users sign in with password %s\n", Password)
		return nil
	} else if !apperr.Is(err, apperr.CodeNotFound) {
		return err
	}
	root, err := o.Root(ctx)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	var made []person
	var add func(parent store.ID, u unit) error
	add = func(parent store.ID, u unit) error {
		pid := parent
		created, err := o.Create(ctx, org.CreateInput{ParentID: &pid, Kind: u.kind, Name: u.name, Code: u.code, Pack: u.pack})
		if err != nil {
			return fmt.Errorf("demo unit %s: %w", u.name, err)
		}
		for _, s := range u.staff {
			if _, err := a.CreateWithHash(ctx, nil, auth.CreateUserInput{Username: s.username, Password: Password,
				DisplayName: s.name, Position: s.position, Roles: s.roles, OrgUnit: created.ID}, hash); err != nil {
				return fmt.Errorf("demo user %s: %w", s.username, err)
			}
			made = append(made, s)
		}
		for _, c := range u.children {
			if err := add(created.ID, c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, u := range tree {
		if err := add(root.ID, u); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "kefu: demo loaded: %d units, %d users; every demo user's password is %s\n", countUnits(tree), len(made), Password)
	for _, s := range made {
		fmt.Fprintf(out, "  %-14s %-6s %s\n", s.username, s.name, s.roles[0])
	}
	return nil
}

func countUnits(us []unit) int {
	n := len(us)
	for _, u := range us {
		n += countUnits(u.children)
	}
	return n
}
