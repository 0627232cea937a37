//go:build nodev

package main

import (
	"context"
	"errors"
	"log/slog"
)

// runDev is missing from production builds (-tags nodev), which leave out the
// embedded Temporal server and the development OpenID provider.
func runDev(context.Context, *slog.Logger, []string) error {
	return errors.New("this build has no dev stack (built with -tags nodev); use serve and worker")
}
