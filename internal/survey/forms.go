package survey

// Survey forms (调查表): a campaign run on a pack questionnaire issues one
// form per sampled household (抽样房号, SUR-002); the campaign's counts are
// kept equal to its forms' (SUR-004 to SUR-008). This file issues, lists
// and reads forms and keeps the counts; answers are in answer.go, the
// customer's link in link.go, verification in verify.go.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/audit"
	"kefu/internal/auth"
	"kefu/internal/i18n"
	"kefu/internal/store"
)

// FormStatus is where a form stands.
type FormStatus string

// Form statuses: issued to the household, returned answered.
const (
	FormIssued   FormStatus = "issued"
	FormReturned FormStatus = "returned"
)

// How a form was answered.
const (
	AnswerPhone      = "phone"        // staff on the phone (电话调查)
	AnswerFaceToFace = "face_to_face" // staff in person, the customer signing on screen
	AnswerPaper      = "paper"        // a returned paper form, entered by staff
	AnswerLink       = "link"         // the customer through a one-use link
)

// Verification results (SUR-006).
const (
	VerifyGenuine = "genuine"
	VerifyFake    = "fake"
)

// Limits of the forms.
const (
	MaxIssue     = 5000 // households issued in one call
	MaxHousehold = 50   // characters of a room number
)

// Form is one survey form of a campaign.
type Form struct {
	ID            store.ID          `json:"id"`
	CampaignID    store.ID          `json:"campaign_id"`
	Number        string            `json:"number"` // DC2026-0001-0007
	Serial        int               `json:"serial"`
	Household     string            `json:"household"` // the sampled room number (SUR-002)
	CustomerID    store.ID          `json:"customer_id,omitempty"`
	Name          string            `json:"name"`
	Phone         string            `json:"phone"`
	DistributorID store.ID          `json:"distributor_id,omitempty"`
	Status        FormStatus        `json:"status"`
	Channel       string            `json:"channel,omitempty"`
	Answers       map[string]string `json:"answers,omitempty"`
	// Score is the mean score of the scored questions (SUR-009), two
	// decimals; nil when the questionnaire scores nothing.
	Score         *float64   `json:"score,omitempty"`
	Satisfied     bool       `json:"satisfied"` // SUR-008
	Signed        bool       `json:"signed"`    // the customer signed on screen
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
	AnsweredBy    store.ID   `json:"answered_by,omitempty"`
	LinkExpiresAt *time.Time `json:"link_expires_at,omitempty"` // an unused link's expiry
	VerifyDrawn   bool       `json:"verify_drawn"`
	VerifyResult  string     `json:"verify_result,omitempty"`
	VerifyNote    string     `json:"verify_note,omitempty"`
	VerifiedAt    *time.Time `json:"verified_at,omitempty"`
	VerifiedBy    store.ID   `json:"verified_by,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Household is one sampled household a form is issued to.
type Household struct {
	Household  string   `json:"household"` // room number, e.g. 3-1-502
	CustomerID store.ID `json:"customer_id"`
	Name       string   `json:"name"`
	Phone      string   `json:"phone"`
}

// IssueInput issues forms to sampled households
// (POST /api/v1/surveys/{id}/forms).
type IssueInput struct {
	Households []Household `json:"households"`
	// DistributorID: who hands these forms out; penalised for forms found
	// fake (SUR-006). Optional.
	DistributorID store.ID `json:"distributor_id"`
}

// FormFilter selects a campaign's forms; zero fields do not filter.
type FormFilter struct {
	Status FormStatus
	Drawn  bool // drawn for verification only
	Limit  int  // default 100, at most MaxIssue
	After  int  // serial
	ids    []store.ID
}

// Issue issues forms to the sampled households of a campaign run on a
// questionnaire (allowed before the plan's approval: they are its sampled
// room numbers, SUR-002); a planned campaign whose plan is approved starts
// running. Room numbers are
// unique in a campaign, and the forms never outnumber the occupied
// households (SUR-004's base).
func (s *Service) Issue(ctx context.Context, p *auth.Principal, id store.ID, in IssueInput) ([]*Form, error) {
	if err := mayWrite(p); err != nil {
		return nil, err
	}
	if len(in.Households) == 0 {
		return nil, apperr.Required("households")
	}
	if len(in.Households) > MaxIssue {
		return nil, apperr.Validation("households", i18n.T("一次最多 %d 户", "at most %d households at a time", MaxIssue))
	}
	seen := map[string]int{}
	for i := range in.Households {
		h := &in.Households[i]
		h.Household, h.Name, h.Phone = strings.TrimSpace(h.Household), strings.TrimSpace(h.Name), strings.TrimSpace(h.Phone)
		field := fmt.Sprintf("households[%d]", i)
		switch {
		case h.Household == "":
			return nil, apperr.Required(field + ".household")
		case utf8.RuneCountInString(h.Household) > MaxHousehold:
			return nil, apperr.Validation(field+".household", i18n.T("房号不能超过 %d 个字符", "at most %d characters", MaxHousehold))
		case utf8.RuneCountInString(h.Name) > 100:
			return nil, apperr.Validation(field+".name", i18n.T("不能超过 100 个字符", "at most 100 characters"))
		case utf8.RuneCountInString(h.Phone) > 40:
			return nil, apperr.Validation(field+".phone", i18n.T("不能超过 40 个字符", "at most 40 characters"))
		}
		if j, dup := seen[h.Household]; dup {
			return nil, apperr.Validation(field+".household", i18n.T("房号 %[1]s 与第 %[2]d 行重复", "room %[1]s repeats row %[2]d",
				h.Household, j+1))
		}
		seen[h.Household] = i
	}
	now := s.now()
	var ids []store.ID
	err := s.db.Tx(audit.WithActor(ctx, p.Actor()), func(tx store.Conn) error {
		c, err := s.openCampaign(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if c.Distributed+len(in.Households) > c.Households {
			return apperr.Validation("households", i18n.T("发放份数（%[1]d）不能超过入住总户数（%[2]d，SUR-004）",
				"forms (%[1]d) may not outnumber the occupied households (%[2]d, SUR-004)", c.Distributed+len(in.Households), c.Households))
		}
		if in.DistributorID != 0 {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM users WHERE id = ?", in.DistributorID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Validation("distributor_id", i18n.T("没有这个用户", "no such user"))
			}
		}
		var last int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(max(serial), 0) FROM survey_forms WHERE campaign_id = ?", id).Scan(&last); err != nil {
			return err
		}
		for i, h := range in.Households {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM survey_forms WHERE campaign_id = ? AND household = ?", id, h.Household).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Conflict(fmt.Sprintf("households[%d].household", i), i18n.T("房号 %s 已发放调查表", "room %s already has a form", h.Household))
			}
			fid, err := tx.InsertID(ctx, `INSERT INTO survey_forms (campaign_id, serial, household, customer_id, name, phone,
				distributor_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				id, last+i+1, h.Household, store.NullID{ID: h.CustomerID, Valid: h.CustomerID != 0}, h.Name, h.Phone,
				store.NullID{ID: in.DistributorID, Valid: in.DistributorID != 0}, string(FormIssued), store.Micros(now))
			if err != nil {
				return err
			}
			ids = append(ids, fid)
		}
		if err := refreshCounts(ctx, tx, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, "survey.forms.issue", "survey", id.String(), map[string]any{
			"forms": len(ids), "first_serial": last + 1, "distributor_id": in.DistributorID})
	})
	if err != nil {
		return nil, err
	}
	return s.Forms(ctx, p, id, FormFilter{After: 0, Limit: MaxIssue, ids: ids})
}

