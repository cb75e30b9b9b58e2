// Package customer owns the customer archive (客户档案, CUS). This first
// version holds only what work-order intake needs: a customer (person or
// organisation) with name, phone, address and the phone identity key, found
// or created at intake. The customer-archive issue extends it with service
// points, grades, contact records, confidential-field masking, search,
// import and export.
package customer

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// Kind is a person or an organisation.
type Kind string

// The kinds of customer.
const (
	Person       Kind = "person"
	Organisation Kind = "organisation"
)

// Customer is one party the company serves.
type Customer struct {
	ID        store.ID  `json:"id"`
	Kind      Kind      `json:"kind"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	PhoneKey  string    `json:"-"`
	Address   string    `json:"address"`
	IDNumber  string    `json:"-"` // confidential: shown masked by the archive issue
	OrgUnitID store.ID  `json:"org_unit"`
	CreatedBy store.ID  `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input is a customer as an intake form gives it.
type Input struct {
	Kind     Kind   `json:"kind,omitempty"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Address  string `json:"address"`
	IDNumber string `json:"id_number,omitempty"`
}

// Field limits.
const (
	maxName    = 100
	maxAddress = 300
	maxPhone   = 40
)

// PhoneKey normalises a phone number to its digits: full-width digits
// (０-９) become ASCII, every other character is dropped (CUS-016).
func PhoneKey(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		}
	}
	return b.String()
}

// Validate checks the input; errors name the field under prefix
// ("customer.phone").
func (in *Input) Validate(prefix string) error {
	field := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Address = strings.TrimSpace(in.Address)
	in.IDNumber = strings.TrimSpace(in.IDNumber)
	if in.Kind == "" {
		in.Kind = Person
	}
	if in.Kind != Person && in.Kind != Organisation {
		return apperr.Validation(field("kind"), i18n.T("须为 person 或 organisation", "must be person or organisation"))
	}
	if in.Name == "" && in.Phone == "" {
		return apperr.Validation(field("name"), i18n.T("请填写客户姓名或电话", "give the customer's name or phone"))
	}
	if utf8.RuneCountInString(in.Name) > maxName {
		return apperr.Validation(field("name"), i18n.T("不能超过%d个字符", "at most %d characters", maxName))
	}
	if utf8.RuneCountInString(in.Address) > maxAddress {
		return apperr.Validation(field("address"), i18n.T("不能超过%d个字符", "at most %d characters", maxAddress))
	}
	if in.Phone != "" {
		if utf8.RuneCountInString(in.Phone) > maxPhone || !phoneChars(in.Phone) {
			return apperr.Validation(field("phone"), i18n.T("电话号码格式不正确", "not a phone number"))
		}
		if n := len(PhoneKey(in.Phone)); n < 7 || n > 15 {
			return apperr.Validation(field("phone"), i18n.T("电话号码须为7至15位数字", "a phone number has 7 to 15 digits"))
		}
	}
	return nil
}

// phoneChars allows digits (ASCII or full-width), spaces and + - ( ) and
// their full-width forms, as people write numbers.
func phoneChars(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsDigit(r), strings.ContainsRune(" +-()－（）＋—", r):
		default:
			return false
		}
	}
	return true
}

// Service stores customers.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// Options build a Service.
type Options struct {
	DB  *store.DB
	Now func() time.Time // defaults to time.Now
}

// New returns the customer service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{db: o.DB, now: o.Now}
}

const columns = `id, kind, name, phone, phone_key, address, id_number, org_unit_id, coalesce(created_by, 0), created_at, updated_at`

func scan(s interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	var created, updated int64
	err := s.Scan(&c.ID, &c.Kind, &c.Name, &c.Phone, &c.PhoneKey, &c.Address, &c.IDNumber, &c.OrgUnitID,
		&c.CreatedBy, &created, &updated)
	c.CreatedAt, c.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return c, err
}

// Get returns one customer, read on c (a reader or a transaction).
func (s *Service) Get(ctx context.Context, c store.Conn, id store.ID) (Customer, error) {
	cu, err := scan(c.QueryRow(ctx, "SELECT "+columns+" FROM customers WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return cu, apperr.NotFound("customer_id")
	}
	return cu, err
}

// FindOrCreate returns the customer with the same phone key (preferring one
// with the same name), or, without a phone, the one with the same name and
// address; otherwise it creates the customer in unitID. in is validated
// first (fields named "customer.…"). created reports a new customer.
func (s *Service) FindOrCreate(ctx context.Context, tx store.Conn, in Input, unitID store.ID, by *auth.Principal) (Customer, bool, error) {
	if err := in.Validate("customer"); err != nil {
		return Customer{}, false, err
	}
	key := PhoneKey(in.Phone)
	var row *sql.Row
	if key != "" {
		row = tx.QueryRow(ctx, "SELECT "+columns+` FROM customers WHERE phone_key = ?
			ORDER BY CASE WHEN name = ? THEN 0 ELSE 1 END, id LIMIT 1`, key, in.Name)
	} else {
		row = tx.QueryRow(ctx, "SELECT "+columns+" FROM customers WHERE phone_key = '' AND name = ? AND address = ? ORDER BY id LIMIT 1",
			in.Name, in.Address)
	}
	c, err := scan(row)
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Customer{}, false, err
	}
	now := store.Micros(s.now())
	var createdBy any
	if by != nil && by.UserID != 0 {
		createdBy = by.UserID
	}
	id, err := tx.InsertID(ctx, `INSERT INTO customers (kind, name, phone, phone_key, address, id_number, org_unit_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(in.Kind), in.Name, in.Phone, key, in.Address, in.IDNumber, unitID, createdBy, now, now)
	if err != nil {
		return Customer{}, false, err
	}
	c, err = s.Get(ctx, tx, id)
	return c, true, err
}
