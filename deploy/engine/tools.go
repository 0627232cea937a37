//go:build tools

// Package engine pins the Temporal server and its SQL tool, built by
// deploy/engine/run.sh (make engine) from the Go module cache. A separate
// module keeps the server's command-line dependencies out of the main go.mod.
package engine

import (
	_ "go.temporal.io/server/cmd/server"
	_ "go.temporal.io/server/cmd/tools/sql"
)
