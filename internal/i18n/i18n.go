// Package i18n owns kefu's two locales: zh-CN (the default) and English.
// Messages travel as Text values that carry both languages, so a service can
// say what went wrong without knowing who will read it.
package i18n

import (
	"fmt"
	"net/http"
	"strings"
)

// Locale is a supported language.
type Locale string

// Supported locales; Chinese comes first.
const (
	ZH Locale = "zh-CN"
	EN Locale = "en"
)

// Text is a message in both languages; either may contain fmt verbs filled by Args.
type Text struct {
	ZH   string
	EN   string
	Args []any
}

// T builds a Text.
func T(zh, en string, args ...any) Text { return Text{ZH: zh, EN: en, Args: args} }

// In renders the text in the locale.
func (t Text) In(l Locale) string {
	s := t.ZH
	if l == EN && t.EN != "" {
		s = t.EN
	}
	if len(t.Args) > 0 {
		s = fmt.Sprintf(s, t.Args...)
	}
	return s
}

// String renders the text in English, for logs.
func (t Text) String() string { return t.In(EN) }

// CookieName is the cookie in which the web UI remembers the chosen language.
const CookieName = "kefu_lang"

// FromRequest picks the locale: the language cookie, then Accept-Language
// (the first language tag kefu supports), then Chinese.
func FromRequest(r *http.Request) Locale {
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	return FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// FromAcceptLanguage reads an Accept-Language header, honouring q-values.
func FromAcceptLanguage(h string) Locale {
	best, bestQ := ZH, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				q = 0
			}
		}
		if l, ok := Parse(tag); ok && q > 0 && q > bestQ { // q=0 means "not acceptable"
			best, bestQ = l, q
		}
	}
	return best
}

// Parse maps a language tag to a supported locale.
func Parse(tag string) (Locale, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "zh" || strings.HasPrefix(tag, "zh-") || strings.HasPrefix(tag, "zh_"):
		return ZH, true
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return EN, true
	}
	return "", false
}
