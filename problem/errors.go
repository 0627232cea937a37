package problem

import (
	"context"
	"errors"
	"net/http"

	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"go.temporal.io/api/serviceerror"
)

// statusOf maps a domain refusal to its HTTP status: the one table for the
// API and the web pages.
var statusOf = map[motion.Code]int{
	motion.CodeNotFound:          http.StatusNotFound,
	motion.CodeForbidden:         http.StatusForbidden,
	motion.CodeStaleVersion:      http.StatusPreconditionFailed,
	motion.CodeIllegalTransition: http.StatusConflict,
	motion.CodeInvalid:           http.StatusUnprocessableEntity,
}

// Status is the HTTP status of a domain refusal; an unknown code is 422.
func Status(c motion.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusUnprocessableEntity
}

// The details of the problems From makes of errors that are no refusal of
// the domain. Callers may say more (which object was not found).
const (
	DetailNotFound    = "Nicht gefunden."
	DetailConflict    = "Existiert bereits."
	DetailInvalid     = "Die Angaben sind ungültig."
	DetailTimeout     = "Die Anfrage hat zu lange gedauert. Bitte erneut versuchen."
	DetailCanceled    = "Die Anfrage wurde abgebrochen."
	DetailUnavailable = "Der Dienst ist vorübergehend nicht erreichbar. Bitte gleich erneut versuchen."
	DetailInternal    = "Interner Fehler."
)

// From returns the problem that answers err:
//
//   - a *Problem (also wrapped) as it is;
//   - a *motion.Error with its code's status ([Status]), its message and its
//     fields as "body.<field>";
//   - store.ErrNotFound 404, store.ErrConflict 409, store.ErrInvalid 422
//     (input PostgreSQL refuses; the database's message is not shown);
//   - a deadline 504, a cancelled request 499, Temporal unavailable or
//     overloaded 503 with Retry-After;
//   - anything else 500 without detail: [Internal] reports it, and the
//     caller logs it.
func From(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var me *motion.Error
	if errors.As(err, &me) {
		fields := make([]Field, 0, len(me.Fields))
		for _, f := range me.Fields {
			fields = append(fields, Field{Location: "body." + f.Field, Message: f.Message})
		}
		return New(Status(me.Code), me.Message, fields...)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return New(http.StatusNotFound, DetailNotFound)
	case errors.Is(err, store.ErrConflict):
		return New(http.StatusConflict, DetailConflict)
	case errors.Is(err, store.ErrInvalid):
		return New(http.StatusUnprocessableEntity, DetailInvalid)
	case errors.Is(err, context.DeadlineExceeded):
		return New(http.StatusGatewayTimeout, DetailTimeout)
	case errors.Is(err, context.Canceled):
		return New(StatusClientClosedRequest, DetailCanceled)
	}
	var unavailable *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	if errors.As(err, &unavailable) || errors.As(err, &exhausted) {
		return New(http.StatusServiceUnavailable, DetailUnavailable).WithHeader("Retry-After", "5")
	}
	var deadline *serviceerror.DeadlineExceeded
	if errors.As(err, &deadline) {
		return New(http.StatusGatewayTimeout, DetailTimeout)
	}
	return New(http.StatusInternalServerError, DetailInternal)
}

// Internal reports whether p is the answer to an unexpected error: a 500,
// which the caller logs at ERROR level. A timeout or an unavailable service
// (503, 504) is expected now and then and worth a warning only.
func Internal(p *Problem) bool { return p.Status == http.StatusInternalServerError }
