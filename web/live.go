package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/meeting"
	"github.com/motionflow/motionflow/motion"
)

// liveHeartbeat is how often the event stream sends a comment, so that
// proxies keep an idle connection open and a gone client is noticed.
var liveHeartbeat = 15 * time.Second

// liveState is the public view of a running meeting as the live page and its
// event stream show it: the item being dealt with and every item's status
// and result. Non-public items keep their number and nothing else.
type liveState struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Version     int64      `json:"version"`
	Status      string     `json:"status"`
	StatusLabel string     `json:"status_label"`
	Current     *liveItem  `json:"current,omitempty"`
	Items       []liveItem `json:"items"`
}

// liveItem is one agenda item in the live view.
type liveItem struct {
	ID          string       `json:"id"`
	Number      string       `json:"number"`
	Title       string       `json:"title"`
	Public      bool         `json:"public"`
	Status      string       `json:"status"`
	StatusLabel string       `json:"status_label"`
	Result      string       `json:"result,omitempty"`
	ResultLabel string       `json:"result_label,omitempty"`
	Vote        *motion.Vote `json:"vote,omitempty"`
	Current     bool         `json:"current,omitempty"`
}

// newLiveState makes the live view of m; it takes the public view itself,
// so that nothing of the non-public part can reach the hall's screen.
func newLiveState(m meeting.Meeting) liveState {
	pv := m.PublicView()
	st := liveState{ID: pv.ID, Name: pv.Name, Version: pv.Version, Status: string(pv.Status), StatusLabel: pv.Status.Label(),
		Items: []liveItem{}}
	for _, it := range pv.Agenda {
		li := liveItem{ID: it.ID, Number: it.Number, Title: it.Title, Public: it.Public, Status: string(it.Status),
			StatusLabel: it.Status.Label(), Current: it.ID == pv.Current && it.Public}
		if it.Public {
			li.Result, li.Vote = string(it.Result), it.Vote
			if it.Result != "" {
				li.ResultLabel = it.Result.Label()
			}
		}
		st.Items = append(st.Items, li)
		if li.Current {
			c := li
			st.Current = &c
		}
	}
	return st
}

// livePage is the data of the live page.
type livePage struct {
	S      liveState
	Events string
}

func (s *server) showLive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.meetingState(ctx, r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st := newLiveState(m)
	s.render(w, r, http.StatusOK, "live", page{Title: "Live: " + st.Name, Nav: "sitzungen",
		Data: livePage{S: st, Events: meetingPath(m.ID) + "/live/events"}})
}

// liveEvents streams the live view as Server-Sent Events: the current state
// at once (unless the client's Last-Event-ID is that version already), then
// one event per new version of the meeting, a comment every liveHeartbeat,
// until the client goes away.
func (s *server) liveEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := s.meetingState(ctx, r.PathValue("id"), actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ms, _ := s.meetingStates()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	last := int64(-1)
	if v, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get("Last-Event-ID")), 10, 64); err == nil {
		last = v
	}
	send := func(m meeting.Meeting) bool {
		data, err := json.Marshal(newLiveState(m))
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: meeting\nid: %d\ndata: %s\n\n", m.Version, data); err != nil {
			return false
		}
		last = m.Version
		return rc.Flush() == nil
	}
	if m.Version != last {
		if !send(m) {
			return
		}
	} else if _, err := fmt.Fprint(w, ": verbunden\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, liveHeartbeat)
		_, err := ms.WaitMeeting(wctx, m.ID, last)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				s.log.WarnContext(ctx, "web: live events", "meeting", m.ID, "error", err)
				// A short pause, so that a failing database is not polled in a loop.
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
			}
			if _, err := fmt.Fprint(w, ": lebt\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			continue
		}
		next, err := ms.MeetingState(ctx, m.ID)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.WarnContext(ctx, "web: live events", "meeting", m.ID, "error", err)
			continue
		}
		if next.Version <= last {
			continue
		}
		if !send(next) {
			return
		}
	}
}
