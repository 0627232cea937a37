package motion

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies why a command was refused; each code maps to one HTTP status.
type Code string

// The refusal codes.
const (
	CodeNotFound          Code = "NotFound"          // the caller may not see the motion (404)
	CodeForbidden         Code = "Forbidden"         // the caller's role or faction may not run the command (403)
	CodeStaleVersion      Code = "StaleVersion"      // the motion changed since the caller read it (412)
	CodeIllegalTransition Code = "IllegalTransition" // the command does not apply in the current status (409)
	CodeInvalid           Code = "Invalid"           // the command's content is not acceptable (422)
)

// FieldError names one invalid field of a command.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a refusal of a command, with a message fit to show to the caller.
type Error struct {
	Code    Code         `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// CodeOf returns the code of err if it is (or wraps) an *Error, else "".
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func refuse(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// fields collects field errors while validating a command.
type fields []FieldError

func (f *fields) add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "Die Angaben sind unvollständig oder ungültig.", Fields: f}
}

// ErrKeyReused refuses a request id (Idempotency-Key) that already applied a
// different request: answering it with the first request's result would
// silently drop the new content (IETF Idempotency-Key draft: 422). Commands
// and notes answer it alike.
var ErrKeyReused = &Error{Code: CodeInvalid,
	Message: "Dieser Idempotency-Key wurde bereits für eine andere Anfrage verwendet. Bitte einen neuen Schlüssel senden.",
	Fields: []FieldError{{Field: "Idempotency-Key",
		Message: "Der Schlüssel gehört zu einer Anfrage mit anderem Inhalt."}}}
