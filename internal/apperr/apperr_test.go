package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"kefu/internal/i18n"
)

func TestConstructors(t *testing.T) {
	for _, c := range []struct {
		err         *Error
		status      int
		code, field string
		english     string
	}{
		{Validation("phone", i18n.T("格式错误", "bad format")), 422, CodeValidation, "phone", "bad format"},
		{Required("name"), 422, CodeValidation, "name", "is required"},
		{Malformed(i18n.T("坏", "bad")), 400, CodeMalformed, "", "bad"},
		{NotFound("user"), 404, CodeNotFound, "user", "not found"},
		{Forbidden(i18n.T("禁止", "no")), 403, CodeForbidden, "", "no"},
		{Unauthorized(i18n.T("请登录", "sign in")), 401, CodeUnauthorized, "", "sign in"},
		{Conflict("username", i18n.T("已存在", "taken")), 409, CodeConflict, "username", "taken"},
		{Gone("link", i18n.T("已过期", "expired")), 410, CodeGone, "link", "expired"},
	} {
		e := c.err
		if e.Status != c.status || e.Code != c.code || e.Field != c.field || e.Message.In(i18n.EN) != c.english {
			t.Errorf("%+v, want %d %s %q %q", e, c.status, c.code, c.field, c.english)
		}
		if e.Message.In(i18n.ZH) == e.Message.In(i18n.EN) {
			t.Errorf("%s: no Chinese message", e.Code)
		}
	}
	if got := Required("name").Error(); got != "name: is required" {
		t.Errorf("Error() = %q", got)
	}
	if got := Forbidden(i18n.T("禁止", "no")).Error(); got != "no" {
		t.Errorf("Error() without field = %q", got)
	}
}

func TestAsIs(t *testing.T) {
	base := Conflict("name", i18n.T("重名", "duplicate"))
	wrapped := fmt.Errorf("create unit: %w", base)
	if e, ok := As(wrapped); !ok || e != base {
		t.Errorf("As(wrapped) = %v, %v", e, ok)
	}
	if !Is(wrapped, CodeConflict) || Is(wrapped, CodeNotFound) {
		t.Error("Is does not look at the code of the wrapped error")
	}
	joined := errors.Join(errors.New("other"), NotFound("user"))
	if !Is(joined, CodeNotFound) {
		t.Error("Is does not find an *Error in a joined error")
	}
	plain := errors.New("disk on fire")
	if _, ok := As(plain); ok || Is(plain, CodeInternal) || Is(nil, CodeNotFound) {
		t.Error("a plain error counts as an apperr.Error")
	}
	if e, ok := As(base); !ok || e.Status != http.StatusConflict {
		t.Error("As(*Error) fails")
	}
}
