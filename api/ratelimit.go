package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motionflow/motionflow/problem"
	"golang.org/x/time/rate"
)

// RateLimitConfig sets the request rates one user and one client address may
// sustain. A request counts against both; the first limit it exceeds answers
// 429 with Retry-After (problem+json), and a refused request costs nothing.
type RateLimitConfig struct {
	// PerUser is the sustained rate per user in requests per second, and
	// PerUserBurst how many may come at once. A user is a bearer token (the
	// header's value; the limiter runs before the token is checked, so a
	// flood of forged tokens is refused by the address limit before any
	// signature is verified). 0 turns the limit off.
	PerUser      float64
	PerUserBurst int
	// UserCookie names a session cookie (the web's) whose value identifies
	// the user of a request without an Authorization header; "" counts such
	// requests by address only.
	UserCookie string
	// PerAddress and PerAddressBurst limit each client address (an IPv6
	// client by its /64 network), signed in or not. 0 turns the limit off.
	PerAddress      float64
	PerAddressBurst int
	// TrustedProxies are the reverse proxies in front of motionflow (the
	// ingress controller's addresses). Only a request whose direct peer is
	// in one of them counts against the address the proxies name: the
	// rightmost entry of X-Forwarded-For (else of Forwarded's for=) that is
	// not itself a trusted proxy. From any other peer both headers are
	// ignored, so that a client cannot pick its address. Empty: the peer's
	// address always.
	TrustedProxies []netip.Prefix
	// Exempt are path prefixes that are never limited; nil means the health
	// checks (/healthz, /readyz).
	Exempt []string
	// MaxKeys bounds the users and addresses tracked (default 100,000). Idle
	// ones are forgotten once their bucket is full again, which changes
	// nothing; if there are still too many, all are forgotten.
	MaxKeys int
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// DefaultRateLimit is generous: a person clicking through the web client, a
// script paging through lists, and a whole office behind one address stay
// well below it. Operators change it with serve's -rate-* settings.
func DefaultRateLimit() RateLimitConfig {
	return RateLimitConfig{PerUser: 20, PerUserBurst: 40, PerAddress: 50, PerAddressBurst: 100}
}

// ParseTrustedProxies reads a comma- or space-separated list of networks
// ("10.0.0.0/8, 192.168.1.5, fd00::/8"); a single address is a network of
// its own. "" is none.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: neither a network (CIDR) nor an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// RateLimit returns middleware that enforces cfg.
func RateLimit(cfg RateLimitConfig) func(http.Handler) http.Handler {
	if cfg.Exempt == nil {
		cfg.Exempt = []string{"/healthz", "/readyz"}
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 100_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &limiter{cfg: cfg}
	l.user = newBuckets(cfg.PerUser, cfg.PerUserBurst)
	l.addr = newBuckets(cfg.PerAddress, cfg.PerAddressBurst)
	return func(next http.Handler) http.Handler {
		if l.user == nil && l.addr == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if wait, ok := l.admit(r); !ok {
				secs := int(math.Ceil(wait.Seconds()))
				if secs < 1 {
					secs = 1
				}
				problem.Write(w, problem.New(http.StatusTooManyRequests,
					fmt.Sprintf("Zu viele Anfragen. Bitte in %d s erneut versuchen.", secs)).
					WithHeader("Retry-After", strconv.Itoa(secs)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

type limiter struct {
	cfg        RateLimitConfig
	user, addr *buckets
}

// admit takes a token from each bucket the request counts against, or none
// and says how long to wait.
func (l *limiter) admit(r *http.Request) (time.Duration, bool) {
	for _, p := range l.cfg.Exempt {
		if strings.HasPrefix(r.URL.Path, p) {
			return 0, true
		}
	}
	now := l.cfg.Now()
	var taken [2]*rate.Reservation
	var wait time.Duration
	if l.addr != nil {
		taken[0] = l.addr.reserve("a:"+clientAddress(r, l.cfg.TrustedProxies), now, l.cfg.MaxKeys)
	}
	if id := l.userOf(r); l.user != nil && id != "" {
		sum := sha256.Sum256([]byte(id))
		taken[1] = l.user.reserve("u:"+hex.EncodeToString(sum[:16]), now, l.cfg.MaxKeys)
	}
	for _, t := range taken {
		if t != nil {
			wait = max(wait, t.DelayFrom(now))
		}
	}
	if wait == 0 {
		return 0, true
	}
	for _, t := range taken {
		if t != nil {
			t.CancelAt(now) // a refused request costs nothing
		}
	}
	return wait, false
}

// userOf is what identifies the request's user: its Authorization header,
// else the session cookie's value; "" for the anonymous public.
func (l *limiter) userOf(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		return "authorization\n" + h
	}
	if l.cfg.UserCookie != "" {
		if c, err := r.Cookie(l.cfg.UserCookie); err == nil && c.Value != "" {
			return "cookie\n" + c.Value
		}
	}
	return ""
}

// buckets are token buckets by key, created on first use.
type buckets struct {
	limit rate.Limit
	burst int
	// idle is how long a bucket takes to fill up: after that, forgetting it
	// changes nothing.
	idle time.Duration

	mu    sync.Mutex
	m     map[string]*bucket
	swept time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newBuckets(perSecond float64, burst int) *buckets {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &buckets{limit: rate.Limit(perSecond), burst: burst,
		idle: time.Duration(float64(burst)/perSecond*float64(time.Second)) + time.Second,
		m:    map[string]*bucket{}}
}

func (b *buckets) reserve(key string, now time.Time, maxKeys int) *rate.Reservation {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.swept) > time.Minute || len(b.m) >= maxKeys {
		b.sweep(now)
		if len(b.m) >= maxKeys {
			clear(b.m)
		}
	}
	e, ok := b.m[key]
	if !ok {
		e = &bucket{lim: rate.NewLimiter(b.limit, b.burst)}
		b.m[key] = e
	}
	e.last = now
	return e.lim.ReserveN(now, 1)
}

// sweep forgets the buckets that have been idle long enough to be full.
func (b *buckets) sweep(now time.Time) {
	b.swept = now
	for k, e := range b.m {
		if now.Sub(e.last) > b.idle {
			delete(b.m, k)
		}
	}
}

// clientAddress is the address a request counts against: the peer's, or,
// when the peer is a trusted proxy, the client the proxies name (see
// RateLimitConfig.TrustedProxies). IPv6 addresses count by their /64
// network, which one client usually holds whole.
func clientAddress(r *http.Request, trusted []netip.Prefix) string {
	raw := r.RemoteAddr
	if host, _, err := net.SplitHostPort(raw); err == nil {
		raw = host
	}
	ip, err := netip.ParseAddr(raw)
	if err != nil {
		return raw
	}
	ip = ip.Unmap()
	if isTrusted(ip, trusted) {
		ip = forwardedClient(r, ip, trusted)
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedClient walks the chain of addresses the proxies recorded
// (X-Forwarded-For, else Forwarded), from the right, starting at the trusted
// peer: the first address that is not a trusted proxy is the client. Entries
// further left were sent by the client and prove nothing. An entry that is
// not an address ends the walk at the hop to its right.
func forwardedClient(r *http.Request, peer netip.Addr, trusted []netip.Prefix) netip.Addr {
	chain := forwardedFor(r.Header)
	client := peer
	for i := len(chain) - 1; i >= 0; i-- {
		a, err := parseHop(chain[i])
		if err != nil {
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client
}

// forwardedFor lists the addresses of X-Forwarded-For (all its lines, in
// order) or, without it, the for= parameters of Forwarded (RFC 7239).
func forwardedFor(h http.Header) []string {
	var out []string
	for _, line := range h.Values("X-Forwarded-For") {
		for _, f := range strings.Split(line, ",") {
			out = append(out, strings.TrimSpace(f))
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					out = append(out, strings.Trim(strings.TrimSpace(v), `"`))
				}
			}
		}
	}
	return out
}

// parseHop reads one recorded address: "192.0.2.1", "2001:db8::1",
// "[2001:db8::1]:4711" or "192.0.2.1:80" (as Forwarded may write them).
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	return a.Unmap(), err
}
