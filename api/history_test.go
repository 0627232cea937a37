package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestHistoryHidesTheDraftPhase: once a motion is submitted its history is
// public, but what the draft said belongs to its sponsors. Nobody else finds
// the working title (or the invited faction) in the history, not even in
// events stored before the summaries stopped carrying it; the sponsors still
// see their own draft's events in full.
func TestHistoryHidesTheDraftPhase(t *testing.T) {
	e := newEnv(t, api.Config{})
	id := e.draft("Geheimer Arbeitstitel zu Radwegen")
	e.run("spd", id, motion.CmdInviteCosponsor, map[string]any{"faction": "cdu"}, http.StatusOK)
	e.run("cdu", id, motion.CmdAcceptCosponsorship, nil, http.StatusOK)
	e.run("spd", id, motion.CmdEdit, map[string]any{"title": "Mehr Radwege", "resolution_points": []string{"Die Verwaltung plant."}}, http.StatusOK)
	e.run("spd", id, motion.CmdSubmit, nil, http.StatusOK)

	// Version 1 as it was stored before: the summary named the working title.
	hist, err := e.store.History(context.Background(), id)
	if err != nil || len(hist) != 5 {
		t.Fatalf("history %v, %v", hist, err)
	}
	m, err := e.store.Motion(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	old := hist[0]
	old.Summary = "Entwurf angelegt: Geheimer Arbeitstitel zu Radwegen"
	v1 := m
	v1.Version = 1
	if err := e.store.Project(context.Background(), v1, old); err != nil {
		t.Fatal(err)
	}

	for _, tok := range []string{"", "office", "verw", "admin"} {
		r := e.do("GET", "/v1/motions/"+id+"/history", tok, nil)
		expect(t, r, http.StatusOK)
		if strings.Contains(string(r.body), "Geheim") || strings.Contains(string(r.body), "Arbeitstitel") {
			t.Errorf("%q sees the draft's working title: %s", tok, r.body)
		}
		if !strings.Contains(string(r.body), `"summary":"Entwurf angelegt"`) ||
			!strings.Contains(string(r.body), `"summary":"Mitantragsteller eingeladen"`) {
			t.Errorf("%q: the draft phase's events should still be listed: %s", tok, r.body)
		}
	}
	// The sponsors see their draft's history as it was stored.
	for _, tok := range []string{"spd", "cdu"} {
		r := e.do("GET", "/v1/motions/"+id+"/history", tok, nil)
		expect(t, r, http.StatusOK)
		if !strings.Contains(string(r.body), "Geheimer Arbeitstitel") {
			t.Errorf("sponsor %q does not see its own draft's history: %s", tok, r.body)
		}
	}
}
