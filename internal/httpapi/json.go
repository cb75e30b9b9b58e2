package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// errorBody is the error shape of API.md.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Details: machine-readable particulars (a guard's rule ID, missing
	// checklist items); absent for most errors.
	Details map[string]any `json:"details,omitempty"`
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers with the JSON error shape; anything that is not an
// apperr.Error is a server fault, logged with the request id and shown as 500.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = &apperr.Error{Status: http.StatusRequestEntityTooLarge, Code: apperr.CodeTooLarge,
			Message: i18n.T("请求体超过%d字节上限", "request body exceeds the %d-byte limit", mbe.Limit)}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		// RequestTimeout passed (a query too broad for the moment); the
		// request wrote nothing, so it is safe to retry.
		err = &apperr.Error{Status: http.StatusServiceUnavailable, Code: apperr.CodeTimeout,
			Message: i18n.T("请求处理超时，请缩小查询范围或稍后重试", "the request took too long; narrow it or retry later")}
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return // the client went away: nobody reads an answer
	}
	e, ok := apperr.As(err)
	if !ok {
		a.log.ErrorContext(r.Context(), "request failed", "error", err.Error(),
			"request_id", audit.RequestIDFrom(r.Context()), "path", r.URL.Path)
		e = &apperr.Error{Status: http.StatusInternalServerError, Code: apperr.CodeInternal,
			Message: i18n.T("服务器内部错误，请联系管理员（请求编号 %s）", "internal error; tell your administrator (request %s)",
				audit.RequestIDFrom(r.Context()))}
	}
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, e.Status, errorBody{errorDetail{Code: e.Code, Field: e.Field, Message: e.Message.In(i18n.FromRequest(r)), Details: e.Details}})
}

