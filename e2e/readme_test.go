package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadmeWalkthrough builds the real binary, starts `motionflow dev` the
// way the README says (on free ports, ephemeral), and runs the README's curl
// walk-through block unchanged against it: the documentation cannot drift
// from what the system does.
func TestReadmeWalkthrough(t *testing.T) {
	script := readmeBlock(t, "walkthrough") + "\necho '--- reminder'\n" + readmeBlock(t, "reminder")

	dir := t.TempDir()
	bin := buildMotionflow(t, filepath.Join(dir, "motionflow"))

	addr, issuer := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dev := exec.CommandContext(ctx, bin, "dev", "-ephemeral", "-data", filepath.Join(dir, "data"),
		"-addr", addr, "-issuer-addr", issuer, "-temporal-port", "0", "-ui-port", "-1", "-smtp-addr", freeAddr(t))
	dev.Dir = dir
	dev.Cancel = func() error { return dev.Process.Signal(syscall.SIGINT) }
	dev.WaitDelay = 30 * time.Second
	stderr := &syncBuffer{}
	dev.Stderr = stderr
	stdout, err := dev.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = dev.Wait()
		if t.Failed() {
			t.Logf("dev stderr:\n%s", stderr.String())
		}
	}()

	// dev prints its banner once everything listens.
	banner := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "Use it:") {
				banner <- b.String()
			}
		}
	}()
	var text string
	select {
	case text = <-banner:
	case <-time.After(2 * time.Minute):
		t.Fatalf("dev did not print its URLs within 2 minutes")
	}
	api := "http://" + addr
	for _, want := range []string{api + "/v1/motions", api + "/docs", "/dev/token?user=spd", "ratsbuero", "verwaltung"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	if resp, err := http.Get(api + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %v %v", resp, err)
	}

	run := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	run.Env = append(os.Environ(), "API="+api)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("walk-through failed: %v\n%s", err, out)
	}
	year := time.Now().Year()
	for _, want := range []string{
		"Entwurf",
		fmt.Sprintf("registered as A1/%d", year),
		"Entschieden: settled_by_other_resolutions",
		`"outcome": "settled_by_other_resolutions"`,
		fmt.Sprintf("A1/%d Digitalisierung im Quadrat", year),
		"1 create by", "3 register by", "8 record_result by",
		fmt.Sprintf("Registriert als A1/%d – „Digitalisierung im Quadrat“", year),
		"Antrag ohne Fortgang: ", "(manual)",
		"ratsbuero@mannheim.example: Erinnerung: Antrag ohne Fortgang heute fällig",
		"spd-fraktion@mannheim.example: Erinnerung: Antrag ohne Fortgang heute fällig",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walk-through output lacks %q:\n%s", want, out)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// readmeBlock is the shell block of README.md between the markers
// <!-- name:start --> and <!-- name:end -->, which a test runs unchanged; it
// fails t when bash, curl or jq, which the blocks call, are missing.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README walk-through needs %s on PATH (.ci/run installs it): %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	q := regexp.QuoteMeta(name)
	m := regexp.MustCompile("(?s)<!-- " + q + ":start -->\\s*```sh\\n(.*?)```\\s*<!-- " + q + ":end -->").FindSubmatch(readme)
	if m == nil {
		t.Fatalf("README.md has no %s block", name)
	}
	return string(m[1])
}

// buildMotionflow builds the real binary at bin.
func buildMotionflow(t *testing.T, bin string) string {
	t.Helper()
	build := exec.Command("go", "build", "-o", bin, "./cmd/motionflow")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
