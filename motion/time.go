package motion

import (
	"time"
	_ "time/tzdata" // the council's time zone on every machine, with or without the system's zoneinfo
)

// Berlin is the council's time zone, Europe/Berlin: the one in which
// reference years start, dates are written (pages, e-mails, feeds, OParl) and
// whole days are counted unless a body's rules name another. It is loaded
// here once from the embedded tz database, so every package and every
// machine (and every replay of a workflow) sees the same zone.
var Berlin = mustLoadLocation("Europe/Berlin")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("motion: time zone " + name + ": " + err.Error()) // embedded by time/tzdata
	}
	return loc
}

// LoadLocation returns the IANA time zone name ("" is Berlin) from the
// embedded tz database, cached, so that a configured zone (a body's deadline
// rules, the web pages' setting) is read the same way everywhere.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == Berlin.String() {
		return Berlin, nil
	}
	return loadLocation(name)
}
