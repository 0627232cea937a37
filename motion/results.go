package motion

import "time"

// CheckResultInput checks a result recorded outside a motion's own commands
// (a meeting's session records results on its agenda items and passes them
// on): the same text, content and plausibility checks a record_result
// command gets, so that the meeting accepts only what the motion will. It
// returns the input with its texts normalized.
func CheckResultInput(in ResultInput) (ResultInput, error) {
	cmd, err := checkTexts(RecordResult{ConsultationID: "c", ResultInput: in})
	if err != nil {
		return ResultInput{}, err
	}
	in = cmd.(RecordResult).ResultInput
	if err := checkPlausibility(RecordResult{ResultInput: in}); err != nil {
		return ResultInput{}, err
	}
	var f fields
	in.validate(&f)
	if err := f.err(); err != nil {
		return ResultInput{}, err
	}
	return in, nil
}

// Refuse returns a refusal with code and a German message for the caller;
// other domains (the meeting) refuse with the motion's codes so that every
// surface maps them to the same statuses.
func Refuse(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Invalid returns a CodeInvalid refusal naming one field.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeInvalid, Message: "Die Angaben sind unvollständig oder ungültig.",
		Fields: []FieldError{{Field: field, Message: message}}}
}

// SameDayOrLater reports whether at lies on the Berlin calendar day of t or
// after it: the council's days, whatever the server's time zone.
func SameDayOrLater(at, t time.Time) bool {
	ay, am, ad := at.In(Berlin).Date()
	ty, tm, td := t.In(Berlin).Date()
	return !time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC).Before(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC))
}

// CheckProse checks a running text that is not part of a motion's command
// (a meeting's notes, a resolution text) by the rules of the commands' texts
// and returns it with its line breaks normalized; a refusal is an Invalid
// *Error naming field.
func CheckProse(field, label, v string, max int, required bool) (string, error) {
	var t texts
	n := optional
	if required {
		n = filled
	}
	t.prose(field, label, &v, max, n)
	return v, t.f.err()
}
