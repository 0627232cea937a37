package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/motionflow/motionflow/importer"
	"github.com/motionflow/motionflow/store"
)

// runImport imports a council's directory and history (papers with their
// consultations and files, the meetings' agenda items) from another
// system: `motionflow import oparl <url>`.
func runImport(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 || args[0] != "oparl" {
		return errors.New("usage: motionflow import oparl [flags] <url of the OParl system object>")
	}
	var c config
	fs := flag.NewFlagSet("import oparl", flag.ContinueOnError)
	c.bind(fs, false, true, false, false)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: motionflow import oparl [flags] <url of the OParl system object>

Importiert aus dem OParl-Endpunkt eines Ratsinformationssystems das Verzeichnis
(Körperschaften, Wahlperioden, Organisationen, Personen, Mitgliedschaften,
Sitzungen mit Tagesordnungspunkten) und die Geschichte: alle Drucksachen mit
ihren Beratungen und Dateien (Metadaten, Adressen und mitgelieferter Text; die
Inhalte bleiben im Quellsystem). Drucksachen werden Archiv, keine Anträge; sie
behalten ihre OParl-Kennung und Drucksachennummer. Nach einer Unterbrechung
setzt derselbe Aufruf dort fort, wo die Statusdatei (-state) endet; ein
erneuter Lauf schreibt nur, was sich geändert hat.

`)
		fs.PrintDefaults()
	}
	state := fs.String("state", ".motionflow/oparl-import.json", "file recording how far the import got, so that a re-run resumes there")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: motionflow import oparl [flags] <url of the OParl system object>")
	}
	if c.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	if err := store.Migrate(ctx, c.databaseURL); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	st, err := store.Open(ctx, c.databaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	stats, err := importer.Run(ctx, st, fs.Arg(0), importer.Options{Progress: os.Stderr, StateFile: *state})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	log.Info("import finished", "stats", fmt.Sprintf("%+v", stats))
	return nil
}
