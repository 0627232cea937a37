package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"
	"github.com/motionflow/motionflow/problem"
)

// init makes every error huma writes a problem.Problem with German texts:
// its own (validation, unreadable bodies, missing parameters) as well as the
// handlers'. It runs before any operation is registered, because huma
// computes the schemas' validation messages at registration.
func init() {
	huma.NewError = newError
	germanValidation()
}

// newError is huma.NewError: a problem with the German title of the status,
// huma's English messages in German, and error details without the value
// they refused (a 1 MB title is not sent back).
func newError(status int, msg string, errs ...error) huma.StatusError {
	if status >= 500 && status != http.StatusServiceUnavailable && status != http.StatusGatewayTimeout {
		// An error huma did not expect ("unexpected error occurred", a body
		// it could not read) is not the client's business.
		return problem.New(status, problem.DetailInternal)
	}
	var fields []problem.Field
	for _, err := range errs {
		var d huma.ErrorDetailer
		switch {
		case err == nil:
			continue
		case errors.As(err, &d):
			e := d.ErrorDetail()
			fields = append(fields, problem.Field{Location: e.Location, Message: germanDetail(status, e.Location, e.Message)})
		default:
			fields = append(fields, problem.Field{Message: germanDetail(status, "", err.Error())})
		}
	}
	return problem.New(status, germanMessage(msg), fields...)
}

// humaMessages are huma's own problem details in German.
var humaMessages = map[string]string{
	"validation failed":          problem.DetailInvalid,
	"request body is required":   "Der Inhalt der Anfrage fehlt.",
	"request body read timeout":  "Der Inhalt der Anfrage kam nicht rechtzeitig an.",
	"unexpected error occurred":  problem.DetailInternal,
	"cannot read request body":   "Der Inhalt der Anfrage konnte nicht gelesen werden.",
	"unable to marshal response": problem.DetailInternal,
}

// germanMessage translates one of huma's details; ours pass unchanged.
func germanMessage(msg string) string {
	if m, ok := humaMessages[msg]; ok {
		return m
	}
	if strings.HasPrefix(msg, "request body is too large") {
		return "Der Inhalt der Anfrage ist zu groß."
	}
	return msg
}

// germanDetail translates huma's messages about one part of a request that
// are not among validation's variables (parameter parsing, JSON syntax).
func germanDetail(status int, location, msg string) string {
	switch {
	case msg == "unknown query parameter":
		return "unbekannter Parameter"
	case strings.HasPrefix(msg, "required ") && strings.HasSuffix(msg, " parameter is missing"):
		return "fehlt"
	case msg == "expected at most one value, but received multiple values":
		return "nur ein Wert erlaubt"
	case msg == "invalid integer":
		return "erwartet eine ganze Zahl"
	case msg == "invalid float", msg == "invalid floating value":
		return "erwartet eine Zahl"
	case msg == "invalid boolean":
		return "erwartet true oder false"
	case strings.HasPrefix(msg, "invalid date/time"):
		return "erwartet Datum und Uhrzeit"
	case strings.HasPrefix(msg, "invalid value"), msg == "unparsable value", msg == "invalid url.URL value":
		return "ungültiger Wert"
	case msg == "write only property is non-zero":
		return "darf nicht gesendet werden"
	case msg == "expected value to match exactly one schema but matched multiple":
		return "passt zu mehreren der erlaubten Formen"
	case msg == "unknown content type":
		return "Format nicht unterstützt (erwartet application/json)"
	case strings.HasPrefix(msg, "cannot read multipart form"):
		return "das Formular konnte nicht gelesen werden"
	case location == "body" && status == http.StatusBadRequest:
		// encoding/json's syntax errors ("invalid character 'x' looking for
		// beginning of value", "unexpected end of JSON input").
		return "kein gültiges JSON"
	}
	return msg
}

