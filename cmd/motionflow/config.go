package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/motionflow/motionflow/api"
	"github.com/motionflow/motionflow/auth"
	"github.com/motionflow/motionflow/notify"
)

// config is what serve and worker read from flags and the environment.
type config struct {
	addr              string
	databaseURL       string
	temporalAddress   string
	temporalNamespace string
	oidc              auth.Config
	maxBodyBytes      int64
	requestTimeout    time.Duration
	shutdownTimeout   time.Duration
	oidcAlgs          *string
	smtp              notify.SMTPConfig
	baseURL           string
	// rate limits of serve (see api.RateLimitConfig) and the reverse
	// proxies whose X-Forwarded-For names the client.
	ratePerUser, ratePerAddress           float64
	ratePerUserBurst, ratePerAddressBurst int
	trustedProxies                        string
	// allowPrivateWebhooks lets webhook targets be loopback, private or
	// link-local addresses (serve: when they are created; worker: when
	// delivering). Off in production, on in dev.
	allowPrivateWebhooks bool
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// bind declares the flags of the given groups on fs, defaulting from the environment.
func (c *config) bind(fs *flag.FlagSet, http, db, temporal, oidc bool) {
	if http {
		fs.StringVar(&c.addr, "addr", env("MOTIONFLOW_ADDR", "127.0.0.1:8080"), "listen address of the HTTP API (MOTIONFLOW_ADDR)")
		fs.Int64Var(&c.maxBodyBytes, "max-body-bytes", envInt("MOTIONFLOW_MAX_BODY_BYTES", 1<<20), "largest accepted request body (MOTIONFLOW_MAX_BODY_BYTES)")
		fs.DurationVar(&c.requestTimeout, "request-timeout", envDuration("MOTIONFLOW_REQUEST_TIMEOUT", 60*time.Second), "time limit of one request (MOTIONFLOW_REQUEST_TIMEOUT)")
		def := api.DefaultRateLimit()
		fs.Float64Var(&c.ratePerUser, "rate-per-user", envFloat("MOTIONFLOW_RATE_PER_USER", def.PerUser), "sustained requests per second of one user (token or session); 0: no limit (MOTIONFLOW_RATE_PER_USER)")
		fs.IntVar(&c.ratePerUserBurst, "rate-per-user-burst", int(envInt("MOTIONFLOW_RATE_PER_USER_BURST", int64(def.PerUserBurst))), "requests one user may send at once (MOTIONFLOW_RATE_PER_USER_BURST)")
		fs.Float64Var(&c.ratePerAddress, "rate-per-address", envFloat("MOTIONFLOW_RATE_PER_ADDRESS", def.PerAddress), "sustained requests per second of one client address (IPv6: /64); 0: no limit (MOTIONFLOW_RATE_PER_ADDRESS)")
		fs.IntVar(&c.ratePerAddressBurst, "rate-per-address-burst", int(envInt("MOTIONFLOW_RATE_PER_ADDRESS_BURST", int64(def.PerAddressBurst))), "requests one client address may send at once (MOTIONFLOW_RATE_PER_ADDRESS_BURST)")
		fs.StringVar(&c.trustedProxies, "trusted-proxies", env("MOTIONFLOW_TRUSTED_PROXIES", ""), "comma-separated networks (CIDR) of the reverse proxies in front of serve; only from them is the client address taken from X-Forwarded-For/Forwarded (MOTIONFLOW_TRUSTED_PROXIES)")
		fs.BoolVar(&c.allowPrivateWebhooks, "allow-private-webhooks", envBool("MOTIONFLOW_ALLOW_PRIVATE_WEBHOOKS"), "accept webhook targets on loopback, private and link-local addresses (MOTIONFLOW_ALLOW_PRIVATE_WEBHOOKS)")
	}
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", envDuration("MOTIONFLOW_SHUTDOWN_TIMEOUT", 30*time.Second), "time to finish in-flight work on shutdown (MOTIONFLOW_SHUTDOWN_TIMEOUT)")
	if db {
		fs.StringVar(&c.databaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL (DATABASE_URL)")
	}
	if temporal {
		fs.StringVar(&c.temporalAddress, "temporal-address", env("TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (TEMPORAL_ADDRESS)")
		fs.StringVar(&c.temporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	}
	if oidc {
		fs.StringVar(&c.oidc.IssuerURL, "oidc-issuer", env("OIDC_ISSUER", ""), "OpenID provider issuer URL, exactly as in its tokens (OIDC_ISSUER)")
		fs.StringVar(&c.oidc.Audience, "oidc-audience", env("OIDC_AUDIENCE", "motionflow"), "client id expected in the tokens' aud claim (OIDC_AUDIENCE)")
		fs.StringVar(&c.oidc.GroupsClaim, "oidc-groups-claim", env("OIDC_GROUPS_CLAIM", "groups"), "claim that holds the groups mapped to roles, faction, department and bodies (OIDC_GROUPS_CLAIM)")
		fs.StringVar(&c.oidc.Prefix, "oidc-group-prefix", env("OIDC_GROUP_PREFIX", ""), "only groups with this prefix count, e.g. motionflow: (OIDC_GROUP_PREFIX)")
		fs.StringVar(&c.oidc.NameClaim, "oidc-name-claim", env("OIDC_NAME_CLAIM", "name"), "claim with the display name (OIDC_NAME_CLAIM)")
		algs := fs.String("oidc-algorithms", env("OIDC_ALGORITHMS", "RS256,ES256"), "accepted token signing algorithms (OIDC_ALGORITHMS)")
		c.oidcAlgs = algs
	}
}

// bindNotify declares the reminder delivery settings (worker).
func (c *config) bindNotify(fs *flag.FlagSet) {
	c.bindSMTP(fs)
	fs.StringVar(&c.baseURL, "base-url", env("MOTIONFLOW_BASE_URL", "http://127.0.0.1:8080"), "public URL of the API, for links in reminders (MOTIONFLOW_BASE_URL)")
	fs.BoolVar(&c.allowPrivateWebhooks, "allow-private-webhooks", envBool("MOTIONFLOW_ALLOW_PRIVATE_WEBHOOKS"), "deliver webhooks to loopback, private and link-local addresses too (MOTIONFLOW_ALLOW_PRIVATE_WEBHOOKS)")
}

// bindSMTP declares the e-mail settings: the worker's reminders, serve's
// confirmation mails of watch addresses.
func (c *config) bindSMTP(fs *flag.FlagSet) {
	fs.StringVar(&c.smtp.Host, "smtp-host", env("SMTP_HOST", ""), "SMTP server for reminder e-mails; empty disables e-mail (SMTP_HOST)")
	port := envInt("SMTP_PORT", 587)
	fs.IntVar(&c.smtp.Port, "smtp-port", int(port), "SMTP port (SMTP_PORT)")
	fs.StringVar(&c.smtp.Username, "smtp-username", env("SMTP_USERNAME", ""), "SMTP user (SMTP_USERNAME)")
	c.smtp.Password = os.Getenv("SMTP_PASSWORD") // never a flag: it would show in the process list
	fs.StringVar(&c.smtp.From, "smtp-from", env("SMTP_FROM", "motionflow <noreply@motionflow.invalid>"), "sender of reminder e-mails (SMTP_FROM)")
	fs.StringVar(&c.smtp.TLS, "smtp-tls", env("SMTP_TLS", notify.TLSStartTLS), "none, starttls or tls (SMTP_TLS)")
}

// mailer is what sends e-mail: nil when no SMTP server is configured.
func (c *config) mailer() (*notify.Mailer, error) {
	if c.smtp.Host == "" {
		return nil, nil
	}
	if err := c.smtp.Validate(); err != nil {
		return nil, fmt.Errorf("SMTP settings: %w", err)
	}
	return notify.NewMailer(c.smtp), nil
}

// rateLimit is serve's rate limit as configured; an unreadable list of
// trusted proxies is an error.
func (c *config) rateLimit() (api.RateLimitConfig, error) {
	proxies, err := api.ParseTrustedProxies(c.trustedProxies)
	if err != nil {
		return api.RateLimitConfig{}, fmt.Errorf("MOTIONFLOW_TRUSTED_PROXIES: %w", err)
	}
	return api.RateLimitConfig{PerUser: c.ratePerUser, PerUserBurst: c.ratePerUserBurst,
		PerAddress: c.ratePerAddress, PerAddressBurst: c.ratePerAddressBurst, TrustedProxies: proxies}, nil
}

// algorithms resolves the comma-separated algorithm list after parsing.
func (c *config) algorithms() []string {
	if c.oidcAlgs == nil {
		return nil
	}
	var out []string
	for _, a := range strings.Split(*c.oidcAlgs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
