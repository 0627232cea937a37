// Package oparltest walks an OParl 1.1 endpoint the way an importing client
// does and checks everything it finds: each object against the schema of its
// type (embedded objects included), the protocol rules the schemas do not
// show (no null, date-times with offsets, CORS, links.next on every page but
// the last), and that every referenced URL answers with an object of the
// right type. Tests of the oparl package and the end-to-end tests use it.
package oparltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TypePrefix starts the type of every OParl 1.1 object.
const TypePrefix = "https://schema.oparl.org/1.1/"

// Schemas are the compiled OParl object schemas by type name ("Paper"),
// with each type's embedded-object properties, read from a directory of
// <Type>.json files.
type Schemas struct {
	byType map[string]*jsonschema.Schema
	// embedded maps a type to its properties that hold embedded objects, and
	// the type of those objects.
	embedded map[string]map[string]string
	// extensions are the schemas of vendor extensions by property name
	// ("motionflow:vote"), and the types that may carry each.
	extensions map[string]extension
}

// extension is the schema of a vendor extension's value.
type extension struct {
	schema    *jsonschema.Schema
	appliesTo []string
}

// LoadSchemas compiles every <Type>.json in dir. Formats are asserted
// (date-time, date) and "url" must be an absolute http(s) URL. A file whose
// schema names a property in "oparlExtension" is the schema of a vendor
// extension (OParl 1.1 allows extra properties with a vendor prefix,
// "vendor:name"): the value of that property on the types listed in
// "appliesTo" is validated against it, and the property on any other type
// is a problem.
func LoadSchemas(t testing.TB, dir string) *Schemas {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("oparltest: no schemas in %s (%v)", dir, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "url", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		u, err := url.Parse(s)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an absolute http(s) URL", s)
		}
		return nil
	}})
	s := &Schemas{byType: map[string]*jsonschema.Schema{}, embedded: map[string]map[string]string{}, extensions: map[string]extension{}}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("oparltest: %s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		loc := "https://schema.oparl.org/1.1/" + name + ".json"
		if err := c.AddResource(loc, doc); err != nil {
			t.Fatalf("oparltest: %s: %v", f, err)
		}
		sch, err := c.Compile(loc)
		if err != nil {
			t.Fatalf("oparltest: compile %s: %v", f, err)
		}
		if prop, ok := doc.(map[string]any)["oparlExtension"].(string); ok {
			if !strings.Contains(prop, ":") {
				t.Fatalf("oparltest: %s: extension %q has no vendor prefix", f, prop)
			}
			ext := extension{schema: sch}
			types, _ := doc.(map[string]any)["appliesTo"].([]any)
			for _, x := range types {
				if typ, ok := x.(string); ok {
					ext.appliesTo = append(ext.appliesTo, typ)
				}
			}
			s.extensions[prop] = ext
			continue
		}
		s.byType[name] = sch
		// Properties marked "schema": "<Type>.json" hold embedded objects
		// (directly or as array items); the schemas do not $ref them, so
		// they are validated one by one.
		emb := map[string]string{}
		props, _ := doc.(map[string]any)["properties"].(map[string]any)
		for prop, v := range props {
			p, _ := v.(map[string]any)
			ref, _ := p["schema"].(string)
			if items, ok := p["items"].(map[string]any); ok && p["type"] == "array" {
				ref, _ = items["schema"].(string)
			}
			if p["type"] == "string" {
				continue // an external list's URL
			}
			if strings.HasSuffix(ref, ".json") {
				emb[prop] = strings.TrimSuffix(ref, ".json")
			}
		}
		s.embedded[name] = emb
	}
	return s
}

// Validate checks obj (decoded with UseNumber) against the schema of its
// type and its embedded objects against theirs. It returns the problems
// found, each naming where.
func (s *Schemas) Validate(where string, obj map[string]any) []string {
	typ, _ := obj["type"].(string)
	name := strings.TrimPrefix(typ, TypePrefix)
	sch, ok := s.byType[name]
	if !ok || name == typ {
		return []string{fmt.Sprintf("%s: unknown type %q", where, typ)}
	}
	var out []string
	if err := sch.Validate(obj); err != nil {
		out = append(out, fmt.Sprintf("%s (%s): %v", where, name, err))
	}
	for prop, ext := range s.extensions {
		v, ok := obj[prop]
		switch {
		case !ok:
		case !slices.Contains(ext.appliesTo, name):
			out = append(out, fmt.Sprintf("%s: %s has the extension %s, which only %v carry", where, name, prop, ext.appliesTo))
		default:
			if err := ext.schema.Validate(v); err != nil {
				out = append(out, fmt.Sprintf("%s.%s: %v", where, prop, err))
			}
		}
	}
	for prop, sub := range s.embedded[name] {
		v, ok := obj[prop]
		if !ok {
			continue
		}
		check := func(w string, x any) {
			o, ok := x.(map[string]any)
			if !ok {
				out = append(out, fmt.Sprintf("%s: embedded %s is not an object", w, sub))
				return
			}
			if got, _ := o["type"].(string); got != TypePrefix+sub {
				out = append(out, fmt.Sprintf("%s: embedded object has type %q, want %s", w, got, TypePrefix+sub))
				return
			}
			out = append(out, s.Validate(w, o)...)
		}
		if arr, ok := v.([]any); ok {
			for i, x := range arr {
				check(fmt.Sprintf("%s.%s[%d]", where, prop, i), x)
			}
		} else {
			check(where+"."+prop, v)
		}
	}
	return out
}

