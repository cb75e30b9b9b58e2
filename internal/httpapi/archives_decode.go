package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
)

// archiveDecode is decode for the archive routes, whose inputs hold dates
// and instants: a value its type refuses (a date that is not YYYY-MM-DD,
// an instant that is not RFC 3339) is a 422 naming the field
// ("event_on", "findings[1].due_on") instead of an unreadable body.
func archiveDecode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	err = decode(r, v)
	if e, ok := apperr.As(err); ok && e.Code == apperr.CodeMalformed {
		if field := badField(body, reflect.TypeOf(v).Elem(), ""); field != "" {
			return apperr.Validation(field, i18n.T("值无效（日期须为 YYYY-MM-DD，时间须为 RFC 3339）",
				"invalid value (dates are YYYY-MM-DD, instants RFC 3339)"))
		}
	}
	return err
}

// badField finds the member of a JSON object that its field type refuses;
// "" when none does (the body is malformed as a whole).
func badField(raw []byte, t reflect.Type, prefix string) string {
	if t.Kind() != reflect.Struct {
		return ""
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return ""
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		value, ok := members[name]
		if !ok {
			continue
		}
		if json.Unmarshal(value, reflect.New(f.Type).Interface()) == nil {
			continue
		}
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			var elems []json.RawMessage
			if json.Unmarshal(value, &elems) == nil {
				for j, el := range elems {
					if sub := badField(el, f.Type.Elem(), fmt.Sprintf("%s%s[%d].", prefix, name, j)); sub != "" {
						return sub
					}
				}
			}
		}
		return prefix + name
	}
	return ""
}
