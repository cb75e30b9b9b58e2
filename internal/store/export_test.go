package store

// QueuedWrites is how many write transactions wait for the group committer.
func QueuedWrites(db *DB) int { return len(db.group.requests) }
