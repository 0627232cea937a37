// Package motion is the domain of motionflow: the kinds of council motions, their
// process status, consultation results and outcomes, vote records, and the one
// transition table that decides which command a caller may run on a motion in
// which status.
//
// Guarantees: the package is pure Go without I/O, clocks or randomness, so that
// the Temporal workflow that owns a motion can call it deterministically, and the
// API and the web pages can ask the same questions ("may this caller do that
// now?") without a round trip. Every rejection is an *Error with a Code that the
// layers above map to one HTTP status. Every string that enters a command passes
// one text validation (text.go): what Apply accepts can always be written into
// the read model, and one-line fields (titles, names, ids) never hold a line break.
package motion
