package devstack

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A frontend port that another program holds (a Temporal CLI dev server on
// 7233, say) makes `motionflow dev` fail with an error naming the port, not
// with the embedded server's nil-pointer panic.
func TestTemporalFrontendPortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tmp, err := StartTemporal(ctx, TemporalOptions{Port: port, UIPort: -1, Logger: testLogger(t)})
	if err == nil {
		tmp.Stop()
		t.Fatalf("StartTemporal on the taken port %d succeeded", port)
	}
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Errorf("error %q does not say that port %d is taken", err, port)
	}
}

// When a port StartTemporal picked is taken by someone else before the
// server binds it (another test package's connection, in CI), the server
// still starts, on new ports. Each case hands out a held port as the n-th
// pick: the frontend's gRPC port (the server logs a fatal listener error and
// panics), its HTTP port (it returns an error) and the history service's.
func TestTemporalRepicksTakenPorts(t *testing.T) {
	for _, c := range []struct {
		name  string
		taken int // which pick (1-based) gets the held port
	}{{"frontend gRPC", 1}, {"frontend HTTP", 2}, {"history", 3}} {
		t.Run(c.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			held := ln.Addr().(*net.TCPAddr).Port
			picks := 0
			pickPort = func() (int, error) {
				picks++
				if picks == c.taken {
					return held, nil
				}
				return freePort()
			}
			t.Cleanup(func() { pickPort = freePort })

			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			tmp, err := StartTemporal(ctx, TemporalOptions{UIPort: -1, Logger: testLogger(t)})
			if err != nil {
				t.Fatalf("StartTemporal after a taken pick: %v", err)
			}
			defer tmp.Stop()
			if picks <= 5 {
				t.Errorf("%d ports picked; the taken one was not replaced by a new attempt", picks)
			}
			if strings.HasSuffix(tmp.HostPort, ":"+strconv.Itoa(held)) {
				t.Errorf("frontend on the held port %d", held)
			}
			c := dial(t, tmp)
			checkSearchAttributes(t, c)
		})
	}
}
