package store

import "github.com/jackc/tern/v2/migrate"

// SetSearchWalk bounds the walk of s's searches to n motions, so that a test
// reaches the search index's part with a few hundred motions.
func (s *Store) SetSearchWalk(n int) { s.walk = n }

// SchemaVersion is the schema version this binary's migrations make.
func SchemaVersion() int {
	ms, err := migrate.FindMigrations(migrations())
	if err != nil {
		panic(err)
	}
	return len(ms)
}
