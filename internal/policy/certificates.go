package policy

import (
	"fmt"
	"slices"
	"strings"

	"kefu/internal/calendar"
	"kefu/internal/i18n"
)

// CertificateRules are a pack's certificate kinds and the work that needs
// them (INS-017, STF-001): the certificates and permits staff hold (资格证书,
// 进网作业许可证, 上岗证), how long before expiry a renewal must be applied
// for, when the holder is reminded, and which work a person may only be put
// on with a valid certificate. internal/certificate keeps the certificates
// and enforces the requirements.
type CertificateRules struct {
	// Kinds are the certificates and permits of the pack.
	Kinds []CertificateKind `json:"kinds,omitempty"`
	// RequiredFor says which work needs which certificates. A work key is a
	// work-order category key of the pack (or a dotted prefix of category
	// keys: "fault" covers "fault.network"), "inspection.<track>" for the
	// inspections of a track of the inspections section, or
	// "vehicle.<duty>" ("vehicle.driver": driving on a dispatch, issue 17).
	RequiredFor []CertificateRequirement `json:"required_for,omitempty"`
	// Rules cites the RULES.md rule IDs of the section.
	Rules []string `json:"rules,omitempty"`
}

// CertificateKind is one kind of certificate or permit.
type CertificateKind struct {
	Key  string `json:"key"`
	Name Name   `json:"name"`
	// Issuer is the usual issuing body (a default for the form).
	Issuer string `json:"issuer,omitempty"`
	// RenewalLead is how long before expiry the renewal must be applied for
	// (INS-017: 30d). It is a lead time (CAL-015): counted back in calendar
	// days (d) or months (mo) from the expiry date and never moved off rest
	// days or holidays. Default 30d.
	RenewalLead calendar.Duration `json:"renewal_lead"`
	// RemindBefore is how long before that last day to apply the holder and
	// the company's managers are reminded and the certificate shows as due
	// for renewal; counted back like RenewalLead. Default 30d.
	RemindBefore calendar.Duration `json:"remind_before"`
	// ValidityYears is how long a certificate of the kind is usually valid;
	// the expiry date defaults to the issue date plus this many years less
	// one day. Zero: no default (the date on the certificate is entered).
	ValidityYears int `json:"validity_years,omitempty"`
	// Scopes are the classes of work (作业范围) a certificate of the kind
	// may cover; a certificate lists the ones it covers and nobody works
	// beyond them (INS-017). Empty: the kind has no classes.
	Scopes []Keyed `json:"scopes,omitempty"`
	// Rules cites the RULES.md rule IDs of the kind.
	Rules []string `json:"rules,omitempty"`
}

// CertificateRequirement is one kind of work and the certificates it needs.
type CertificateRequirement struct {
	Work string `json:"work"`
	// Needs are the certificates the work needs: every one of them.
	Needs []CertificateNeed `json:"needs"`
	// Rules cites the RULES.md rule IDs of the requirement.
	Rules []string `json:"rules,omitempty"`
}

// CertificateNeed is one certificate a work needs: a kind and, when the
// kind has scopes, the scope the certificate must cover.
type CertificateNeed struct {
	Kind  string `json:"kind"`
	Scope string `json:"scope,omitempty"`
}

// Work-key prefixes of CertificateRules.RequiredFor beside category keys.
const (
	WorkInspection = "inspection." // + a track of the inspections section
	WorkVehicle    = "vehicle."    // + a duty: driver
)

// WorkVehicleDriver is the work of driving a company vehicle (seed 000
// art.12, seed 002 art.3: drivers need the company's 上岗证, STF-001).
const WorkVehicleDriver = WorkVehicle + "driver"

// DefaultRenewalLead and DefaultRemindBefore are INS-017's 30 days.
var (
	DefaultRenewalLead  = calendar.Duration{N: 30, Unit: calendar.CalendarDays}
	DefaultRemindBefore = calendar.Duration{N: 30, Unit: calendar.CalendarDays}
)

// Kind returns the certificate kind with the key.
func (r *CertificateRules) Kind(key string) (*CertificateKind, bool) {
	for i := range r.Kinds {
		if r.Kinds[i].Key == key {
			return &r.Kinds[i], true
		}
	}
	return nil, false
}

