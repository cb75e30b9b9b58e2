package inspection

import (
	"kefu/internal/customer"
	"kefu/internal/policy"
)

// Attributes are the values a cycle's or campaign's condition reads for a
// customer's service point (policy.InspectionAttributes):
//
//   - customer_type: the customer's type key (CUS-002);
//   - class: residential or non_residential, the customer's TypeClass or
//     else the class of its type in the pack;
//   - importance: the important-customer grade (CUS-005); important: true
//     once the grade is approved or filed (CUS-006: effective on approval);
//   - key_account, grade; sources: the number of supply sources on file;
//   - kind: the service-point kind, and every text, number or bool
//     attribute of the point under its own name (voltage, usage, tariff,
//     reading_frequency, contracted_capacity_kva, …);
//   - voltage_kv: the supply voltage in kV, and hv: above the pack's HV
//     threshold (CUS-003), both derived from voltage when it reads as one.
//
// A nil customer or point contributes nothing.
func Attributes(p *policy.Pack, c *customer.Customer, sp *customer.ServicePoint) map[string]policy.Value {
	out := map[string]policy.Value{}
	if sp != nil {
		for k, v := range sp.Attributes {
			if val, ok := value(v); ok {
				out[k] = val
			}
		}
		out["kind"] = policy.Str(sp.Kind)
		if s, ok := sp.Attributes["voltage"].(string); ok {
			if volts, _, ok := customer.ParseVoltage(s); ok {
				out["voltage_kv"] = policy.Num(volts / 1000)
				threshold := policy.DefaultHVVolts
				if p != nil {
					threshold = p.Customers.HVThresholdVolts
				}
				out["hv"] = policy.Bool(volts > float64(threshold))
			}
		}
	}
	if c == nil {
		return out
	}
	if c.Type != "" {
		out["customer_type"] = policy.Str(c.Type)
	}
	class := c.TypeClass
	if class == "" && p != nil {
		if t, ok := p.Customers.Type(c.Type); ok {
			class = t.Class
		}
	}
	if class != "" {
		out["class"] = policy.Str(class)
	}
	if c.Importance != "" {
		out["importance"] = policy.Str(c.Importance)
	}
	out["important"] = policy.Bool(c.Importance != "" &&
		(c.ImportanceState == customer.StateApproved || c.ImportanceState == customer.StateFiled))
	out["key_account"] = policy.Bool(c.KeyAccount)
	if c.Grade != "" {
		out["grade"] = policy.Str(c.Grade)
	}
	if c.Supply != nil {
		out["sources"] = policy.Num(float64(len(c.Supply.Sources)))
	}
	return out
}

// value converts a JSON-decoded attribute; lists and objects are not read.
func value(v any) (policy.Value, bool) {
	switch x := v.(type) {
	case string:
		return policy.Str(x), true
	case bool:
		return policy.Bool(x), true
	case float64:
		return policy.Num(x), true
	case int:
		return policy.Num(float64(x)), true
	case int64:
		return policy.Num(float64(x)), true
	}
	return policy.Value{}, false
}
