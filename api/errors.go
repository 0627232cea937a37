package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/motionflow/motionflow/motion"
	"github.com/motionflow/motionflow/store"
	"go.temporal.io/api/serviceerror"
)

// statusOf maps a refusal code to its HTTP status.
var statusOf = map[motion.Code]int{
	motion.CodeNotFound:          http.StatusNotFound,
	motion.CodeForbidden:         http.StatusForbidden,
	motion.CodeStaleVersion:      http.StatusPreconditionFailed,
	motion.CodeIllegalTransition: http.StatusConflict,
	motion.CodeInvalid:           http.StatusUnprocessableEntity,
}

// problem turns any error of the layers below into a huma error with the
// right status. Unexpected errors are logged and answered 500 without detail.
func (s *server) problem(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	var me *motion.Error
	if errors.As(err, &me) {
		status, ok := statusOf[me.Code]
		if !ok {
			status = http.StatusUnprocessableEntity
		}
		details := make([]error, 0, len(me.Fields))
		for _, f := range me.Fields {
			details = append(details, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
		}
		return huma.NewError(status, me.Message, details...)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return huma.Error404NotFound("Nicht gefunden.")
	case errors.Is(err, store.ErrConflict):
		return huma.Error409Conflict("Existiert bereits.")
	case errors.Is(err, store.ErrInvalid):
		return huma.Error422UnprocessableEntity("Die Angaben sind ungültig: " + err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		s.log.WarnContext(ctx, "request timed out", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
		return huma.Error504GatewayTimeout("Die Anfrage hat zu lange gedauert. Bitte erneut versuchen.")
	case errors.Is(err, context.Canceled):
		return huma.NewError(499, "Die Anfrage wurde abgebrochen.")
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		s.log.WarnContext(ctx, "temporal unavailable", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
		return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable("Der Dienst ist vorübergehend nicht erreichbar. Bitte gleich erneut versuchen."),
			http.Header{"Retry-After": {"5"}})
	}
	s.log.ErrorContext(ctx, "internal error", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
	return huma.Error500InternalServerError("Interner Fehler. Bitte mit der Request-ID melden: " + RequestID(ctx))
}

// notFound is the answer for what does not exist or may not be seen.
func notFound(what string) error { return huma.Error404NotFound(what + " nicht gefunden.") }

// fieldError is a 422 naming one field of the request.
func fieldError(location, msg string) error {
	return huma.Error422UnprocessableEntity("Die Angaben sind ungültig.", &huma.ErrorDetail{Location: location, Message: msg})
}
