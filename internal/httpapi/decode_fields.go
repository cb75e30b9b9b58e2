package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

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
