package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// HealthOutput is the answer of /healthz and /readyz.
type HealthOutput struct {
	Body struct {
		Status string `json:"status" enum:"ok,unavailable" doc:"ok, or unavailable with the reason in the problem detail"`
	}
}

func (s *server) registerHealth(a huma.API) {
	huma.Register(a, huma.Operation{
		OperationID: "healthz",
		Method:      http.MethodGet,
		Path:        "/healthz",
		Summary:     "Lebt der Prozess? (liveness)",
		Tags:        []string{"Operations"},
	}, func(ctx context.Context, _ *struct{}) (*HealthOutput, error) {
		out := &HealthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})

	huma.Register(a, huma.Operation{
		OperationID: "readyz",
		Method:      http.MethodGet,
		Path:        "/readyz",
		Summary:     "Bereit? Datenbank und Temporal erreichbar (readiness)",
		Tags:        []string{"Operations"},
		Errors:      []int{http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*HealthOutput, error) {
		if s.cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := s.cfg.Ready(ctx); err != nil {
				s.log.WarnContext(ctx, "not ready", slog.Any("error", err))
				return nil, huma.Error503ServiceUnavailable("Nicht bereit: " + err.Error())
			}
		}
		out := &HealthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})
}