// decode reads a JSON request body into v strictly (whatever the
// Content-Type says: clients such as curl -d label JSON as a form): unknown fields and wrong
// types are 422 naming the field, unreadable JSON is 400, too large is 413.
func decode(r *http.Request, v any) error {
	var raw bytes.Buffer // what the decoder read, to name a field its type refuses
	dec := json.NewDecoder(io.TeeReader(r.Body, &raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		err = decodeError(err)
		if e, ok := apperr.As(err); ok && e.Code == apperr.CodeMalformed {
			// A value its field's type refuses (a date not YYYY-MM-DD):
			// encoding/json does not say which field, badField finds it.
			if field := badField(raw.Bytes(), reflect.TypeOf(v).Elem(), ""); field != "" {
				return apperr.Validation(field, i18n.T("值无效（日期须为 YYYY-MM-DD，时间须为 RFC 3339）",
					"invalid value (dates are YYYY-MM-DD, instants RFC 3339)"))
			}
		}
		return err
	}
	if err := checkText(reflect.ValueOf(v), ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.Malformed(i18n.T("JSON 之后还有多余内容", "unexpected data after the JSON value"))
	}
	return nil
}

// errNUL refuses text that PostgreSQL cannot store.
func errNUL(field string) error {
	return apperr.Validation(field, i18n.T("不能包含空字符（U+0000）", "must not contain NUL characters (U+0000)"))
}

// checkText refuses decoded strings holding NUL, which PostgreSQL cannot
// store (encoding/json already replaced invalid UTF-8). Fields are named as
// encoding/json names them ("customer.phone").
func checkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem(), path)
		}
	case reflect.String:
		if strings.ContainsRune(v.String(), 0) {
			return errNUL(path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if !f.IsExported() && !f.Anonymous || name == "-" {
				continue
			}
			p := path
			if !f.Anonymous || name != "" {
				if name == "" {
					name = f.Name
				}
				p = strings.TrimPrefix(path+"."+name, ".")
			}
			if err := checkText(v.Field(i), p); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := checkText(v.Index(i), path); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkText(it.Key(), path); err != nil {
				return err
			}
			if err := checkText(it.Value(), path); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkQuery refuses query parameters that are not valid UTF-8 or hold NUL.
func checkQuery(r *http.Request) error {
	for name, values := range r.URL.Query() {
		for _, v := range values {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return apperr.Validation(name, i18n.T("须为不含空字符的 UTF-8 文本", "must be UTF-8 text without NUL characters"))
			}
		}
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return apperr.Malformed(i18n.T("请求体为空", "request body is empty"))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Malformed(i18n.T("JSON 不完整", "JSON ends too early"))
	case errors.As(err, &syn):
		return apperr.Malformed(i18n.T("JSON 格式错误（第%d字节）", "malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.Malformed(i18n.T("请求体须为 JSON 对象", "request body must be a JSON object"))
		}
		return apperr.Validation(field, i18n.T("类型错误：不能是 %s", "wrong type: cannot be %s", typ.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return apperr.Validation(name, i18n.T("未知字段", "unknown field"))
	}
	return apperr.Malformed(i18n.T("无法解析请求体", "cannot read the request body"))
}

// page is a parsed ?limit=&cursor= pair.
type page struct {
	Limit  int
	Cursor string // decoded cursor; "" for the first page
}

const (
	defaultLimit = 50
	maxLimit     = 500
)

// recordID reads the {id} of a route on a record; one that is not an id is
// a 404 naming the record, like a record that does not exist.
func recordID(r *http.Request, record string) (store.ID, error) { return idParam(r, "id", record) }

// pathID reads the path parameter name as an id; a bad one is a 404 naming it.
func pathID(r *http.Request, name string) (store.ID, error) { return idParam(r, name, name) }

func idParam(r *http.Request, param, field string) (store.ID, error) {
	id, err := store.ParseID(r.PathValue(param))
	if err != nil {
		return 0, apperr.NotFound(field)
	}
	return id, nil
}

// keysetNext is the cursor of the page after items when it is full: the
// id the next page starts below; "" on the last page.
func keysetNext[T any](items []T, limit int, id func(T) store.ID) string {
	if limit <= 0 || len(items) < limit {
		return ""
	}
	return id(items[len(items)-1]).String()
}

// before reads a cursor that is the id the next page starts below (the
// keyset lists of processes, visits and survey campaigns); 0 on the first
// page.
func (p page) before() (store.ID, error) {
	if p.Cursor == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(p.Cursor, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Validation("cursor", i18n.T("游标无效", "invalid cursor"))
	}
	return store.ID(n), nil
}

// parsePage reads the list parameters of API.md: limit defaults to 50 and
// is capped at 500; cursor is an opaque token from next_cursor.
func parsePage(r *http.Request) (page, error) {
	p := page{Limit: defaultLimit}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, apperr.Validation("limit", i18n.T("limit 须为正整数", "limit must be a positive integer"))
		}
		p.Limit = min(n, maxLimit)
	}
	if s := q.Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || len(b) == 0 {
			return p, apperr.Validation("cursor", i18n.T("cursor 无效", "cursor is not valid"))
		}
		p.Cursor = string(b)
	}
	return p, nil
}

// encodeCursor makes an opaque next_cursor.
func encodeCursor(s string) string {
	if s == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// list is the list answer shape of API.md.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, NextCursor: encodeCursor(next)}
}

// recordCommand runs a command on the record of the path: it decodes the
// body into In, reads the record's id (kind names it in the 404), runs the
// command and answers its result with status.
func recordCommand[In, Out any](w http.ResponseWriter, r *http.Request, kind string, status int,
	run func(id store.ID, in In) (Out, error)) error {
	var in In
	if err := decode(r, &in); err != nil {
		return err
	}
	id, err := recordID(r, kind)
	if err != nil {
		return err
	}
	out, err := run(id, in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// recordStep runs a service command of the common shape — context,
// principal, the path's record id, the decoded body — with recordCommand.
func recordStep[In, Out any](w http.ResponseWriter, r *http.Request, p *auth.Principal, kind string, status int,
	step func(context.Context, *auth.Principal, store.ID, In) (Out, error)) error {
	return recordCommand(w, r, kind, status, func(id store.ID, in In) (Out, error) {
		return step(r.Context(), p, id, in)
	})
}

// createRecord decodes In, runs the service and answers 201 with what
// it created.
func createRecord[In, Out any](w http.ResponseWriter, r *http.Request, p *auth.Principal,
	run func(context.Context, *auth.Principal, In) (Out, error)) error {
	var in In
	if err := decode(r, &in); err != nil {
		return err
	}
	out, err := run(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// recordRead answers GET of one record: the path's record id (kind names
// it in a 404), read by the service with the principal.
func recordRead[Out any](w http.ResponseWriter, r *http.Request, p *auth.Principal, kind string,
	read func(context.Context, *auth.Principal, store.ID) (Out, error)) error {
	id, err := recordID(r, kind)
	if err != nil {
		return err
	}
	out, err := read(r.Context(), p, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
