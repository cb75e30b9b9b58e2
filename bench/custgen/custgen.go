// Package custgen generates realistic Chinese customer archives for
// benchmarks: people with common surnames and given names, a few
// organisations, mobile and landline phones, addresses down to
// district/street/小区/栋/单元/室, and service points with account numbers.
// The output is deterministic for a seed, so benchmark runs are comparable.
package custgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Customer is one generated customer with its service points.
type Customer struct {
	Kind    string // "person" or "organisation"
	Name    string
	Phone   string
	Address string
	Points  []Point
}

// Point is one generated service point (account).
type Point struct {
	Kind      string // gas_account, power_supply_point or property_unit
	AccountNo string // unique within a Gen
	Address   string
}

// Surnames, most frequent first; the generator draws them with a Zipf-like
// weight so 王, 李, 张 dominate as they do in China.
var Surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

// GivenChars are characters common in given names.
var GivenChars = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力鹏宇浩凯健俊帆帅旭宁斌亮飞波志晨云峰海新国成荣东林福春燕晶婷雪琳慧颖倩玲梅莉欣怡佳子晓嘉思雨涵博睿泽轩皓然诗梦瑶欢蕾琪悦")

// Districts of the generated city.
var Districts = []string{"朝阳区", "海淀区", "东城区", "西城区", "丰台区", "石景山区", "通州区", "昌平区", "大兴区", "顺义区", "房山区", "门头沟区"}

var streetHeads = []string{"建国", "幸福", "和平", "人民", "解放", "中山", "光明", "胜利", "友谊", "团结", "新华", "长安", "学院", "工业", "花园", "青年", "朝阳", "民主", "富强", "振兴", "滨河", "望京", "安贞", "金台", "双井", "劲松", "潘家园", "十里堡", "酒仙桥", "亮马桥"}
var streetTails = []string{"路", "街", "大街", "东路", "西路", "南路", "北路", "胡同"}
var estateHeads = []string{"幸福", "阳光", "金色", "碧水", "绿地", "锦绣", "翠微", "华清", "和谐", "康乐", "万科", "保利", "东方", "世纪", "丽景", "紫荆", "枫林", "桃源", "怡景", "龙湖", "银河", "星河", "泰和", "嘉园", "望海", "春风", "秀水", "瑞雪", "青山", "明珠", "松鹤", "润泽", "紫薇", "天通", "百合", "宏福", "首开", "远洋", "珠江", "富力"}
var estateMids = []string{"", "里", "苑", "湾", "城", "庭", "府", "园", "新村", "家园", "花园", "名苑", "雅居", "嘉园", "华庭", "公寓"}
var estateTails = []string{"小区", "", "", "社区"}
var orgHeads = []string{"鑫源", "宏达", "恒信", "华强", "永安", "盛世", "天成", "金鼎", "瑞丰", "兴隆", "利民", "德润", "佳和", "新悦", "博远"}
var orgTails = []string{"餐饮有限公司", "商贸有限公司", "物业管理有限公司", "饭店", "洗浴中心", "幼儿园", "学校", "酒店管理有限公司", "食品厂", "建材市场"}

// Gen produces customers; it is not safe for concurrent use.
type Gen struct {
	r       *rand.Rand
	zipfS   *rand.Zipf
	account int64
}

// New returns a generator for seed.
func New(seed uint64) *Gen {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &Gen{r: r, zipfS: rand.NewZipf(r, 1.1, 8, uint64(len(Surnames)-1)), account: 3100000000}
}

func (g *Gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// Name returns a person's name: a surname and one or two given characters.
func (g *Gen) Name() string {
	var b strings.Builder
	b.WriteRune(Surnames[g.zipfS.Uint64()])
	n := 1 + g.r.IntN(2)
	if g.r.IntN(10) < 4 { // two-character names are common
		n = 1
	}
	for range n {
		b.WriteRune(GivenChars[g.r.IntN(len(GivenChars))])
	}
	return b.String()
}

// Phone returns a mobile number (90 %) or a Beijing landline.
func (g *Gen) Phone() string {
	if g.r.IntN(10) == 0 {
		return fmt.Sprintf("010-%08d", g.r.IntN(100000000))
	}
	prefixes := []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "176", "177", "180", "185", "186", "187", "188", "189", "199"}
	return fmt.Sprintf("%s%08d", g.pick(prefixes), g.r.IntN(100000000))
}

// Address returns a full address: district, street and number, estate,
// building, unit and room.
func (g *Gen) Address() string {
	street := g.pick(streetHeads) + g.pick(streetTails)
	switch g.r.IntN(5) {
	case 0: // street address without estate
		return fmt.Sprintf("%s%s%d号", g.pick(Districts), street, 1+g.r.IntN(300))
	default:
		estate := g.pick(estateHeads) + g.pick(estateMids) + g.pick(estateTails)
		return fmt.Sprintf("%s%s%d号%s%d栋%d单元%d室", g.pick(Districts), street, 1+g.r.IntN(300), estate,
			1+g.r.IntN(30), 1+g.r.IntN(6), 100*(1+g.r.IntN(24))+1+g.r.IntN(4))
	}
}

// Next returns the next customer: 95 % people, 5 % organisations; 80 %
// have one service point, 15 % two, 5 % three (1.25 on average).
func (g *Gen) Next() Customer {
	c := Customer{Kind: "person", Phone: g.Phone(), Address: g.Address()}
	if g.r.IntN(20) == 0 {
		c.Kind = "organisation"
		c.Name = fmt.Sprintf("北京%s%s", g.pick(orgHeads), g.pick(orgTails))
	} else {
		c.Name = g.Name()
	}
	n := 1
	switch x := g.r.IntN(20); {
	case x == 0:
		n = 3
	case x <= 3:
		n = 2
	}
	kinds := []string{"gas_account", "power_supply_point", "property_unit"}
	for i := range n {
		g.account += 1 + int64(g.r.IntN(7))
		addr := c.Address
		if i > 0 {
			addr = g.Address()
		}
		c.Points = append(c.Points, Point{Kind: kinds[i], AccountNo: fmt.Sprintf("%d", g.account), Address: addr})
	}
	return c
}
