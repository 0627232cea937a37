// Package feedstest checks Atom documents against RFC 4287: well-formed XML
// in the Atom namespace, and the elements the RFC requires of a feed and of
// its entries. The feeds package's tests and the end-to-end tests use it.
package feedstest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

const atomNS = "http://www.w3.org/2005/Atom"

// Feed is an Atom feed as a checker reads it: every element it may repeat
// is a slice, so that "exactly one" can be checked.
type Feed struct {
	XMLName xml.Name `xml:"feed"`
	ID      []string `xml:"id"`
	Title   []Text   `xml:"title"`
	Updated []string `xml:"updated"`
	Author  []Person `xml:"author"`
	Link    []Link   `xml:"link"`
	Entry   []Entry  `xml:"entry"`
}

// Entry is an Atom entry as a checker reads it.
type Entry struct {
	ID        []string   `xml:"id"`
	Title     []Text     `xml:"title"`
	Updated   []string   `xml:"updated"`
	Published []string   `xml:"published"`
	Author    []Person   `xml:"author"`
	Link      []Link     `xml:"link"`
	Category  []Category `xml:"category"`
	Summary   []Text     `xml:"summary"`
	Content   []Text     `xml:"content"`
}

// Text is a text construct; Body is its text with entities resolved.
type Text struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// Person is a person construct.
type Person struct {
	Name []string `xml:"name"`
	URI  []string `xml:"uri"`
}

// Link is a link element.
type Link struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

// Category is a category element.
type Category struct {
	Term string `xml:"term,attr"`
}

// Alternate returns the entry's alternate link ("" if none).
func (e Entry) Alternate() string {
	for _, l := range e.Link {
		if l.Rel == "" || l.Rel == "alternate" {
			return l.Href
		}
	}
	return ""
}

// Check parses doc and returns it with every violation of RFC 4287 found.
func Check(doc []byte) (Feed, []string) {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Well-formed XML throughout, every element of the feed in the Atom namespace.
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail("not well-formed XML: %v", err)
			return Feed{}, problems
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && (t.Name.Space != atomNS || t.Name.Local != "feed") {
				fail("root element is {%s}%s, want {%s}feed", t.Name.Space, t.Name.Local, atomNS)
			}
			if depth <= 2 && t.Name.Space != atomNS {
				fail("element {%s}%s is not in the Atom namespace", t.Name.Space, t.Name.Local)
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}

	var f Feed
	if err := xml.Unmarshal(doc, &f); err != nil {
		fail("cannot read the feed: %v", err)
		return f, problems
	}
	one := func(where, what string, n int) {
		if n != 1 {
			fail("%s has %d %s elements, RFC 4287 wants exactly one", where, n, what)
		}
	}
	one("feed", "atom:id", len(f.ID))
	one("feed", "atom:title", len(f.Title))
	one("feed", "atom:updated", len(f.Updated))
	for _, id := range f.ID {
		checkIRI("feed id", id, fail)
	}
	for _, u := range f.Updated {
		checkDate("feed updated", u, fail)
	}
	checkPersons("feed", f.Author, fail)
	checkLinks("feed", f.Link, fail)
	for i, e := range f.Entry {
		where := fmt.Sprintf("entry %d", i)
		one(where, "atom:id", len(e.ID))
		one(where, "atom:title", len(e.Title))
		one(where, "atom:updated", len(e.Updated))
		for _, id := range e.ID {
			checkIRI(where+" id", id, fail)
		}
		for _, u := range append(e.Updated, e.Published...) {
			checkDate(where+" date", u, fail)
		}
		if len(f.Author) == 0 && len(e.Author) == 0 {
			fail("%s has no author and neither has the feed", where)
		}
		checkPersons(where, e.Author, fail)
		checkLinks(where, e.Link, fail)
		if len(e.Content) == 0 && e.Alternate() == "" {
			fail("%s has neither content nor an alternate link", where)
		}
		if len(e.Summary) > 1 || len(e.Content) > 1 {
			fail("%s has %d summaries and %d contents", where, len(e.Summary), len(e.Content))
		}
		for _, t := range append(append(e.Title, e.Summary...), e.Content...) {
			switch t.Type {
			case "", "text", "html", "xhtml":
			default:
				if !strings.Contains(t.Type, "/") {
					fail("%s has a text of type %q", where, t.Type)
				}
			}
		}
	}
	seen := map[string]bool{}
	for i, e := range f.Entry {
		if len(e.ID) == 1 && seen[e.ID[0]] {
			fail("entry %d repeats the id %s", i, e.ID[0])
		}
		if len(e.ID) == 1 {
			seen[e.ID[0]] = true
		}
	}
	return f, problems
}

func checkIRI(where, s string, fail func(string, ...any)) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" {
		fail("%s %q is not an absolute IRI", where, s)
	}
}

func checkDate(where, s string, fail func(string, ...any)) {
	if _, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err != nil {
		fail("%s %q is not an RFC 3339 date-time", where, s)
	}
}

func checkPersons(where string, ps []Person, fail func(string, ...any)) {
	for _, p := range ps {
		if len(p.Name) != 1 || strings.TrimSpace(p.Name[0]) == "" {
			fail("%s has an author without exactly one name", where)
		}
	}
}

func checkLinks(where string, ls []Link, fail func(string, ...any)) {
	alternates := map[string]bool{}
	for _, l := range ls {
		if l.Href == "" {
			fail("%s has a link without href", where)
		}
		if l.Rel == "" || l.Rel == "alternate" {
			if alternates[l.Type] {
				fail("%s has two alternate links of type %q", where, l.Type)
			}
			alternates[l.Type] = true
		}
	}
}
