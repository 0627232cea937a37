package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/motionflow/motionflow/notify"
)

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"} {
		if !notify.PublicAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s: not public, want public", a)
		}
	}
	for _, a := range []string{
		"127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
		"0.0.0.0", "0.1.2.3", "100.64.0.1", "192.0.0.8", "192.0.2.1", "198.18.0.1", "224.0.0.1", "239.255.255.250",
		"240.0.0.1", "255.255.255.255",
		"::1", "::", "fe80::1", "fd00::1", "fc00::1", "fec0::1", "ff02::1", "ff05::2", "2001:db8::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1", "2001::1",
	} {
		if notify.PublicAddr(netip.MustParseAddr(a)) {
			t.Errorf("%s: public, want not", a)
		}
	}
}

// fakeResolver answers from a table; other names do not resolve.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	as, ok := r[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range as {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckWebhookTarget(t *testing.T) {
	t.Parallel()
	r := fakeResolver{
		"hooks.example":    {"93.184.216.34", "2606:2800:220:1::1"},
		"intern.example":   {"10.0.0.5"},
		"gemischt.example": {"93.184.216.34", "127.0.0.1"},
		"metadata.example": {"169.254.169.254"},
	}
	for _, ok := range []string{"https://hooks.example/x", "http://93.184.216.34:8080/hook", "https://[2606:4700:4700::1111]/",
		"https://noch-nicht-im-dns.example/hook"} {
		if err := notify.CheckWebhookTarget(t.Context(), ok, r); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"https://intern.example/x", "https://gemischt.example/x", "http://metadata.example/latest",
		"http://127.0.0.1:9/x", "http://[::1]/", "http://[fd12::1]/", "http://0.0.0.0/", "http://169.254.169.254/latest/meta-data",
		"http://[::ffff:127.0.0.1]/", "http://localhost:8080/", "http://api.localhost/"} {
		err := notify.CheckWebhookTarget(t.Context(), bad, r)
		var np *notify.NonPublicError
		if !errors.As(err, &np) || !errors.Is(err, notify.ErrNonPublicTarget) {
			t.Errorf("%s: err = %v, want a NonPublicError", bad, err)
		}
	}
	for _, bad := range []string{"ftp://hooks.example/x", "/relative", "https://", "hooks.example/x"} {
		if err := notify.CheckWebhookTarget(t.Context(), bad, r); err == nil || errors.Is(err, notify.ErrNonPublicTarget) {
			t.Errorf("%s: err = %v, want a malformed URL", bad, err)
		}
	}
}

// TestWebhookRefusesNonPublicAddressesWhenDelivering: by default a delivery
// connects to public addresses only, checked on the address actually dialled
// (a name that resolves to a private address now, as after DNS rebinding, is
// refused too); AllowPrivate lets tests and in-cluster receivers through.
func TestWebhookRefusesNonPublicAddressesWhenDelivering(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	var w notify.Webhook
	for _, target := range []string{srv.URL, byName} {
		err := w.Send(t.Context(), target, "geheim", "d1", map[string]string{"x": "y"})
		if !errors.Is(err, notify.ErrNonPublicTarget) || !notify.IsPermanent(err) {
			t.Errorf("%s: err = %v, want a permanent refusal of a non-public address", target, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the receiver on 127.0.0.1 got %d requests", n)
	}
	open := notify.Webhook{AllowPrivate: true}
	if err := open.Send(t.Context(), srv.URL, "geheim", "d1", map[string]string{"x": "y"}); err != nil || hits.Load() != 1 {
		t.Fatalf("with AllowPrivate: err = %v, %d requests", err, hits.Load())
	}
}
