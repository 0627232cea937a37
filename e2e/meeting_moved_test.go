package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/motion"
)

// TestMovingAMeetingReArmsItsMotions: a motion scheduled in a committee
// meeting has its papers deadline 7 days before it; when the council office
// moves the meeting, the motion's deadline follows, and when it cancels the
// meeting, the deadline goes away.
func TestMovingAMeetingReArmsItsMotions(t *testing.T) {
	h := newHarness(t, api.Config{})
	start := time.Now().In(berlin).AddDate(0, 0, 30).Truncate(time.Hour)
	meeting := h.meeting("ha-verschoben", committee, "Sitzung des Hauptausschusses", start)
	m := h.create(h.SPD, motion.KindMotion, draftContent("Radweg am Neckarufer"))
	h.run(h.SPD, m.ID, motion.CmdSubmit, nil)
	h.run(h.Office, m.ID, motion.CmdRegister, nil)
	h.run(h.Office, m.ID, motion.CmdSetRoute, map[string]any{"steps": []map[string]any{
		{"organization_id": committee}, {"organization_id": council, "decisive": true}}})
	h.run(h.Office, m.ID, motion.CmdSchedule, map[string]any{"consultation_id": "c1", "meeting_id": meeting})

	papersDue := func() (time.Time, bool) {
		var out struct {
			Items []struct {
				Kind      motion.DeadlineKind `json:"kind"`
				Due       time.Time           `json:"due"`
				MeetingID string              `json:"meeting_id"`
			} `json:"items"`
		}
		r := h.mustStatus(h.call("GET", "/v1/motions/"+m.ID+"/deadlines", h.SPD, nil), 200)
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		for _, d := range out.Items {
			if d.Kind == motion.DeadlinePapersDue && d.MeetingID == meeting {
				return d.Due, true
			}
		}
		return time.Time{}, false
	}
	want := start.AddDate(0, 0, -7)
	waitFor(t, 20*time.Second, "papers deadline of the scheduled meeting", func() bool {
		due, ok := papersDue()
		return ok && due.Equal(want)
	})

	moved := start.AddDate(0, 0, 14)
	h.mustStatus(h.call("PATCH", "/v1/meetings/"+meeting, h.Office, map[string]any{"start": moved}), 200)
	want = moved.AddDate(0, 0, -7)
	waitFor(t, 20*time.Second, "papers deadline to follow the moved meeting", func() bool {
		due, ok := papersDue()
		return ok && due.Equal(want)
	})

	h.mustStatus(h.call("PATCH", "/v1/meetings/"+meeting, h.Office, map[string]any{"cancelled": true}), 200)
	waitFor(t, 20*time.Second, "papers deadline to go with the cancelled meeting", func() bool {
		_, ok := papersDue()
		return !ok
	})
}
