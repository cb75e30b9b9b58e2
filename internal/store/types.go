package store

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"time"
	_ "time/tzdata" // Zone works on machines without zoneinfo
)

// ID is a row identifier. It is an integer in the database and a string in
// JSON ("42"); JSON input may also give it as a number.
type ID int64

// String formats the id in decimal.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// MarshalJSON writes the id as a JSON string.
func (id ID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + id.String() + `"`), nil
}

// ErrBadID is returned for an id that is not a positive integer.
var ErrBadID = errors.New("not a valid id")

// UnmarshalJSON accepts "42" or 42.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParseID(s)
	if err != nil {
		// An UnmarshalTypeError lets encoding/json name the offending field.
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[ID]()}
	}
	*id = v
	return nil
}

// ParseID parses a positive decimal id.
func ParseID(s string) (ID, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, ErrBadID
	}
	return ID(v), nil
}

// Value stores the id as an integer.
func (id ID) Value() (driver.Value, error) { return int64(id), nil }

// Micros converts an instant to the stored form: Unix microseconds.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Zone is the time zone in which kefu shows instants (API.md: answers are
// in the calendar's zone, +08:00). Counting time is internal/calendar's job.
var Zone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// FromMicros converts a stored instant back, in Zone; 0 is the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).In(Zone)
}

// NullID is an optional reference.
type NullID struct {
	ID    ID
	Valid bool
}

// OptionalID is id as a nullable column value: NULL for 0.
func OptionalID(id ID) NullID { return NullID{ID: id, Valid: id != 0} }

// Scan reads a nullable integer column.
func (n *NullID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n = NullID{}
	case int64:
		*n = NullID{ID: ID(v), Valid: true}
	default:
		return errors.New("store: NullID cannot scan " + strconv.Quote(string(mustJSON(v))))
	}
	return nil
}

// Value stores NULL or the integer.
func (n NullID) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return int64(n.ID), nil
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