// Needs are the certificates the work needs: those of the requirements for
// the work itself and for every dotted prefix of it ("fault" applies to
// "fault.network"), each kind and scope once, in the pack's order.
func (r *CertificateRules) Needs(work string) []CertificateNeed {
	var out []CertificateNeed
	for _, req := range r.RequiredFor {
		if req.Work != work && !strings.HasPrefix(work, req.Work+".") {
			continue
		}
		for _, n := range req.Needs {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// Scope returns the scope of the kind with the key.
func (k *CertificateKind) Scope(key string) (*Keyed, bool) {
	for i := range k.Scopes {
		if k.Scopes[i].Key == key {
			return &k.Scopes[i], true
		}
	}
	return nil, false
}

// LeadBack is date d less the lead time l, counted back as CAL-015 says
// for lead times: calendar days or months, not moved off rest days or
// holidays.
func LeadBack(d calendar.Date, l calendar.Duration) calendar.Date {
	if l.Unit == calendar.Months {
		return d.AddMonths(-l.N)
	}
	return d.AddDays(-l.N)
}

// certificateDefaults fills what a pack leaves out of its certificates
// section.
func certificateDefaults(r *CertificateRules) {
	for i := range r.Kinds {
		k := &r.Kinds[i]
		if k.RenewalLead == (calendar.Duration{}) {
			k.RenewalLead = DefaultRenewalLead // INS-017
		}
		if k.RemindBefore == (calendar.Duration{}) {
			k.RemindBefore = DefaultRemindBefore
		}
	}
}

// certificates validates the certificates section: kinds unique with lead
// times in days or months, requirements for known work naming kinds and
// scopes that exist.
func (v *validator) certificates(path string, r *CertificateRules) {
	for i := range r.Kinds {
		k := &r.Kinds[i]
		p := fmt.Sprintf("%s.kinds[%d]", path, i)
		v.key(p+".key", k.Key, simpleKeyRE)
		v.name(p+".name", k.Name)
		v.leadTime(p+".renewal_lead", k.RenewalLead)
		v.leadTime(p+".remind_before", k.RemindBefore)
		if k.ValidityYears < 0 || k.ValidityYears > 50 {
			v.add(p+".validity_years", i18n.T("须在 0 到 50 之间", "must be between 0 and 50"))
		}
		for j, s := range k.Scopes {
			sp := fmt.Sprintf("%s.scopes[%d]", p, j)
			v.key(sp+".key", s.Key, simpleKeyRE)
			v.name(sp+".name", s.Name)
		}
		unique(v, p+".scopes", k.Scopes, func(s Keyed) string { return s.Key })
		v.rules(p+".rules", k.Rules)
	}
	unique(v, path+".kinds", r.Kinds, func(k CertificateKind) string { return k.Key })
	seen := map[string]int{}
	for i := range r.RequiredFor {
		q := &r.RequiredFor[i]
		p := fmt.Sprintf("%s.required_for[%d]", path, i)
		if v.required(p+".work", q.Work) {
			v.work(p+".work", q.Work)
			if j, dup := seen[q.Work]; dup {
				v.add(p+".work", i18n.T("工作 %[1]q 重复（已见于第 %[2]d 行）", "work %[1]q is listed twice (first on line %[2]d)",
					q.Work, v.d.line(fmt.Sprintf("%s.required_for[%d].work", path, j))))
			} else {
				seen[q.Work] = i
			}
		}
		if len(q.Needs) == 0 {
			v.add(p+".needs", i18n.T("至少需要一种证书", "at least one certificate is required"))
		}
		for j, n := range q.Needs {
			np := fmt.Sprintf("%s.needs[%d]", p, j)
			if !v.required(np+".kind", n.Kind) {
				continue
			}
			k, ok := r.Kind(n.Kind)
			switch {
			case !ok:
				v.add(np+".kind", i18n.T("本政策包没有证书种类 %q", "the pack has no certificate kind %q", n.Kind))
			case n.Scope != "":
				if _, ok := k.Scope(n.Scope); !ok {
					v.add(np+".scope", i18n.T("证书种类 %[1]q 没有作业范围 %[2]q", "certificate kind %[1]q has no scope %[2]q", n.Kind, n.Scope))
				}
			}
		}
		v.rules(p+".rules", q.Rules)
	}
	v.rules(path+".rules", r.Rules)
}

// leadTime checks a CAL-015 lead time: calendar days or months.
func (v *validator) leadTime(path string, d calendar.Duration) {
	if d.Unit != calendar.CalendarDays && d.Unit != calendar.Months {
		v.add(path, i18n.T("提前期须以日历日或月计（如 30d、1mo，CAL-015）", "a lead time is in calendar days or months, e.g. 30d or 1mo (CAL-015)"))
	}
}

// work checks a work key of required_for: a category (or a dotted prefix
// of categories), an inspection track of the pack, or a vehicle duty.
func (v *validator) work(path, w string) {
	if !categoryKeyRE.MatchString(w) {
		v.add(path, i18n.T("工作键 %q 格式无效", "invalid work key %q", w))
		return
	}
	for _, c := range v.p.Categories {
		if c.Key == w || strings.HasPrefix(c.Key, w+".") {
			return
		}
	}
	switch {
	case strings.HasPrefix(w, WorkInspection):
		track := strings.TrimPrefix(w, WorkInspection)
		if !slices.Contains(v.p.Inspections.Tracks(), track) {
			v.add(path, i18n.T("本政策包的安检没有类别 %[1]q（可用：%[2]s）", "the pack's inspections have no track %[1]q (known: %[2]s)",
				track, strings.Join(v.p.Inspections.Tracks(), ", ")))
		}
	case w == WorkVehicleDriver:
	default:
		v.add(path, i18n.T("未知的工作 %q：须为工单类别、inspection.<类别> 或 vehicle.driver",
			"unknown work %q: a work-order category, inspection.<track> or vehicle.driver", w))
	}
}
