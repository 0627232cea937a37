package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
)

// Page sizes of the list queries.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// limit clamps a requested page size to 1..MaxLimit, DefaultLimit for <= 0.
func limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// encodeCursor turns the sort key of the last row of a page into an opaque
// token: base64 of its JSON, so that clients treat it as a black box.
func encodeCursor(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // cursor types are plain structs
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a token made by encodeCursor into v; ErrInvalid if it is
// not one.
func decodeCursor(token string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return invalidf("malformed cursor")
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidf("malformed cursor")
	}
	return nil
}

// args collects positional query arguments while a query is built.
type args []any

// add appends v and returns its placeholder ("$3").
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}
