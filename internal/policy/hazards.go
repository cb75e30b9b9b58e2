package policy

// HazardRules are a pack's hazard-register rules (INS-013 to INS-018).
type HazardRules struct{}

// hazardDefaults fills what a pack leaves out of its hazards section.
func hazardDefaults(r *HazardRules) {}

// hazards validates the hazards section.
func (v *validator) hazards(path string, r *HazardRules) {}
