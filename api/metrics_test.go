package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetricsLabelRequestsByOperation(t *testing.T) {
	h, _ := New(Config{}, Deps{})
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(Metrics(reg)(h))
	defer srv.Close()
	for _, path := range []string{"/healthz", "/healthz", "/no/such/path", "/v1/motions/m1/submit"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
	}
	// A second Metrics on the same registry shares the collectors.
	_ = Metrics(reg)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			if c := m.GetCounter(); c != nil {
				got[key] = c.GetValue()
			}
			if hi := m.GetHistogram(); hi != nil {
				got[key] = float64(hi.GetSampleCount())
			}
		}
	}
	for key, want := range map[string]float64{
		MetricRequests + "{method=GET,route=/healthz,status=200}": 2,
		MetricDuration + "{method=GET,route=/healthz}":            2,
		MetricRequests + "{method=GET,route=other,status=404}":    1,
		MetricRequests + "{method=GET,route=other,status=405}":    1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (have %v)", key, got[key], want, got)
		}
	}
	for key := range got {
		if strings.HasPrefix(key, MetricTransitions) {
			t.Errorf("a GET counted as a transition: %s", key)
		}
	}
}

func TestTransitionResult(t *testing.T) {
	for status, want := range map[int]string{
		200: "ok", 201: "ok", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "illegal_transition",
		412: "stale_version", 428: "version_required", 422: "invalid", 413: "invalid", 429: "rate_limited", 500: "error", 503: "error", 418: "other",
	} {
		if got := TransitionResult(status); got != want {
			t.Errorf("TransitionResult(%d) = %q, want %q", status, got, want)
		}
	}
}
