package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"kefu/internal/i18n"
	"kefu/internal/inspection"
	"kefu/internal/policy"
)

// inspList is one checklist of the record form (INS-010, INS-012, INS-007).
type inspList struct {
	Key, Name string
	FormTitle string // the printed form's title (INS-012)
	TwoCopies bool   // stub and customer copy, checked against each other
	Sign      bool   // the customer signs
	Items     []inspListItem
	Acks      []inspAck
}

// inspListItem is one item: its number, name and the fields of its copies.
type inspListItem struct {
	N                    int
	Key, Name            string
	Field, CopyField     string // answers.<list>.<item>, customer_copy.<list>.<item>
	FieldID, CopyFieldID string
	Stub, Customer       string // as recorded (detail and print pages)
}

// inspAck is a statement the inspector confirms.
type inspAck struct {
	Key, Name, Field string
	Confirmed        bool
}

// inspLists prepares the checklists of a form; r fills in what was recorded.
func inspLists(lists []policy.Checklist, r *inspection.Record, l i18n.Locale) []inspList {
	var out []inspList
	for _, c := range lists {
		x := inspList{Key: c.Key, Name: nameIn(c.Name, l), Sign: c.CustomerSignature,
			TwoCopies: slices.Contains(c.Copies, policy.CopyStub) && slices.Contains(c.Copies, policy.CopyCustomer)}
		if c.Form != nil {
			x.FormTitle = nameIn(*c.Form, l)
		}
		for i, it := range c.Items {
			li := inspListItem{N: i + 1, Key: it.Key, Name: nameIn(it.Name, l), Field: "answers." + c.Key + "." + it.Key,
				CopyField: "customer_copy." + c.Key + "." + it.Key}
			li.FieldID, li.CopyFieldID = fieldID(li.Field), fieldID(li.CopyField)
			if r != nil {
				li.Stub, li.Customer = r.Answers[c.Key][it.Key], r.CustomerCopy[c.Key][it.Key]
			}
			x.Items = append(x.Items, li)
		}
		for _, a := range c.Acknowledgements {
			ack := inspAck{Key: a.Key, Name: nameIn(a.Name, l), Field: "acknowledgements." + a.Key}
			if r != nil {
				ack.Confirmed = r.Acknowledgements[a.Key]
			}
			x.Acks = append(x.Acks, ack)
		}
		out = append(out, x)
	}
	return out
}

// fieldID is an HTML id for a field name (no dots or brackets).
func fieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// hazardRows is how many finding rows the form offers.
const hazardRows = 3

// formOf reads the record form: the checklists' entries, the statements,
// the signature and the findings.
func formOf(f *Form, lists []inspList) (inspection.Form, []inspection.Finding, string) {
	out := inspection.Form{Answers: map[string]map[string]string{}, CustomerCopy: map[string]map[string]string{},
		Acknowledgements: map[string]bool{}}
	for _, c := range lists {
		for _, it := range c.Items {
			if v := strings.TrimSpace(f.Get(it.Field)); v != "" {
				if out.Answers[c.Key] == nil {
					out.Answers[c.Key] = map[string]string{}
				}
				out.Answers[c.Key][it.Key] = v
			}
			if v := strings.TrimSpace(f.Get(it.CopyField)); v != "" && c.TwoCopies {
				if out.CustomerCopy[c.Key] == nil {
					out.CustomerCopy[c.Key] = map[string]string{}
				}
				out.CustomerCopy[c.Key][it.Key] = v
			}
		}
		for _, a := range c.Acks {
			if f.Checked(a.Field) {
				out.Acknowledgements[a.Key] = true
			}
		}
	}
	switch {
	case f.Checked("signature_refused"):
		out.SignatureRefused, out.RefusalWitness = true, f.text("refusal_witness")
	case f.Checked("signature_paper"):
		out.Signature = "paper"
	case strings.HasPrefix(f.text("signature"), signaturePrefix):
		out.Signature = f.text("signature")
	}
	var hazards []inspection.Finding
	for i := 0; i < hazardRows+len(f.Values["hazard_kept"]); i++ {
		p := fmt.Sprintf("hazards[%d].", i)
		h := inspection.Finding{Description: f.text(p + "description"), Location: f.text(p + "location"),
			Severity: f.text(p + "severity"), Responsibility: f.text(p + "responsibility"), FixedOnSite: f.Checked(p + "fixed_on_site")}
		if h.Description != "" || h.Location != "" {
			hazards = append(hazards, h)
		}
	}
	return out, hazards, strings.TrimSpace(f.Get("note"))
}

