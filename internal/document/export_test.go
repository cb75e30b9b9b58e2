package document

// FailBeforeStore makes uploads fail once their bytes are durable but
// before they become visible: before the rename (files) or after the large
// object is written, inside the transaction (PostgreSQL).
func FailBeforeStore(s *Service, err error) {
	switch b := s.blobs.(type) {
	case *fileStore:
		b.beforeRename = func(string) error { return err }
	case *loStore:
		b.afterWrite = func() error { return err }
	}
}

// FilesDir is the directory of the file store ("" on PostgreSQL).
func FilesDir(s *Service) string {
	if b, ok := s.blobs.(*fileStore); ok {
		return b.dir
	}
	return ""
}

// LOComment is the comment kefu puts on its large objects, without the schema.
const LOComment = loComment
