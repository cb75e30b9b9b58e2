package web

// certificateRoutes mounts the certificates pages (issue 10).
func (s *Server) certificateRoutes() {
	if s.certificates == nil {
		return
	}
}