// openCampaign loads a campaign p may see (any campaign when p is nil:
// the customer's link found it) whose forms may still change.
func (s *Service) openCampaign(ctx context.Context, tx store.Conn, p *auth.Principal, id store.ID) (*Campaign, error) {
	var c *Campaign
	var err error
	if p != nil {
		c, err = s.load(ctx, tx, p, id)
	} else {
		c, err = s.loadAny(ctx, tx, id)
	}
	if err != nil {
		return nil, err
	}
	return c, openForForms(c)
}

// openForm loads a form of an open, published campaign (openCampaign, its
// plan approved: SUR-002) in the status the action needs: issued to be
// answered, returned to be verified.
func (s *Service) openForm(ctx context.Context, tx store.Conn, p *auth.Principal, id, formID store.ID, want FormStatus) (*Campaign, *Form, error) {
	c, err := s.openCampaign(ctx, tx, p, id)
	if err != nil {
		return nil, nil, err
	}
	if err := published(c); err != nil { // SUR-002: no answers, links or checks before the plan is approved
		return nil, nil, err
	}
	f, err := loadForm(ctx, tx, c, formID)
	if err != nil {
		return nil, nil, err
	}
	if f.Status != want {
		if want == FormIssued {
			return nil, nil, apperr.Conflict("status", i18n.T("调查表 %s 已回收", "form %s has already been returned", f.Number))
		}
		return nil, nil, apperr.Conflict("status", i18n.T("调查表 %s 尚未回收", "form %s has not been returned", f.Number))
	}
	return c, f, nil
}

// openForForms refuses a campaign without a questionnaire (409) or closed.
func openForForms(c *Campaign) error {
	if c.Questionnaire == "" {
		return apperr.Conflict("questionnaire", i18n.T("本调查未选用问卷，按份数登记", "the survey has no questionnaire; its counts are entered by hand"))
	}
	if c.Status == StatusClosed {
		return apperr.Conflict("status", i18n.T("调查已关闭", "the survey is closed"))
	}
	return nil
}

