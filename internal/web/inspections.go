package web

// inspectionRoutes mounts the inspections pages (issue 10).
func (s *Server) inspectionRoutes() {
	if s.inspections == nil {
		return
	}
}
