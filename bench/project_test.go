//go:build bench

package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/motionflow/motionflow/motion"
)

// BenchmarkProject (diagnosis for scenario 1): the Project activity's
// work alone — one read-model upsert and one audit-trail insert in a
// transaction — straight against PostgreSQL, one at a time.
func BenchmarkProject(b *testing.B) {
	e := shared(b)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Microsecond)
	m := motion.Motion{ID: fmt.Sprintf("project-%d", nanos()), BodyID: bodyID, Kind: motion.KindMotion, Status: motion.StatusDraft,
		Faction: factionSPD, CreatedAt: at, Content: motion.Content{Title: "Bänke am Neckarufer",
			ResolutionPoints: []string{"Die Verwaltung stellt 20 Bänke auf.", "Bericht bis Ende 2027."}}}
	b.ResetTimer()
	s, err := run(b.N, 1, func(_, i int) error {
		m.Version = int64(i + 1)
		m.Title = fmt.Sprintf("Bänke am Neckarufer, Fassung %d", i)
		m.UpdatedAt = at.Add(time.Duration(i) * time.Millisecond)
		return e.st.Project(ctx, m, motion.Event{MotionID: m.ID, Version: m.Version, Command: motion.CmdEdit, At: m.UpdatedAt,
			Status: m.Status, Summary: "Entwurf bearbeitet", Data: []byte(`{"title":"x"}`)})
	})
	if err != nil {
		b.Fatal(err)
	}
	report(b, s, stats{})
}