// refreshCounts sets the campaign's counts from its forms: distributed =
// forms, returned = answered forms, verified and genuine from the checks,
// answered (valid) = returned less fake forms, satisfied among the valid
// (SUR-004 to SUR-008: fake forms are excluded from the statistics). A
// planned campaign whose plan is approved starts running (SUR-002).
func refreshCounts(ctx context.Context, tx store.Conn, id store.ID, now time.Time) error {
	var c Counts
	if err := tx.QueryRow(ctx, `SELECT count(*),
		COALESCE(sum(CASE WHEN status = 'returned' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN verify_result <> '' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN verify_result = 'genuine' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN status = 'returned' AND verify_result <> 'fake' THEN 1 ELSE 0 END), 0),
		COALESCE(sum(CASE WHEN status = 'returned' AND verify_result <> 'fake' AND satisfied THEN 1 ELSE 0 END), 0)
		FROM survey_forms WHERE campaign_id = ?`, id).Scan(&c.Distributed, &c.Returned, &c.Verified, &c.Genuine,
		&c.Answered, &c.Satisfied); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE survey_campaigns SET distributed = ?, returned = ?, verified = ?, genuine = ?, answered = ?,
		satisfied = ?, status = CASE WHEN status = 'planned' AND plan_status = 'approved' THEN 'running' ELSE status END,
		updated_at = ? WHERE id = ?`,
		c.Distributed, c.Returned, c.Verified, c.Genuine, c.Answered, c.Satisfied, store.Micros(now), id)
	return err
}

// Forms lists a campaign's forms p may see, by serial.
func (s *Service) Forms(ctx context.Context, p *auth.Principal, id store.ID, f FormFilter) ([]*Form, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > MaxIssue {
		return nil, apperr.Validation("limit", i18n.T("不能超过 %d", "at most %d", MaxIssue))
	}
	if f.Status != "" && f.Status != FormIssued && f.Status != FormReturned {
		return nil, apperr.Validation("status", i18n.T("须为 issued 或 returned", "must be issued or returned"))
	}
	where, args := []string{"f.campaign_id = ?", "f.serial > ?"}, []any{c.ID, f.After}
	if f.Status != "" {
		where, args = append(where, "f.status = ?"), append(args, string(f.Status))
	}
	if f.Drawn {
		where = append(where, "f.verify_drawn")
	}
	if len(f.ids) > 0 {
		where = append(where, "f.id IN ("+store.Placeholders(len(f.ids))+")")
		for _, x := range f.ids {
			args = append(args, x)
		}
	}
	return store.QueryAll(ctx, s.db.Reader(), func(sc store.Scanner) (*Form, error) { return scanForm(sc, c.Number) },
		"SELECT "+formColumns+" FROM survey_forms f WHERE "+strings.Join(where, " AND ")+
			fmt.Sprintf(" ORDER BY f.serial LIMIT %d", f.Limit), args...)
}

// Form returns one form of a campaign p may see.
func (s *Service) Form(ctx context.Context, p *auth.Principal, id, formID store.ID) (*Form, error) {
	c, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return loadForm(ctx, s.db.Reader(), c, formID)
}

func loadForm(ctx context.Context, conn store.Conn, c *Campaign, formID store.ID) (*Form, error) {
	f, err := scanForm(conn.QueryRow(ctx, "SELECT "+formColumns+" FROM survey_forms f WHERE f.id = ? AND f.campaign_id = ?",
		formID, c.ID), c.Number)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("form")
	}
	return f, err
}

const formColumns = `f.id, f.campaign_id, f.serial, f.household, f.customer_id, f.name, f.phone, f.distributor_id, f.status,
	f.channel, f.answers, f.score_x100, f.satisfied, f.signature <> '', f.answered_at, f.answered_by, f.link_hash,
	f.link_expires_at, f.verify_drawn, f.verify_result, f.verify_note, f.verified_at, f.verified_by, f.created_at`

func scanForm(sc store.Scanner, campaignNumber string) (*Form, error) {
	var f Form
	var status, answers, link string
	var customer, distributor, answeredBy, verifiedBy store.NullID
	var score, answered, expires, verified, created int64
	if err := sc.Scan(&f.ID, &f.CampaignID, &f.Serial, &f.Household, &customer, &f.Name, &f.Phone, &distributor, &status,
		&f.Channel, &answers, &score, &f.Satisfied, &f.Signed, &answered, &answeredBy, &link, &expires, &f.VerifyDrawn,
		&f.VerifyResult, &f.VerifyNote, &verified, &verifiedBy, &created); err != nil {
		return nil, err
	}
	f.Number = fmt.Sprintf("%s-%04d", campaignNumber, f.Serial)
	f.Status, f.CustomerID, f.DistributorID = FormStatus(status), customer.ID, distributor.ID
	f.AnsweredBy, f.VerifiedBy, f.CreatedAt = answeredBy.ID, verifiedBy.ID, store.FromMicros(created)
	if answers != "" {
		if err := json.Unmarshal([]byte(answers), &f.Answers); err != nil {
			return nil, fmt.Errorf("survey: form %d answers: %w", f.ID, err)
		}
	}
	if f.Status == FormReturned && score >= 0 { // -1: the questionnaire scores nothing
		v := float64(score) / 100
		f.Score = &v
	}
	f.AnsweredAt, f.VerifiedAt = optTime(answered), optTime(verified)
	if link != "" && f.Status == FormIssued {
		f.LinkExpiresAt = optTime(expires)
	}
	return &f, nil
}

func optTime(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}
