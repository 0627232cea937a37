package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/store/storetest"
)

// TestBootstrapExample sets up the documented example file on a fresh
// database, checks that it holds what `dev`'s seed holds for the
// walk-through, that a second run changes nothing and says so, and that a
// changed file changes exactly what it changed.
func TestBootstrapExample(t *testing.T) {
	dsn := storetest.NewDatabase(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	example := filepath.Join("..", "..", "deploy", "bootstrap", "mannheim.json")

	var out bytes.Buffer
	if err := bootstrap(ctx, log, []string{"-database-url", dsn, example}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Organisation mannheim-gr angelegt") ||
		!strings.Contains(out.String(), "Sitzung mannheim-gr-2020-02-11 angelegt") ||
		!strings.Contains(out.String(), "Mitgliedschaft mannheim-p-keller-gr angelegt") {
		t.Errorf("first run:\n%s", out.String())
	}

	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// What the walk-through and the demo users rely on, as the seed makes it.
	if b, err := st.Body(ctx, "mannheim"); err != nil || b.ReferencePrefix != "A" || b.Name != "Stadt Mannheim" {
		t.Errorf("body: %+v %v", b, err)
	}
	for id, kind := range map[string]store.OrgKind{"mannheim-gr": store.OrgCouncil, "mannheim-hfa": store.OrgCommittee,
		"mannheim-spd": store.OrgFaction, "mannheim-dez1": store.OrgDepartment} {
		if o, err := st.Organization(ctx, id); err != nil || o.Kind != kind || o.BodyID != "mannheim" {
			t.Errorf("organization %s: %+v %v", id, o, err)
		}
	}
	m, err := st.Meeting(ctx, "mannheim-gr-2020-02-11")
	if err != nil || m.OrganizationID != "mannheim-gr" || !m.Start.Equal(time.Date(2020, 2, 11, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("meeting: %+v %v", m, err)
	}
	members, err := st.Members(ctx, "mannheim-gr")
	if err != nil || len(members) != 12 {
		t.Errorf("members of the council: %d %v", len(members), err)
	}
	if email, err := st.PersonEmail(ctx, "mannheim-p-keller"); err != nil || email != "miriam.keller@gemeinderat.mannheim.example" {
		t.Errorf("e-mail: %q %v", email, err)
	}

	out.Reset()
	if err := bootstrap(ctx, log, []string{"-database-url", dsn, example}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "Nichts geändert: alle ") {
		t.Errorf("second run:\n%s", got)
	}
	if m2, _ := st.Meeting(ctx, "mannheim-gr-2020-02-11"); !m2.Modified.Equal(m.Modified) {
		t.Errorf("second run touched the meeting: modified %v, was %v", m2.Modified, m.Modified)
	}

	// A changed file: a renamed faction and a moved meeting.
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), `"name": "SPD-Gemeinderatsfraktion"`, `"name": "SPD-Fraktion im Gemeinderat"`, 1)
	changed = strings.Replace(changed, `"start": "2027-03-23T16:00:00+01:00"`, `"start": "2027-03-24T16:00:00+01:00"`, 1)
	file := filepath.Join(t.TempDir(), "mannheim.json")
	if err := os.WriteFile(file, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := bootstrap(ctx, log, []string{"-database-url", dsn, file}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Organisation mannheim-spd geändert\n", "Sitzung mannheim-gr-2027-03-23 geändert\n",
		"0 angelegt, 2 geändert, ", "Hinweis: geänderte Sitzungen (mannheim-gr-2027-03-23)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("changed run lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBootstrapBadFile refuses files with mistakes, naming line and field in
// German, and writes nothing, also when the database refuses an entry late
// in the file.
func TestBootstrapBadFile(t *testing.T) {
	dsn := storetest.NewDatabase(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	cases := []struct {
		name, file string
		want       []string
	}{
		{"syntax", `{"body": {"id": "x", "name": "X"},
  "organizations": [
    {"id": "x-gr", "kind": "council" "name": "Gemeinderat"}
  ]}`, []string{"Zeile 3", "kein gültiges JSON"}},
		{"schema", `{"body": {"id": "x", "name": "X"},
  "organizations": [
    {"id": "x-gr", "kind": "council", "name": "Gemeinderat"},
    {"id": "x-spd", "kind": "fraktion", "name": "SPD", "colour": "rot"}
  ]}`, []string{"Zeile 4, organizations[1].kind: erlaubt sind: council, committee", "Zeile 4, organizations[1].colour: unbekanntes Feld"}},
		{"ids", `{"body": {"id": "x", "name": "X"},
  "organizations": [{"id": "x-gr", "kind": "council", "name": "Gemeinderat"}],
  "persons": [
    {"id": "x-p-a", "given_name": "A"},
    {"id": "x-p-a", "family_name": "B"},
    {"given_name": "C"}
  ],
  "meetings": [{"organization_id": "x-gr", "name": "Sitzung", "start": "2027-01-26T16:00:00+01:00"}]}`,
			[]string{"Zeile 5, persons[1].id: die Id \"x-p-a\" steht schon in persons[0].id", "Zeile 6, persons[2].id: die Id fehlt",
				"Zeile 8, meetings[0].id: die Id fehlt"}},
		// Everything before the meeting is fine and would be written; the
		// meeting names an organization the database does not know.
		{"late refusal", `{"body": {"id": "x", "name": "X"},
  "organizations": [{"id": "x-gr", "kind": "council", "name": "Gemeinderat"}],
  "persons": [{"id": "x-p-a", "given_name": "A", "memberships": [{"organization_id": "x-gr"}]}],
  "meetings": [
    {"id": "x-gr-1", "organization_id": "x-hfa", "name": "Sitzung", "start": "2027-01-26T16:00:00+01:00"}
  ]}`, []string{"Zeile 5, meetings[0].organization_id: Dieses Gremium gibt es in dieser Körperschaft nicht."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, c.name+".json")
			if err := os.WriteFile(file, []byte(c.file), 0o600); err != nil {
				t.Fatal(err)
			}
			err := bootstrap(ctx, log, []string{"-database-url", dsn, file}, &bytes.Buffer{})
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), "ist fehlerhaft; nichts wurde geändert:") {
				t.Errorf("error: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if bs, err := st.Bodies(ctx, nil); err != nil || len(bs) != 0 {
		t.Errorf("bad files wrote bodies: %+v %v", bs, err)
	}
}
