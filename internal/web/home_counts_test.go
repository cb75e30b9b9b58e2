package web_test

import (
	"net/http"
	"testing"

	"kefu/internal/auth"
)

// The 工单概况 card: figures that link to the queues, by status; not for a
// role without tickets:read.
func TestHomeTicketCounts(t *testing.T) {
	e := newTicketEnv(t)
	agent := e.signedIn("agent")
	create(t, agent, intake("卫生间灯泡不亮"))
	create(t, agent, intake("楼道灯不亮"))
	agent.get("/").want(t, http.StatusOK, `id="ticket-counts"`, "工单概况", "本月受理 2 件，办结 0 件",
		`<a class="tile figure" href="/tickets?tab=open"><span class="figure-n">2</span>未办结</a>`,
		`href="/tickets?tab=breached"><span class="figure-n">0</span>已超时`,
		`href="/tickets?tab=due"><span class="figure-n">0</span>即将到期`,
		`<span class="figure-n">2</span>今日受理`,
		`href="/tickets?status=new"><span class="figure-n">2</span>已受理`,
		`href="/tickets?status=closed"><span class="figure-n">0</span>已办结`)
	e.user("seller", "钱售", e.co, auth.RoleSalesAgent)
	e.signedIn("seller").get("/").lacks(t, `id="ticket-counts"`)
}
