package store

// SetSearchWalk bounds the walk of s's searches to n motions, so that a test
// reaches the search index's part with a few hundred motions.
func (s *Store) SetSearchWalk(n int) { s.walk = n }
