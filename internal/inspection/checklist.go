package inspection

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"kefu/internal/apperr"
	"kefu/internal/i18n"
	"kefu/internal/policy"
)

// Form is what an inspection record fills in: the pack's checklists, the
// statements the inspector confirms and the customer's signature.
type Form struct {
	// Answers holds each item's entry per checklist (checklist → item →
	// what was found); for a two-copy form, the stub copy (存根联).
	Answers map[string]map[string]string `json:"answers"`
	// CustomerCopy holds the customer copy (客户联) of a two-copy form as
	// written, to be checked against the stub (INS-012).
	CustomerCopy map[string]map[string]string `json:"customer_copy,omitempty"`
	// Acknowledgements are the statements confirmed (INS-010: the
	// inspector did not operate the customer's equipment).
	Acknowledgements map[string]bool `json:"acknowledgements,omitempty"`
	// Signature is the customer's signature on a form that needs one: an
	// e-signature image (data: URL) or "paper" for a signed paper form.
	// SignatureRefused records a refusal, with the witness (INS-013).
	Signature        string `json:"signature,omitempty"`
	SignatureRefused bool   `json:"signature_refused,omitempty"`
	RefusalWitness   string `json:"refusal_witness,omitempty"`
}

// Limits of a form.
const (
	MaxEntry     = 500       // characters of one item's entry
	MaxNote      = 2000      // characters of a note or a finding
	MaxSignature = 512 << 10 // bytes of a signature image
)

// checkShape refuses entries for checklists or items the record does not
// use, copies of a form that has none, unknown statements and oversized
// values. lists are the record's checklist keys.
func checkShape(sec *policy.InspectionRules, lists []string, f *Form) error {
	for _, part := range []struct {
		field string
		m     map[string]map[string]string
	}{{"answers", f.Answers}, {"customer_copy", f.CustomerCopy}} {
		for cl, items := range part.m {
			c, ok := sec.Checklist(cl)
			if !ok || !slices.Contains(lists, cl) {
				return apperr.Validation(part.field+"."+cl, i18n.T("本次检查不填写检查表 %[1]s（须为 %[2]s）",
					"this inspection does not fill in checklist %[1]s (it fills in %[2]s)", cl, strings.Join(lists, ", ")))
			}
			if part.field == "customer_copy" && !slices.Contains(c.Copies, policy.CopyCustomer) {
				return apperr.Validation(part.field+"."+cl, i18n.T("检查表 %s 没有客户联", "checklist %s has no customer copy", cl))
			}
			for key, v := range items {
				if !slices.ContainsFunc(c.Items, func(k policy.Keyed) bool { return k.Key == key }) {
					return apperr.Validation(part.field+"."+cl+"."+key, i18n.T("检查表 %[1]s 没有项目 %[2]s", "checklist %[1]s has no item %[2]s", cl, key))
				}
				if utf8.RuneCountInString(v) > MaxEntry {
					return apperr.Validation(part.field+"."+cl+"."+key, i18n.T("不能超过 %d 个字符", "at most %d characters", MaxEntry))
				}
			}
		}
	}
	for key := range f.Acknowledgements {
		known := false
		for _, cl := range lists {
			if c, ok := sec.Checklist(cl); ok && slices.ContainsFunc(c.Acknowledgements, func(k policy.Keyed) bool { return k.Key == key }) {
				known = true
			}
		}
		if !known {
			return apperr.Validation("acknowledgements."+key, i18n.T("没有需要确认的事项 %s", "no statement %s to confirm", key))
		}
	}
	switch {
	case len(f.Signature) > MaxSignature:
		return apperr.Validation("signature", i18n.T("签名图片过大", "the signature image is too large"))
	case utf8.RuneCountInString(f.RefusalWitness) > 100:
		return apperr.Validation("refusal_witness", i18n.T("不能超过 100 个字符", "at most 100 characters"))
	}
	return nil
}

// CheckComplete reports the first reason a form cannot be closed, naming
// the field: an item left blank (INS-010: "item (4) blank → cannot be
// closed"), a statement not confirmed, a customer copy that does not match
// the stub (INS-012: the form goes back to the inspector), or a missing
// customer signature or refusal (INS-012, INS-013). lists are the record's
// checklist keys; nil means the form is complete.
func CheckComplete(sec *policy.InspectionRules, lists []string, f Form) error {
	signature := false
	for _, cl := range lists {
		c, ok := sec.Checklist(cl)
		if !ok {
			return apperr.Validation("answers."+cl, i18n.T("政策包没有检查表 %s", "the pack has no checklist %s", cl))
		}
		for i, it := range c.Items {
			if strings.TrimSpace(f.Answers[cl][it.Key]) == "" {
				return apperr.Validation(fmt.Sprintf("answers.%s.%s", cl, it.Key), i18n.T(
					"检查项目（%[1]d）%[2]s 未填写，不能结案（INS-010）", "item (%[1]d) %[3]s is blank: the record cannot be closed (INS-010)",
					i+1, it.Name.ZH, it.Name.Text().In(i18n.EN)))
			}
		}
		for _, a := range c.Acknowledgements {
			if !f.Acknowledgements[a.Key] {
				return apperr.Validation("acknowledgements."+a.Key, i18n.T("须确认：%[1]s（INS-010）", "confirm: %[2]s (INS-010)",
					a.Name.ZH, a.Name.Text().In(i18n.EN)))
			}
		}
		if slices.Contains(c.Copies, policy.CopyStub) && slices.Contains(c.Copies, policy.CopyCustomer) {
			for i, it := range c.Items {
				stub, cust := strings.TrimSpace(f.Answers[cl][it.Key]), strings.TrimSpace(f.CustomerCopy[cl][it.Key])
				if stub != cust {
					return apperr.Validation(fmt.Sprintf("customer_copy.%s.%s", cl, it.Key), i18n.T(
						"存根联与客户联不一致：项目（%[1]d）%[2]s 存根联为“%[4]s”，客户联为“%[5]s”；退回安检员重填（INS-012）",
						"the stub and the customer copy differ: item (%[1]d) %[3]s reads %[4]q on the stub and %[5]q on the customer copy; returned to the inspector (INS-012)",
						i+1, it.Name.ZH, it.Name.Text().In(i18n.EN), stub, cust))
				}
			}
		}
		signature = signature || c.CustomerSignature
	}
	if signature {
		switch {
		case f.SignatureRefused && strings.TrimSpace(f.RefusalWitness) == "":
			return apperr.Validation("refusal_witness", i18n.T("客户拒签须记录见证人（INS-013）", "a refusal to sign needs a witness (INS-013)"))
		case !f.SignatureRefused && strings.TrimSpace(f.Signature) == "":
			return apperr.Validation("signature", i18n.T("检查表须经客户签字，或记录拒签（INS-012）",
				"the form needs the customer's signature, or the refusal recorded (INS-012)"))
		}
	}
	return nil
}
