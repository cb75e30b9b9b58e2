package policy

// CertificateRules are a pack's certificate kinds and the work that needs
// them (INS-017).
type CertificateRules struct{}

// certificateDefaults fills what a pack leaves out of its certificates
// section.
func certificateDefaults(r *CertificateRules) {}

// certificates validates the certificates section.
func (v *validator) certificates(path string, r *CertificateRules) {}
