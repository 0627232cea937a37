package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Webhook targets must be public. An admin could otherwise point a webhook at
// the cluster's own services, the cloud's metadata endpoint or the loopback
// interface and have motionflow POST there (server-side request forgery).
// CheckWebhookTarget refuses such a URL when a target is created; the
// Webhook's dialer checks the address actually connected to again on every
// delivery, so that a name that later resolves to a private address (DNS
// rebinding) is refused as well. Tests and in-cluster receivers turn both off
// (Webhook.AllowPrivate, and the API's setting).

// ErrNonPublicTarget reports a webhook target whose address is not public.
var ErrNonPublicTarget = errors.New("notify: webhook target is not a public address")

// NonPublicError names the non-public address a webhook target has; it wraps
// ErrNonPublicTarget and is permanent (IsPermanent): retrying cannot help.
type NonPublicError struct {
	Host string
	Addr netip.Addr
}

func (e *NonPublicError) Error() string {
	return fmt.Sprintf("notify: webhook host %s has the non-public address %s", e.Host, e.Addr)
}

func (e *NonPublicError) Unwrap() error { return ErrNonPublicTarget }

// nonPublic are the ranges besides those netip.Addr's predicates name
// (loopback, private, link-local, multicast, unspecified) that are not the
// public internet: shared address space (CGNAT), "this network", IETF
// protocol assignments, documentation and benchmarking ranges, reserved
// space and broadcast; IPv4-compatible IPv6 addresses, NAT64, 6to4 and
// Teredo, which embed IPv4 addresses; the IPv6 discard, documentation and
// old site-local prefixes.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/32"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fec0::/10"),
}

// PublicAddr reports whether a is a public unicast address: not loopback,
// private (RFC 1918, IPv6 unique local fc00::/7), link-local (169.254.0.0/16,
// fe80::/10, where cloud metadata services live), unspecified, multicast,
// or one of the other special-purpose ranges (CGNAT, documentation,
// reserved, broadcast, NAT64 and other IPv4-embedding prefixes). An
// IPv4-mapped IPv6 address counts as its IPv4 address.
func PublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Resolver looks up the addresses of a host; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckWebhookTarget checks a webhook URL when a target is created: an
// absolute http(s) URL whose host is a public address, or a name all of
// whose addresses (looked up with r; net.DefaultResolver if nil) are public.
// The error is a *NonPublicError for a non-public address. A name that does
// not resolve (yet) passes: the delivery's dialer checks the address it
// connects to anyway.
func CheckWebhookTarget(ctx context.Context, rawURL string, r Resolver) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return fmt.Errorf("notify: webhook URL %q must be an absolute http(s) URL", rawURL)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !PublicAddr(a) {
			return &NonPublicError{Host: host, Addr: a}
		}
		return nil
	}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return &NonPublicError{Host: host, Addr: netip.IPv6Loopback()}
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return &NonPublicError{Host: host, Addr: a}
		}
	}
	return nil
}

// publicOnly is a net.Dialer Control function that refuses a connection to
// an address that is not public: it sees the address after name resolution,
// just before connecting.
func publicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("notify: webhook address %q: %w", address, err)
	}
	if !PublicAddr(ap.Addr()) {
		return &PermanentError{Err: &NonPublicError{Host: address, Addr: ap.Addr()}}
	}
	return nil
}

// newWebhookClient is the HTTP client of webhook deliveries: a 30-second
// timeout, no redirects (a redirected POST would lose its body or its
// signature's sense) and, unless allowPrivate, a dialer that connects to
// public addresses only. It uses no proxy: a proxy would hide the target's
// address from the check.
func newWebhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = publicOnly
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
