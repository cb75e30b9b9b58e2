package i18n

import (
	"net/http/httptest"
	"testing"
)

func TestFromAcceptLanguage(t *testing.T) {
	for _, c := range []struct {
		header string
		want   Locale
	}{
		{"", ZH},
		{"en", EN},
		{"en-US", EN},
		{"EN_gb", EN},
		{"zh-CN", ZH},
		{"zh-Hant-TW", ZH},
		{"fr", ZH},                             // unsupported: the default
		{"fr-FR, de;q=0.9", ZH},                // nothing supported
		{"fr-FR, en;q=0.5", EN},                // first supported
		{"en;q=0.5, zh;q=0.9", ZH},             // q-values, not order, decide
		{"zh;q=0.4, en;q=0.8", EN},             //
		{"zh-CN,zh;q=0.9,en;q=0.8", ZH},        // a browser in China
		{"en-US,en;q=0.9,zh-CN;q=0.8", EN},     // a browser in the US
		{"en;q=0.7, zh;q=0.7", EN},             // a tie keeps the first
		{" en ; q=0.2 , zh ; q=0.1 ", EN},      // blanks
		{"en;q=0.3, zh;q=bogus", EN},           // an unreadable q counts as 0
		{"*", ZH},                              // wildcard: the default
		{"en-US;q=1.0, zh;q=1", EN},            // equal q
		{"zh;q=0.001, de;q=1, en;q=0.002", EN}, // small differences count
	} {
		if got := FromAcceptLanguage(c.header); got != c.want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", c.header, got, c.want)
		}
	}
}

func TestFromRequest(t *testing.T) {
	for _, c := range []struct {
		cookie, accept string
		want           Locale
	}{
		{"", "", ZH},
		{"", "en", EN},
		{"en", "zh-CN", EN},      // the chosen language wins
		{"zh-CN", "en-US", ZH},   //
		{"klingon", "en", EN},    // an unknown cookie value is ignored
		{"", "de, en;q=0.1", EN}, //
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+c.cookie)
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		if got := FromRequest(r); got != c.want {
			t.Errorf("cookie %q, Accept-Language %q: %s, want %s", c.cookie, c.accept, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		tag  string
		want Locale
		ok   bool
	}{
		{"zh", ZH, true}, {"ZH-cn", ZH, true}, {"zh_TW", ZH, true}, {" en ", EN, true}, {"en-GB", EN, true},
		{"english", "", false}, {"zhx", "", false}, {"", "", false}, {"de", "", false},
	} {
		got, ok := Parse(c.tag)
		if got != c.want || ok != c.ok {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", c.tag, got, ok, c.want, c.ok)
		}
	}
}

func TestTextIn(t *testing.T) {
	for _, c := range []struct {
		text   Text
		zh, en string
	}{
		{T("你好", "hello"), "你好", "hello"},
		{T("密码至少%d位", "password must have at least %d characters", 8), "密码至少8位", "password must have at least 8 characters"},
		{T("%s下不能设%s", "a %s cannot contain a %s", "班组", "公司"), "班组下不能设公司", "a 班组 cannot contain a 公司"},
		{T("只有中文", ""), "只有中文", "只有中文"}, // no English: fall back to Chinese
		{T("100%", "100%"), "100%", "100%"}, // no args: no formatting
	} {
		if got := c.text.In(ZH); got != c.zh {
			t.Errorf("In(ZH) = %q, want %q", got, c.zh)
		}
		if got := c.text.In(EN); got != c.en {
			t.Errorf("In(EN) = %q, want %q", got, c.en)
		}
		if got := c.text.String(); got != c.en {
			t.Errorf("String() = %q, want English %q", got, c.en)
		}
	}
	if got := T("a", "b").In("fr"); got != "a" {
		t.Errorf("unknown locale renders %q, want Chinese", got)
	}
}
