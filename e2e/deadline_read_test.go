package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestSetDeadlineIsReadAtOnce: the council office sets a deadline by hand
// and reads the motion's deadlines right after the answer, as the README's
// reminder block does. Every read shows the date just set, never the one
// before (set-deadline used to answer before the deadlines were stored).
func TestSetDeadlineIsReadAtOnce(t *testing.T) {
	h := newHarness(t, api.Config{})
	m := h.create(h.SPD, motion.KindMotion, draftContent("Mehr Bänke am Rheinufer"))
	h.mustStatus(h.command(h.SPD, m.ID, motion.CmdSubmit, 1, nil), 200)
	version := int64(2)
	first := time.Now().Add(90 * 24 * time.Hour).Truncate(time.Second).UTC()
	for i := range 8 {
		due := first.Add(time.Duration(i) * 24 * time.Hour)
		h.mustStatus(h.command(h.Office, m.ID, motion.CmdSetDeadline, version, map[string]any{
			"key": "stale_motion", "due": due.Format(time.RFC3339), "reason": fmt.Sprintf("Vorführung %d", i+1),
		}), 200)
		version++
		var out struct {
			Items []api.DeadlineView `json:"items"`
		}
		h.decode(h.mustStatus(h.call("GET", "/v1/motions/"+m.ID+"/deadlines", h.Office, nil), 200), &out)
		var got *api.DeadlineView
		for j := range out.Items {
			if out.Items[j].Key == "stale_motion" {
				got = &out.Items[j]
			}
		}
		if got == nil || !got.Due.Equal(due) || got.Rule != "manual" {
			t.Fatalf("read right after set-deadline %d: %+v; want stale_motion due %s set by hand", i+1, got, due)
		}
	}
}
