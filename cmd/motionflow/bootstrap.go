package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/store"
)

// runBootstrap sets up a council from a file: `motionflow bootstrap FILE`
// creates or updates the body, its organizations, persons, memberships and
// meetings (api.Bootstrap) in one transaction, and says what it changed. It
// talks to PostgreSQL only, like migrate; the schema must be current.
func runBootstrap(ctx context.Context, log *slog.Logger, args []string) error {
	return bootstrap(ctx, log, args, os.Stdout)
}

func bootstrap(ctx context.Context, _ *slog.Logger, args []string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("bootstrap", flag.ContinueOnError)
	c.bind(fs, false, true, false, false)
	check := fs.Bool("check", false, "only check the file, write nothing (needs no database)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: motionflow bootstrap [flags] FILE   (a JSON file as deploy/bootstrap/mannheim.json)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("usage: motionflow bootstrap [flags] FILE")
	}
	file := fs.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("bootstrap: Datei nicht lesbar: %w", err)
	}
	b, err := api.ParseBootstrap(file, data)
	if err != nil {
		return err
	}
	if *check {
		fmt.Fprintf(out, "%s ist in Ordnung: Körperschaft %s, %d Organisationen, %d Personen, %d Sitzungen.\n",
			file, b.Body.ID, len(b.Organizations), len(b.Persons), len(b.Meetings))
		return nil
	}
	if c.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or -database-url")
	}
	st, err := store.Open(ctx, c.databaseURL)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer st.Close()
	if err := st.Ready(ctx); err != nil {
		return fmt.Errorf("database: %w (motionflow migrate first)", err)
	}
	rep, err := b.Apply(ctx, st, file, data)
	if err != nil {
		return err
	}
	fmt.Fprint(out, rep.String())
	return nil
}
