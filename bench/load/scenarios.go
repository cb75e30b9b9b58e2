package load

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"

	"kefu/bench/custgen"
)

// Scenarios are the single scenarios in the order `all` runs them; "mixed"
// is a weighted mix of them.
var Scenarios = []string{"create", "queues", "search", "ticket", "action", "counts"}

// Mixed is the name of the weighted mix of the single scenarios.
const Mixed = "mixed"

// ParseScenarios reads a comma-separated list of scenario names; "" and
// "all" stand for Scenarios.
func ParseScenarios(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return Scenarios, nil
	}
	var out []string
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "all":
			out = append(out, Scenarios...)
		case scenarios[name] != nil:
			out = append(out, name)
		default:
			return nil, fmt.Errorf("unknown scenario %q (want %s, %s or all)", name, strings.Join(Scenarios, ", "), Mixed)
		}
	}
	return out, nil
}

// client is the state of one concurrent client; it is used by one
// goroutine only.
type client struct {
	t   *target
	n   int // client number
	i   int // requests sent so far
	rng *rand.Rand
	gen *custgen.Gen
}

// scenarios make the next request of a client.
var scenarios map[string]func(*client) request

func init() {
	scenarios = map[string]func(*client) request{
		"create": createRequest,
		"queues": queueRequest,
		"search": searchRequest,
		"ticket": ticketRequest,
		"action": actionRequest,
		"counts": countsRequest,
		Mixed:    mixedRequest,
	}
}

// mix is the weight of each single scenario in "mixed", in percent.
var mix = []struct {
	weight int
	next   func(*client) request
}{
	{10, createRequest}, {40, queueRequest}, {15, searchRequest}, {25, ticketRequest}, {5, actionRequest}, {5, countsRequest},
}

func mixedRequest(c *client) request {
	n := c.rng.IntN(100)
	for _, m := range mix {
		if n < m.weight {
			return m.next(c)
		}
		n -= m.weight
	}
	return queueRequest(c)
}