// valuesOf fills a form's values from a record (the edit form, a correction).
func valuesOf(r *inspection.Record) url.Values {
	v := url.Values{}
	for cl, items := range r.Answers {
		for k, x := range items {
			v.Set("answers."+cl+"."+k, x)
		}
	}
	for cl, items := range r.CustomerCopy {
		for k, x := range items {
			v.Set("customer_copy."+cl+"."+k, x)
		}
	}
	for k, ok := range r.Acknowledgements {
		if ok {
			v.Set("acknowledgements."+k, "1")
		}
	}
	switch {
	case r.SignatureRefused:
		v.Set("signature_refused", "1")
		v.Set("refusal_witness", r.RefusalWitness)
	case r.Signature == "paper":
		v.Set("signature_paper", "1")
	case r.Signature != "":
		v.Set("signature", r.Signature)
	}
	for i, h := range r.Hazards {
		p := fmt.Sprintf("hazards[%d].", i)
		v.Set(p+"description", h.Description)
		v.Set(p+"location", h.Location)
		v.Set(p+"severity", h.Severity)
		v.Set(p+"responsibility", h.Responsibility)
		if h.FixedOnSite {
			v.Set(p+"fixed_on_site", "1")
		}
		v.Add("hazard_kept", "1")
	}
	v.Set("note", r.Note)
	v.Set("inspected_at", r.InspectedAt.In(shanghai).Format(localLayout))
	return v
}

// inspHazardRow is one finding row of the form.
type inspHazardRow struct {
	N                                                                int
	Description, Location, Severity, Responsibility                  string // field names
	DescriptionID, LocationID, SeverityID, ResponsibilityID, FixedID string
	Fixed                                                            string
}

func hazardRowsOf(f *Form) []inspHazardRow {
	n := hazardRows + len(f.Values["hazard_kept"])
	var out []inspHazardRow
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("hazards[%d].", i)
		r := inspHazardRow{N: i + 1, Description: p + "description", Location: p + "location", Severity: p + "severity",
			Responsibility: p + "responsibility", Fixed: p + "fixed_on_site"}
		r.DescriptionID, r.LocationID, r.SeverityID, r.ResponsibilityID, r.FixedID = fieldID(r.Description), fieldID(r.Location),
			fieldID(r.Severity), fieldID(r.Responsibility), fieldID(r.Fixed)
		out = append(out, r)
	}
	return out
}

// inspFields are the names the record form can show an error under.
func inspFields(lists []inspList, f *Form) []string {
	fields := []string{"service_point_id", "track", "campaign", "inspected_at", "signature", "refusal_witness", "note", "corrects"}
	for _, c := range lists {
		for _, it := range c.Items {
			fields = append(fields, it.Field, it.CopyField)
		}
		fields = append(fields, "answers."+c.Key, "customer_copy."+c.Key)
		for _, a := range c.Acks {
			fields = append(fields, a.Field)
		}
	}
	for _, r := range hazardRowsOf(f) {
		fields = append(fields, r.Description, r.Location, r.Severity, r.Responsibility)
	}
	return fields
}

// inspWhen reads the inspection time of the form; "" is now (nil).
func inspWhen(f *Form) (*time.Time, error) {
	v := f.text("inspected_at")
	if v == "" {
		return nil, nil
	}
	t, err := parseWhen("inspected_at", v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
