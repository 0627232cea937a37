package oparltest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The checker must catch what it is there to catch; otherwise a green walk
// proves nothing.
func TestValidateCatchesViolations(t *testing.T) {
	s := LoadSchemas(t, "../testdata/schema")
	decode := func(src string) map[string]any {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(src)))
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any)
	}
	good := `{"id": "https://x.example/oparl/v1/paper/1", "type": "https://schema.oparl.org/1.1/Paper",
		"date": "2019-12-12", "modified": "2019-12-12T10:00:00+01:00",
		"consultation": [{"id": "https://x.example/c/1", "type": "https://schema.oparl.org/1.1/Consultation", "authoritative": true}]}`
	if p := s.Validate("good", decode(good)); len(p) != 0 {
		t.Fatalf("a valid paper fails: %v", p)
	}
	voted := `{"id": "https://x.example/oparl/v1/consultation/1/c1", "type": "https://schema.oparl.org/1.1/Consultation",
		"motionflow:vote": {"yes": 3, "no": 1, "abstain": 0, "absent": 2,
			"byFaction": [{"organization": "https://x.example/oparl/v1/organization/spd", "yes": 3, "no": 1, "abstain": 0}],
			"named": [{"name": "A", "person": "https://x.example/oparl/v1/person/a", "vote": "yes"}, {"name": "B", "vote": "absent"}]}}`
	if p := s.Validate("voted", decode(voted)); len(p) != 0 {
		t.Fatalf("a consultation with a valid vote fails: %v", p)
	}
	for name, c := range map[string]struct{ src, want string }{
		"missing id":          {`{"type": "https://schema.oparl.org/1.1/Paper"}`, "id"},
		"wrong type":          {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.0/Paper"}`, "unknown type"},
		"relative url":        {`{"id": "/paper/1", "type": "https://schema.oparl.org/1.1/Paper"}`, "absolute"},
		"bad date":            {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Paper", "date": "12.12.2019"}`, "date"},
		"date-time no zone":   {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Paper", "modified": "2019-12-12T10:00:00"}`, "modified"},
		"null":                {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Paper", "name": null}`, "name"},
		"agenda item order":   {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/AgendaItem"}`, "order"},
		"bad embedded":        {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Paper", "consultation": [{"id": "https://x.example/c", "type": "https://schema.oparl.org/1.1/Consultation", "authoritative": "ja"}]}`, "consultation[0]"},
		"bad vote":            {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Consultation", "motionflow:vote": {"yes": 3, "no": -1, "abstain": 0}}`, "motionflow:vote"},
		"vote elsewhere":      {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Paper", "motionflow:vote": {"yes": 3, "no": 1, "abstain": 0}}`, "motionflow:vote"},
		"named vote word":     {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/AgendaItem", "order": 1, "motionflow:vote": {"yes": 1, "no": 0, "abstain": 0, "named": [{"name": "A", "vote": "ja"}]}}`, "motionflow:vote"},
		"embedded wrong type": {`{"id": "https://x.example/1", "type": "https://schema.oparl.org/1.1/Meeting", "location": {"id": "https://x.example/l", "type": "https://schema.oparl.org/1.1/File", "accessUrl": "https://x.example/f"}}`, "location"},
	} {
		p := s.Validate(name, decode(c.src))
		if len(p) == 0 || !strings.Contains(strings.Join(p, "\n"), c.want) {
			t.Errorf("%s: problems %v, want one about %q", name, p, c.want)
		}
	}
	if p := protocolProblems("u", "", decode(`{"a": {"b": [null]}, "created": "2019-12-12T10:00:00", "c": ""}`)); len(p) != 3 {
		t.Errorf("protocol problems %v, want a null, a date-time without offset and an empty string", p)
	}
}
