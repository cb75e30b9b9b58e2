package web

// hazardRoutes mounts the hazards pages (issue 10).
func (s *Server) hazardRoutes() {
	if s.hazards == nil {
		return
	}
}