// createBody is the JSON of POST /api/v1/tickets; the channel is left to
// the server's default.
type createBody struct {
	Pack        string    `json:"pack"`
	Category    string    `json:"category"`
	Customer    partyBody `json:"customer"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
}

type partyBody struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Address string `json:"address"`
}

// createRequest registers a work order of the next category (rotating
// over every pack's categories); three in ten callers are customers seen
// in existing work orders, the others are new.
func createRequest(c *client) request {
	cat := c.t.cats[(c.n*7+c.i)%len(c.t.cats)]
	var p partyBody
	if len(c.t.parties) > 0 && c.rng.IntN(10) < 3 {
		p = c.t.parties[c.rng.IntN(len(c.t.parties))]
	} else {
		p = partyBody{Name: c.gen.Name(), Phone: mobile(c.rng), Address: c.gen.Address()}
	}
	subject := pick(c.rng, subjects[cat.group])
	if subject == "" {
		subject = cat.name
	}
	desc := fmt.Sprintf("%s来电反映：%s，%s。%s联系电话%s，请尽快安排处理。", p.Name, p.Address, subject,
		pick(c.rng, details), p.Phone)
	body, _ := json.Marshal(createBody{Pack: cat.pack, Category: cat.key, Customer: p, Subject: subject, Description: desc})
	return request{method: "POST", path: "/api/v1/tickets", body: body, created: true}
}

// queueFilters are the work-order queues the "queues" scenario rotates
// over; "category" and "unit" take a discovered value.
var queueFilters = []string{"", "status=new", "status=in_progress", "status=closed", "breached=true",
	"due_soon=true", "mine=true", "category", "unit"}

func queueRequest(c *client) request {
	k := c.n + c.i
	f := queueFilters[k%len(queueFilters)]
	round := k / len(queueFilters)
	switch f {
	case "category":
		f = "category=" + url.QueryEscape(c.t.categories[round%len(c.t.categories)])
	case "unit":
		if len(c.t.units) == 0 {
			f = ""
		} else {
			f = "unit=" + c.t.units[round%len(c.t.units)]
		}
	}
	path := "/api/v1/tickets?limit=50"
	if f != "" {
		path += "&" + f
	}
	return request{method: "GET", path: path}
}

// searchKinds are the kinds of free-text query the "search" scenario
// rotates over.
const searchKinds = 6

func searchRequest(c *client) request {
	var q string
	switch (c.n + c.i) % searchKinds {
	case 0: // a Chinese fragment
		q = pick(c.rng, fragments)
	case 1: // the last 4 digits of a phone
		q = c.t.phone(c.rng)[7:]
	case 2: // 7 digits of a phone
		q = c.t.phone(c.rng)[2:9]
	case 3: // the day part of a work-order number
		if n := c.t.number(c.rng); n != "" {
			q = n[:8]
		} else {
			q = "20261123"
		}
	case 4: // the sequence part of a work-order number
		if n := c.t.number(c.rng); len(n) >= 6 {
			q = n[len(n)-6:]
		} else {
			q = "000042"
		}
	default:
		q = pick(c.rng, noMatch)
	}
	return request{method: "GET", path: "/api/v1/tickets?limit=50&q=" + url.QueryEscape(q)}
}

func ticketRequest(c *client) request {
	return request{method: "GET", path: "/api/v1/tickets/" + c.t.pick(c.rng, false)}
}

// actionRequest adds a note (allowed in every status) to a work order,
// preferably an open one.
func actionRequest(c *client) request {
	body := noteBodies[c.rng.IntN(len(noteBodies))]
	return request{method: "POST", path: "/api/v1/tickets/" + c.t.pick(c.rng, true) + "/actions", body: body}
}

func countsRequest(*client) request {
	return request{method: "GET", path: "/api/v1/tickets/counts"}
}

// mobile is a random mainland mobile number: 1 and ten digits.
func mobile(r *rand.Rand) string {
	heads := []string{"13", "15", "17", "18", "19"}
	return fmt.Sprintf("%s%09d", heads[r.IntN(len(heads))], r.IntN(1_000_000_000))
}

func pick(r *rand.Rand, s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[r.IntN(len(s))]
}

// subjects are typical subjects per category group.
var subjects = map[string][]string{
	"repair": {"卫生间漏水", "厨房水管漏水", "楼道灯不亮", "电梯故障停运", "暖气不热", "下水道堵塞", "入户门锁损坏",
		"家中突然停电", "燃气灶打不着火", "外墙渗水"},
	"alarm":       {"闻到燃气味，疑似泄漏", "小区突然停电", "楼道有烟味", "地下室漏水严重", "燃气表异响"},
	"complaint":   {"物业服务态度差", "维修人员未按约定时间上门", "楼上噪音扰民", "小区垃圾清运不及时", "停电未提前通知", "燃气抢修响应慢"},
	"inquiry":     {"咨询物业费缴纳方式", "咨询燃气开户流程", "咨询计划停电时间", "咨询维修进度", "咨询电费账单明细"},
	"fee":         {"电费异常偏高", "燃气费扣款有误", "物业费收费标准有疑问", "预存电费未到账"},
	"errand":      {"代办燃气表移位", "代为联系维修人员上门", "代收快递", "协助办理水电过户"},
	"application": {"申请燃气开户", "申请用电增容", "申请装修备案", "申请更换燃气表", "申请办理过户"},
	"feedback":    {"表扬维修师傅服务热情", "建议增加小区停车位", "建议延长物业服务中心办公时间"},
	"letters":     {"来信反映小区绿化问题", "来信反映燃气管道老化", "来信反映供电可靠性问题"},
}

// details make descriptions longer and give the search fragments
// something to find.
var details = []string{
	"客户称已持续两天，", "客户情绪较急，", "家中有老人，", "邻居也有同样情况，", "此前已报修过一次，",
	"客户要求物业尽快上门，", "客户担心燃气安全，", "客户称楼上漏水影响到自家，", "小区多户停电，", "",
}

// fragments are Chinese search fragments of the "search" scenario.
var fragments = []string{"幸福", "小区", "漏水", "燃气", "停电", "物业", "维修", "投诉", "花园", "单元"}

// noMatch are queries that match nothing.
var noMatch = []string{"查无此单", "zzqx", "飞船着陆"}

// noteBodies are the bodies of the "action" scenario: notes.
var noteBodies = func() [][]byte {
	var out [][]byte
	for _, n := range []string{"客户来电催办，已告知处理进度。", "已电话联系客户，约定明天上午上门。", "维修人员已出发。",
		"客户不在家，改约时间。", "已向部门负责人报告。"} {
		b, _ := json.Marshal(map[string]string{"action": "note", "note": n})
		out = append(out, b)
	}
	return out
}()
