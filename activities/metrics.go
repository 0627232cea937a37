package activities

import (
	"context"

	"github.com/motionflow/motionflow/workflows"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
)

// Metric names of the reminder activities.
const (
	MetricReminders       = "motionflow_reminders_total"
	MetricReminderErrors  = "motionflow_reminder_errors_total"
	MetricDigestDelivered = "motionflow_digest_emails_total"
)

// Metrics counts what Notify and SendDigests did, for Prometheus.
type Metrics struct {
	reminders *prometheus.CounterVec
	errors    prometheus.Counter
	digests   *prometheus.CounterVec
}

// NewMetrics creates the counters and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricReminders,
			Help: "Reminder deliveries (e-mail, webhook, in-app) by result: sent by this attempt, or skipped because an earlier attempt sent it.",
		}, []string{"result"}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: MetricReminderErrors,
			Help: "Notify attempts that failed (Temporal retries them).",
		}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricDigestDelivered,
			Help: "Daily digest e-mails by result: sent, skipped (sent by an earlier attempt), failed (refused for good).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.reminders, m.errors, m.digests)
	// Every series exists from the start, so that rates and alerts work
	// before the first reminder.
	for _, r := range []string{"sent", "skipped"} {
		m.reminders.WithLabelValues(r)
	}
	for _, r := range []string{"sent", "skipped", "failed"} {
		m.digests.WithLabelValues(r)
	}
	return m
}

// Notify calls a.Notify and counts its result.
func (m *Metrics) Notify(a *Activities) func(context.Context, workflows.NotifyInput) (workflows.NotifyResult, error) {
	return func(ctx context.Context, in workflows.NotifyInput) (workflows.NotifyResult, error) {
		res, err := a.Notify(ctx, in)
		m.reminders.WithLabelValues("sent").Add(float64(res.Sent))
		m.reminders.WithLabelValues("skipped").Add(float64(res.Skipped))
		if err != nil {
			m.errors.Inc()
		}
		return res, err
	}
}

// SendDigests calls a.SendDigests and counts its result.
func (m *Metrics) SendDigests(a *Activities) func(context.Context, workflows.DigestInput) (workflows.DigestResult, error) {
	return func(ctx context.Context, in workflows.DigestInput) (workflows.DigestResult, error) {
		res, err := a.SendDigests(ctx, in)
		m.digests.WithLabelValues("sent").Add(float64(res.Sent))
		m.digests.WithLabelValues("skipped").Add(float64(res.Skipped))
		m.digests.WithLabelValues("failed").Add(float64(res.Failed))
		return res, err
	}
}

// Instrument registers the counting Notify and SendDigests on w in place
// of a's own: call it after a.Register(w), before the worker starts.
func (m *Metrics) Instrument(w worker.Registry, a *Activities) {
	w.RegisterActivityWithOptions(m.Notify(a), activity.RegisterOptions{Name: workflows.ActivityNotify, DisableAlreadyRegisteredCheck: true})
	w.RegisterActivityWithOptions(m.SendDigests(a), activity.RegisterOptions{Name: workflows.ActivityDigest, DisableAlreadyRegisteredCheck: true})
}
