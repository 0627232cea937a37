package store

import (
	"slices"
	"testing"
)

// TestTsqTerms: the lexemes of a tsquery's text as PostgreSQL writes it are
// found with their place, prefix mark and weights, quotes and backslashes
// included, and quoteLexeme writes them back as they were.
func TestTsqTerms(t *testing.T) {
	// What PostgreSQL prints for  'a''b':*A & !'c\\d' <-> 'e':*  (checked with psql).
	tsq := `'a''b':*A & !'c\\d' <-> 'e':* | 'f':B`
	got := tsqTerms(tsq)
	want := []tsqTerm{
		{start: 0, end: 9, lexeme: "a'b", weights: "A", prefix: true},
		{start: 13, end: 19, lexeme: `c\d`},
		{start: 24, end: 29, lexeme: "e", prefix: true},
		{start: 32, end: 37, lexeme: "f", weights: "B"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tsqTerms(%q) = %+v, want %+v", tsq, got, want)
	}
	for _, term := range got {
		if q := quoteLexeme(term.lexeme); tsq[term.start:term.start+len(q)] != q {
			t.Errorf("quoteLexeme(%q) = %s, the query has %s", term.lexeme, q, tsq[term.start:term.end])
		}
	}
}