// Crawl is what a walk found.
type Crawl struct {
	// Objects holds every object by id, as fetched from its own URL.
	Objects map[string]map[string]any
	// Listed holds every object by id as the last list page showed it.
	Listed map[string]map[string]any
	// Lists holds every list URL (first pages) with the ids it listed, in order.
	Lists map[string][]string
	// Pages counts the list pages fetched.
	Pages int
	// Bodies are the raw answers, for searching what must not appear.
	Bodies [][]byte
}

// OfType returns the objects of the type ("Paper"), ordered by id.
func (c *Crawl) OfType(name string) []map[string]any {
	var out []map[string]any
	for _, o := range c.Objects {
		if o["type"] == TypePrefix+name {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	return out
}

// Walk crawls the endpoint from its System URL like an importing client:
// it follows every URL under the endpoint that any object or list holds,
// every list through links.next, and fetches every object by its id. It
// fails the test for every violation found.
func Walk(t testing.TB, client *http.Client, systemURL string, schemas *Schemas) *Crawl {
	t.Helper()
	prefix := strings.TrimSuffix(systemURL, "system")
	c := &Crawl{Objects: map[string]map[string]any{}, Listed: map[string]map[string]any{}, Lists: map[string][]string{}}
	seen := map[string]bool{}
	queue := []string{systemURL}
	enqueue := func(u string) {
		if strings.HasPrefix(u, prefix) && !seen[u] {
			seen[u] = true
			queue = append(queue, u)
		}
	}
	seen[systemURL] = true
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// listOf maps a page URL to the list (first page) it belongs to.
	listOf := map[string]string{}
	for len(queue) > 0 && len(problems) < 50 {
		u := queue[0]
		queue = queue[1:]
		body, doc, err := get(client, u)
		if err != nil {
			fail("%v", err)
			continue
		}
		c.Bodies = append(c.Bodies, body)
		for _, p := range protocolProblems(u, "", doc) {
			fail("%s", p)
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			fail("%s: answer is not a JSON object", u)
			continue
		}
		if data, isList := obj["data"]; isList {
			c.Pages++
			first, ok := listOf[u]
			if !ok {
				first = u
			}
			items, ok := data.([]any)
			if !ok {
				fail("%s: data is not an array", u)
				continue
			}
			if _, ok := obj["pagination"].(map[string]any); !ok {
				fail("%s: list page without pagination object", u)
			}
			links, ok := obj["links"].(map[string]any)
			if !ok {
				fail("%s: list page without links object", u)
				continue
			}
			for i, x := range items {
				o, ok := x.(map[string]any)
				if !ok {
					fail("%s: data[%d] is not an object", u, i)
					continue
				}
				id, _ := o["id"].(string)
				for _, p := range schemas.Validate(fmt.Sprintf("%s data[%d] %s", u, i, id), o) {
					fail("%s", p)
				}
				if slices.Contains(c.Lists[first], id) {
					fail("%s: %s listed twice", first, id)
				}
				c.Lists[first] = append(c.Lists[first], id)
				c.Listed[id] = o
				enqueue(id)
				for _, ref := range urlsIn(o) {
					enqueue(ref)
				}
			}
			if next, ok := links["next"].(string); ok {
				if !strings.HasPrefix(next, prefix) {
					fail("%s: links.next %q leaves the endpoint", u, next)
				} else if seen[next] {
					fail("%s: links.next %q was seen before (a loop)", u, next)
				} else {
					listOf[next] = first
					seen[next] = true
					queue = append([]string{next}, queue...) // finish a list before moving on
				}
			}
			continue
		}
		id, _ := obj["id"].(string)
		if id != u {
			fail("%s: object has id %q", u, id)
		}
		for _, p := range schemas.Validate(u, obj) {
			fail("%s", p)
		}
		c.Objects[u] = obj
		for _, ref := range urlsIn(obj) {
			enqueue(ref)
		}
	}
	for id, l := range c.Listed {
		if o, ok := c.Objects[id]; ok && !reflect.DeepEqual(o, l) {
			fail("%s: the list shows\n  %s\nbut the object is\n  %s", id, mustJSON(l), mustJSON(o))
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.FailNow()
	}
	return c
}

// get fetches u and decodes its JSON with UseNumber, checking the status,
// content type and CORS header.
func get(client *http.Client, u string) ([]byte, any, error) {
	res, err := client.Get(u)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: %d %s", u, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return nil, nil, fmt.Errorf("GET %s: Content-Type %q", u, ct)
	}
	if o := res.Header.Get("Access-Control-Allow-Origin"); o != "*" {
		return nil, nil, fmt.Errorf("GET %s: Access-Control-Allow-Origin %q", u, o)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: not JSON: %v", u, err)
	}
	return body, doc, nil
}

// dateTimeFields are the properties OParl defines as date-times.
var dateTimeFields = map[string]bool{"created": true, "modified": true, "start": true, "end": true,
	"licenseValidSince": true, "oparlSince": true}

// protocolProblems finds nulls and date-times without an offset anywhere in v.
func protocolProblems(u, path string, v any) []string {
	var out []string
	switch x := v.(type) {
	case nil:
		out = append(out, fmt.Sprintf("%s: %s is null", u, path))
	case map[string]any:
		for k, e := range x {
			p := path + "." + k
			if s, ok := e.(string); ok && dateTimeFields[k] {
				if _, err := time.Parse(time.RFC3339Nano, s); err != nil || !hasOffset(s) {
					out = append(out, fmt.Sprintf("%s: %s = %q is not a date-time with an offset", u, p, s))
				}
			}
			if s, ok := e.(string); ok && s == "" {
				out = append(out, fmt.Sprintf("%s: %s is an empty string", u, p))
			}
			out = append(out, protocolProblems(u, p, e)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, protocolProblems(u, fmt.Sprintf("%s[%d]", path, i), e)...)
		}
	}
	return out
}

func hasOffset(s string) bool {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return true
	}
	i := strings.LastIndexAny(s, "+-")
	return i > 10 && len(s)-i == 6 && s[i+3] == ':'
}

// urlsIn lists every string in o (embedded objects included) that is an
// absolute URL.
func urlsIn(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://") {
			out = append(out, x)
		}
	case map[string]any:
		for k, e := range x {
			if k == "type" {
				continue
			}
			out = append(out, urlsIn(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, urlsIn(e)...)
		}
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CheckReferences checks that every reference of an object to another
// (a property named like a type, or a list of such) names an object of that
// type the walk found, so that a client never follows a dead link. Objects
// without a type nested in an object (the values of vendor extensions such
// as "motionflow:vote") are checked the same way.
func (c *Crawl) CheckReferences(t testing.TB) {
	t.Helper()
	refs := map[string]string{
		"body": "Body", "system": "System", "organization": "Organization", "person": "Person",
		"meeting": "Meeting", "paper": "Paper", "consultation": "Consultation", "agendaItem": "AgendaItem",
		"originatorPerson": "Person", "originatorOrganization": "Organization", "relatedPaper": "Paper",
		"superordinatedPaper": "Paper", "subordinatedPaper": "Paper", "membership": "Membership",
		"participant": "Person", "underDirectionOf": "Organization",
	}
	var check func(where string, o map[string]any)
	check = func(where string, o map[string]any) {
		typ, _ := o["type"].(string)
		typ = strings.TrimPrefix(typ, TypePrefix)
		for k, v := range o {
			want, isRef := refs[k]
			if k == "organization" && typ == "Body" || k == "person" && typ == "Body" || k == "meeting" && typ == "Body" ||
				k == "paper" && typ == "Body" || k == "agendaItem" && typ == "Body" || k == "consultation" && typ == "Body" ||
				k == "membership" && typ == "Body" || k == "body" && typ == "System" {
				continue // external lists
			}
			var targets []string
			switch x := v.(type) {
			case string:
				targets = []string{x}
			case []any:
				for _, e := range x {
					if s, ok := e.(string); ok {
						targets = append(targets, s)
					}
					if eo, ok := e.(map[string]any); ok {
						check(where+"."+k, eo)
					}
				}
			case map[string]any:
				check(where+"."+k, x)
			}
			if !isRef {
				continue
			}
			for _, target := range targets {
				got, ok := c.Objects[target]
				if !ok {
					t.Errorf("%s: %s → %s, which the walk did not find", where, k, target)
					continue
				}
				if got["type"] != TypePrefix+want {
					t.Errorf("%s: %s → %s is a %v, want %s", where, k, target, got["type"], want)
				}
			}
		}
	}
	for id, o := range c.Objects {
		check(id, o)
	}
}