// germanValidation sets huma's schema validation messages in German. The
// formats keep huma's verbs; "%.0v" swallows an English parser error that
// huma appends.
func germanValidation() {
	validation.MsgUnexpectedProperty = "unbekanntes Feld"
	validation.MsgExpectedRFC3339DateTime = "erwartet Datum und Uhrzeit nach RFC 3339 (2026-03-10T17:00:00+01:00)"
	validation.MsgExpectedRFC1123DateTime = "erwartet Datum und Uhrzeit nach RFC 1123"
	validation.MsgExpectedRFC3339Date = "erwartet ein Datum nach RFC 3339 (2026-03-10)"
	validation.MsgExpectedRFC3339Time = "erwartet eine Uhrzeit nach RFC 3339 (17:00:00)"
	validation.MsgExpectedRFC5322Email = "erwartet eine E-Mail-Adresse%.0v"
	validation.MsgExpectedRFC5890Hostname = "erwartet einen Rechnernamen"
	validation.MsgExpectedRFC2673IPv4 = "erwartet eine IPv4-Adresse"
	validation.MsgExpectedRFC2373IPv6 = "erwartet eine IPv6-Adresse"
	validation.MsgExpectedRFCIPAddr = "erwartet eine IPv4- oder IPv6-Adresse"
	validation.MsgExpectedRFC3986URI = "erwartet eine URI%.0v"
	validation.MsgExpectedRFC4122UUID = "erwartet eine UUID%.0v"
	validation.MsgExpectedRFC6570URITemplate = "erwartet eine URI-Vorlage"
	validation.MsgExpectedRFC6901JSONPointer = "erwartet einen JSON-Pointer"
	validation.MsgExpectedRFC6901RelativeJSONPointer = "erwartet einen relativen JSON-Pointer"
	validation.MsgExpectedRegexp = "erwartet einen regulären Ausdruck%.0v"
	validation.MsgExpectedMatchAtLeastOneSchema = "passt zu keiner der erlaubten Formen"
	validation.MsgExpectedMatchExactlyOneSchema = "passt zu keiner der erlaubten Formen"
	validation.MsgExpectedNotMatchSchema = "hat eine nicht erlaubte Form"
	validation.MsgExpectedPropertyNameInObject = "der Name des Feldes fehlt im Objekt"
	validation.MsgExpectedBoolean = "erwartet true oder false"
	validation.MsgExpectedDuration = "erwartet eine Dauer%.0v"
	validation.MsgExpectedNumber = "erwartet eine Zahl"
	validation.MsgExpectedInteger = "erwartet eine ganze Zahl"
	validation.MsgExpectedString = "erwartet einen Text"
	validation.MsgExpectedBase64String = "erwartet Base64"
	validation.MsgExpectedArray = "erwartet eine Liste"
	validation.MsgExpectedObject = "erwartet ein Objekt"
	validation.MsgExpectedArrayItemsUnique = "die Einträge müssen verschieden sein"
	validation.MsgExpectedOneOf = "erlaubt sind: %s"
	validation.MsgExpectedMinimumNumber = "muss mindestens %v sein"
	validation.MsgExpectedExclusiveMinimumNumber = "muss größer als %v sein"
	validation.MsgExpectedMaximumNumber = "darf höchstens %v sein"
	validation.MsgExpectedExclusiveMaximumNumber = "muss kleiner als %v sein"
	validation.MsgExpectedNumberBeMultipleOf = "muss ein Vielfaches von %v sein"
	validation.MsgExpectedMinLength = "zu kurz (mindestens %d Zeichen)"
	validation.MsgExpectedMaxLength = "zu lang (höchstens %d Zeichen)"
	validation.MsgExpectedBePattern = "erwartet %s"
	validation.MsgExpectedMatchPattern = "hat nicht die erwartete Form (%s)"
	validation.MsgExpectedMinItems = "zu wenige Einträge (mindestens %d)"
	validation.MsgExpectedMaxItems = "zu viele Einträge (höchstens %d)"
	validation.MsgExpectedMinProperties = "zu wenige Felder (mindestens %d)"
	validation.MsgExpectedMaxProperties = "zu viele Felder (höchstens %d)"
	validation.MsgExpectedRequiredProperty = "das Feld %s fehlt"
	validation.MsgExpectedDependentRequiredProperty = "das Feld %s fehlt, wenn %s angegeben ist"
}

// problem turns any error of the layers below into the problem that answers
// it (problem.From). An unexpected error is logged at ERROR level and
// answered 500 with the request id; a timeout or an unavailable Temporal is
// a warning.
func (s *server) problem(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	p := problem.From(err)
	switch {
	case problem.Internal(p):
		s.log.ErrorContext(ctx, "internal error", slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
		p.Detail = fmt.Sprintf("%s Bitte mit der Request-ID melden: %s", problem.DetailInternal, RequestID(ctx))
	case p.Status >= 500:
		s.log.WarnContext(ctx, "request not served", slog.Int("status", p.Status),
			slog.String("request_id", RequestID(ctx)), slog.Any("error", err))
	}
	return p
}

// notFound is the answer for what does not exist or may not be seen.
func notFound(what string) error { return problem.New(http.StatusNotFound, what+" nicht gefunden.") }

// fieldError is a 422 naming one field of the request.
func fieldError(location, msg string) error {
	return problem.New(http.StatusUnprocessableEntity, problem.DetailInvalid, problem.Field{Location: location, Message: msg})
}
