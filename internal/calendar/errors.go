package calendar

import (
	"errors"
	"fmt"
)

// ErrOutOfRange is matched (errors.Is) by every *RangeError.
var ErrOutOfRange = errors.New("calendar: date outside the supported range")

// RangeError is a date or instant outside MinYear..MaxYear, or a
// computation that would need days beyond it.
type RangeError struct {
	Field string // offending parameter: "start", "from", "to", "date" or "duration"
	Date  Date
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("calendar: %s %s is outside the supported range %d-01-01..%d-12-31",
		e.Field, e.Date, MinYear, MaxYear)
}

// Is makes errors.Is(err, ErrOutOfRange) true.
func (e *RangeError) Is(target error) bool { return target == ErrOutOfRange }

// SpecError is an invalid calendar definition, day setting or arrangement.
type SpecError struct {
	Field    string // e.g. "time_zone", "business_hours", "kind", "days[3].date"
	Reason   string // in English
	ReasonZH string // the same in Chinese
}

func (e *SpecError) Error() string { return "calendar: " + e.Field + ": " + e.Reason }

// specErr builds a SpecError from an English and a Chinese format that
// take the same arguments.
func specErr(field, en, zh string, args ...any) *SpecError {
	return &SpecError{Field: field, Reason: fmt.Sprintf(en, args...), ReasonZH: fmt.Sprintf(zh, args...)}
}
