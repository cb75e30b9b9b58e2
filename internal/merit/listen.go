package merit

import "kefu/internal/notify"

// listen subscribes the service to the events the packs' triggers name.
func (s *Service) listen(n *notify.Service) {}
