package motion_test

import (
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// TestBerlin: the council's zone is Europe/Berlin with its summer time,
// whatever zone the machine is in, and a body's rules that name none count
// in it.
func TestBerlin(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "13:00 CET"},
		{time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC), "14:00 CEST"},
	} {
		if got := tc.at.In(motion.Berlin).Format("15:04 MST"); got != tc.want {
			t.Errorf("%v in Berlin = %s, want %s", tc.at, got, tc.want)
		}
	}
	for _, name := range []string{"", "Europe/Berlin"} {
		if l, err := motion.LoadLocation(name); err != nil || l != motion.Berlin {
			t.Errorf("LoadLocation(%q) = %v, %v; want motion.Berlin", name, l, err)
		}
	}
	if l, err := motion.LoadLocation("Europe/Vienna"); err != nil || l.String() != "Europe/Vienna" {
		t.Errorf("LoadLocation(Europe/Vienna) = %v, %v", l, err)
	}
	if _, err := motion.LoadLocation("Mars/Olympus"); err == nil {
		t.Error("an unknown zone loads")
	}
}
