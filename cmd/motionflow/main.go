// Command motionflow runs the council motion system: `dev` runs everything in
// one process for development, `serve` the HTTP API, `worker` the Temporal
// worker, `migrate` the database migrations.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `motionflow — council motions from draft to outcome

Usage:
  motionflow dev      [flags]   everything in one process on 127.0.0.1 (embedded Temporal, dev OIDC issuer)
  motionflow serve    [flags]   the HTTP API (needs Temporal, PostgreSQL, an OIDC issuer)
  motionflow worker   [flags]   the Temporal worker that runs motion workflows
  motionflow migrate  [flags]   apply the database migrations and exit
  motionflow bootstrap [flags] FILE
                                create or update a council (body, organizations, persons,
                                memberships, meetings) from a JSON file; idempotent
  motionflow import oparl [flags] <url>
                                import bodies, organizations, people, memberships, terms,
                                meetings with agenda items and the history (papers with
                                consultations and files, as an archive) from an OParl
                                1.0/1.1 endpoint (resumable, idempotent)
  motionflow readmodel check|repair [flags] [motion id ...]
                                list the motions whose read model lags their workflow
                                (and those whose activities keep failing); repair writes
                                them again from the workflows (also after losing the database)
  motionflow probe    URL       exit 0 when URL answers 2xx (container health checks)

Run "motionflow <command> -h" for the flags of a command. Every flag can also be
set by the environment variable named in its help text.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(os.Stderr, slog.LevelInfo)

	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "dev":
		err = runDev(ctx, log, args)
	case "serve":
		err = runServe(ctx, log, args)
	case "worker":
		err = runWorker(ctx, log, args)
	case "migrate":
		err = runMigrate(ctx, log, args)
	case "probe":
		err = runProbe(ctx, args)
	case "bootstrap":
		err = runBootstrap(ctx, log, args)
	case "import":
		err = runImport(ctx, log, args)
	case "readmodel":
		err = runReadModel(ctx, log, args)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "motionflow:", err)
		os.Exit(1)
	}
}
