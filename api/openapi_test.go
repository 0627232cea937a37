package api_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t, api.Config{})
	r := e.do("GET", "/openapi.json", "", nil)
	expect(t, r, http.StatusOK)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title string `json:"title"`
		} `json:"info"`
		Paths map[string]map[string]struct {
			Security  []map[string][]string `json:"security"`
			Responses map[string]any        `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Info.Title != "motionflow API" {
		t.Errorf("openapi %q, title %q", doc.OpenAPI, doc.Info.Title)
	}
	for _, c := range motion.Commands {
		if motion.Creating(c) {
			continue
		}
		op, ok := doc.Paths[api.CommandPath(c)]["post"]
		if !ok {
			t.Errorf("no operation for %s", c)
			continue
		}
		if len(op.Security) != 1 || op.Security[0]["bearer"] == nil {
			t.Errorf("%s: security %v", c, op.Security)
		}
		for _, status := range []int{401, 403, 404, 409, 412, 422, 428} {
			if _, ok := op.Responses[strconv.Itoa(status)]; !ok {
				t.Errorf("%s does not document %d", c, status)
			}
		}
	}
	if get := doc.Paths["/v1/motions/{id}"]["get"]; len(get.Security) != 2 {
		t.Errorf("reads should accept anonymous callers and tokens: %v", get.Security)
	}
	// The limits are documented.
	for _, want := range []string{`"maxLength":300`, `"enum":["motion","budget_motion","inquiry","amendment"]`, `"settled_by_other_resolutions"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("document lacks %s", want)
		}
	}
}

func TestDocsPageIsOffline(t *testing.T) {
	e := newEnv(t, api.Config{})
	r := e.do("GET", "/docs", "", nil)
	expect(t, r, http.StatusOK)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(r.body), -1)
	if len(refs) < 3 {
		t.Fatalf("page loads %d files: %s", len(refs), r.body)
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("page loads %q from elsewhere", m[1])
			continue
		}
		a := e.do("GET", m[1], "", nil)
		if a.status != 200 || len(a.body) == 0 {
			t.Errorf("%s: %d", m[1], a.status)
		}
	}
	expect(t, e.do("GET", "/docs/assets/", "", nil), http.StatusNotFound)
}

// TestLimitsMirrorDomain keeps the API's validation tags in step with the
// domain's limits.
func TestLimitsMirrorDomain(t *testing.T) {
	typ := reflect.TypeFor[api.ContentBody]()
	want := map[string]map[string]int{
		"Title":            {"maxLength": motion.MaxTitle},
		"ResolutionPoints": {"maxItems": motion.MaxResolutionPoints, "maxLength": motion.MaxPoint},
		"Justification":    {"maxLength": motion.MaxJustification},
		"Tags":             {"maxItems": motion.MaxTags, "maxLength": motion.MaxTag},
		"BudgetCycle":      {"maxLength": motion.MaxShort},
		"Amends":           {"maxLength": motion.MaxShort},
		"TargetMeeting":    {"maxLength": motion.MaxShort},
		"Signatories":      {"maxItems": motion.MaxSignatories, "maxLength": motion.MaxShort},
		"Attachments":      {"maxItems": motion.MaxAttachments},
	}
	for field, tags := range want {
		f, ok := typ.FieldByName(field)
		if !ok {
			t.Errorf("ContentBody has no %s", field)
			continue
		}
		for tag, n := range tags {
			if got := f.Tag.Get(tag); got != strconv.Itoa(n) {
				t.Errorf("%s %s = %q, domain says %d", field, tag, got, n)
			}
		}
	}
	// Every kind, result and status of the domain is in the enums.
	enums := map[string][]string{}
	for _, k := range motion.Kinds {
		enums["kind"] = append(enums["kind"], string(k))
	}
	for _, r := range motion.Results {
		enums["result"] = append(enums["result"], string(r))
	}
	ck, _ := reflect.TypeFor[api.CreateBody]().FieldByName("Kind")
	rk, _ := reflect.TypeFor[api.ResultBody]().FieldByName("Result")
	if got := ck.Tag.Get("enum"); got != strings.Join(enums["kind"], ",") {
		t.Errorf("kind enum %q", got)
	}
	if got := rk.Tag.Get("enum"); got != strings.Join(enums["result"], ",") {
		t.Errorf("result enum %q", got)
	}
}
