package session

import "time"

// SetClock replaces the manager's clock, for tests of the timeouts.
func SetClock(m *Manager, now func() time.Time) { m.now = now }
