package web

import (
	"net/url"
	"slices"
	"strings"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Form is a submitted or prefilled form: its values (kept when the page is
// shown again after an error) and the messages shown next to its fields.
type Form struct {
	Values url.Values
	Errors map[string]string // field name → message
	Alert  string            // an error that belongs to no field
}

func newForm(v url.Values) *Form {
	if v == nil {
		v = url.Values{}
	}
	return &Form{Values: v, Errors: map[string]string{}}
}

// idOf parses a path id or answers 404.
func idOf(rq *request) (store.ID, error) {
	id, err := store.ParseID(rq.PathValue("id"))
	if err != nil {
		return 0, notFound()
	}
	return id, nil
}

// postForm parses a posted form and the id of the path (404 if it is no id).
func postForm(rq *request) (store.ID, *Form, error) {
	id, err := idOf(rq)
	if err != nil {
		return 0, nil, err
	}
	f, err := parsedForm(rq)
	return id, f, err
}

// parsedForm is the posted form of rq.
func parsedForm(rq *request) (*Form, error) {
	if err := rq.ParseForm(); err != nil {
		return nil, err
	}
	return newForm(cloneValues(rq.PostForm)), nil
}

// Get returns a field's value.
func (f *Form) Get(k string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(k)
}

// Has reports whether a multi-valued field (checkboxes, select) holds v.
func (f *Form) Has(k, v string) bool { return f != nil && slices.Contains(f.Values[k], v) }

// Checked reports whether a checkbox was ticked.
func (f *Form) Checked(k string) bool { return f.Get(k) != "" }

// Err returns the message for a field, or "".
func (f *Form) Err(k string) string {
	if f == nil {
		return ""
	}
	return f.Errors[k]
}

// HasErrors reports whether any error is shown.
func (f *Form) HasErrors() bool { return f != nil && (len(f.Errors) > 0 || f.Alert != "") }

// fail records err on the form: next to the field it names when the form
// has that field, else as an alert. It reports false for errors that are
// not the caller's fault (those become a 500 page).
func (f *Form) fail(err error, l i18n.Locale, fields ...string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	msg := e.Message.In(l)
	if e.Field != "" && slices.Contains(fields, e.Field) {
		f.Errors[e.Field] = msg
	} else {
		f.Alert = msg
	}
	return true
}

// text returns a trimmed field value.
func (f *Form) text(k string) string { return strings.TrimSpace(f.Get(k)) }

// id parses an id field; 0 when empty or invalid.
func (f *Form) id(k string) store.ID {
	id, err := store.ParseID(f.text(k))
	if err != nil {
		return 0
	}
	return id
}
