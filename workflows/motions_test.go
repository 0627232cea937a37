package workflows

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/motionflow/motionflow/motion"
)

// signals records CalendarChanged calls; the other methods are not used.
type signals struct {
	Motions
	got [][]string
	err error
}

func (s *signals) CalendarChanged(_ context.Context, ids ...string) error {
	s.got = append(s.got, ids)
	return s.err
}

// TestRearm: the motions that depend on a changed meeting are told; when
// they cannot be listed or told, the change is not refused but an ERROR
// names what changed.
func TestRearm(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	list := func(ids []string, err error) func(context.Context) ([]string, error) {
		return func(context.Context) ([]string, error) { return ids, err }
	}

	ms := &signals{}
	Rearm(t.Context(), ms, log, list([]string{"a", "b"}, nil), "meeting", "ha-1")
	Rearm(t.Context(), ms, log, list(nil, nil), "meeting", "ha-2")
	if !slices.EqualFunc(ms.got, [][]string{{"a", "b"}}, slices.Equal) || logs.Len() != 0 {
		t.Errorf("signalled %v, logged %q", ms.got, logs.String())
	}

	Rearm(t.Context(), ms, log, list(nil, errors.New("database down")), "meeting", "ha-3")
	ms.err = &motion.Error{Code: motion.CodeNotFound, Message: "weg"}
	Rearm(t.Context(), ms, log, list([]string{"c"}, nil), "body", "ma")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || len(ms.got) != 2 ||
		!strings.Contains(lines[0], "level=ERROR") || !strings.Contains(lines[0], "meeting=ha-3") || !strings.Contains(lines[0], "database down") ||
		!strings.Contains(lines[1], "level=ERROR") || !strings.Contains(lines[1], "body=ma") || !strings.Contains(lines[1], "weg") {
		t.Errorf("signalled %v, logged:\n%s", ms.got, logs.String())
	}
}
