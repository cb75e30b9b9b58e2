// Package apperr is the one error type that services return for anything a
// caller did wrong or may not do. httpapi turns it into the JSON error shape
// of API.md ({"error":{"code","message","field"}}) and web shows it next to
// the form field it names.
package apperr

import (
	"errors"
	"net/http"

	"kefu/internal/i18n"
)

// Error is a failure to report to the caller, never a server fault.
type Error struct {
	Status  int       // HTTP status
	Code    string    // stable machine code, e.g. "validation_failed"
	Field   string    // offending field path, if any ("customer.phone")
	Message i18n.Text // human message in both locales
	// Details are machine-readable particulars beyond the field: the rule
	// ID a guard refused with, the checklist items still missing.
	Details map[string]any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message.String()
	}
	return e.Message.String()
}

// As extracts an *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Machine codes.
const (
	CodeMalformed      = "malformed_request"
	CodeValidation     = "validation_failed"
	CodeUnauthorized   = "unauthorized"
	CodeForbidden      = "forbidden"
	CodeNotFound       = "not_found"
	CodeConflict       = "conflict"
	CodeGone           = "gone"
	CodeTooLarge       = "too_large"
	CodeTooMany        = "too_many_requests"
	CodeMethod         = "method_not_allowed"
	CodeUnsupported    = "unsupported_media_type"
	CodeInternal       = "internal_error"
	CodeTimeout        = "timeout"
	CodePasswordChange = "password_change_required"
	CodeIdempotencyIn  = "idempotency_in_progress"
)

// Validation: a field's value is not acceptable (422).
func Validation(field string, msg i18n.Text) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Field: field, Message: msg}
}

// Required: a mandatory field is missing (422).
func Required(field string) *Error {
	return Validation(field, i18n.T("必填项", "is required"))
}

// Malformed: the request cannot be read at all (400).
func Malformed(msg i18n.Text) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeMalformed, Message: msg}
}

// NotFound: no such object, or one the caller may not know exists (404).
func NotFound(field string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Field: field,
		Message: i18n.T("未找到", "not found")}
}

// Forbidden: the caller lacks the permission (403).
func Forbidden(msg i18n.Text) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: msg}
}

// Unauthorized: no valid credentials (401).
func Unauthorized(msg i18n.Text) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg}
}

// Conflict: the object's state does not allow this, or it already exists (409).
func Conflict(field string, msg i18n.Text) *Error {
	return &Error{Status: http.StatusConflict, Code: CodeConflict, Field: field, Message: msg}
}

// Gone: the object existed but is used up or expired, such as a one-use
// survey link (410).
func Gone(field string, msg i18n.Text) *Error {
	return &Error{Status: http.StatusGone, Code: CodeGone, Field: field, Message: msg}
}

// Page sizes of the services' lists: DefaultPageLimit when the caller asks
// for none, MaxPageLimit at most.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// PageLimit is a list's page size for the n asked: the default for 0 or
// less, n itself up to the maximum, a validation error naming "limit"
// beyond it.
func PageLimit(n int) (int, error) {
	switch {
	case n <= 0:
		return DefaultPageLimit, nil
	case n > MaxPageLimit:
		return 0, Validation("limit", i18n.T("不能超过 %d", "at most %d", MaxPageLimit))
	}
	return n, nil
}
