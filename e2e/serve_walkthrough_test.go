package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/motionflow/motionflow/internal/devstack"
	"github.com/motionflow/motionflow/store/storetest"
)

// TestServeWalkthrough runs the README's production block ("Produktion: die
// Schritte gegen serve") unchanged: migrate, bootstrap (twice), serve and
// worker as processes of the real binary, tokens by the password grant from
// an OpenID provider that is a process of its own (`motionflow dev
// -idp-only`, found by serve through discovery), and the motion taken from
// draft to its outcome. The Temporal server is the embedded one.
func TestServeWalkthrough(t *testing.T) {
	script := readmeBlock(t, "serve-walkthrough")

	dir := t.TempDir()
	bin := filepath.Join(dir, "bin", "motionflow")
	buildMotionflow(t, bin)
	// The block names deploy/bootstrap/… relative to the repository.
	deploy, err := filepath.Abs("../deploy")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(deploy, filepath.Join(dir, "deploy")); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tmp, err := devstack.StartTemporal(ctx, devstack.TemporalOptions{UIPort: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Stop()

	// The identity provider, on its own.
	idp := exec.CommandContext(ctx, bin, "dev", "-idp-only", "-issuer-addr", freeAddr(t))
	idp.Cancel = func() error { return idp.Process.Signal(syscall.SIGINT) }
	idp.WaitDelay = 10 * time.Second
	idpOut, err := idp.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = idp.Wait() }()
	issuer := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(idpOut)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "Issuer" {
				issuer <- f[1]
			}
		}
	}()
	var iss string
	select {
	case iss = <-issuer:
	case <-time.After(30 * time.Second):
		t.Fatal("motionflow dev -idp-only printed no issuer within 30 s")
	}

	addr := freeAddr(t)
	api := "http://" + addr
	out, err := os.Create(filepath.Join(dir, "walkthrough.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	run := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	run.Dir = dir
	run.Env = append(os.Environ(),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"DATABASE_URL="+storetest.NewDatabase(t),
		"TEMPORAL_ADDRESS="+tmp.HostPort, "TEMPORAL_NAMESPACE="+tmp.Namespace,
		"OIDC_ISSUER="+iss, "MOTIONFLOW_ADDR="+addr)
	// A file, not a pipe: serve and worker, started in the background by
	// the block, keep their inherited stdout open after bash ends.
	run.Stdout, run.Stderr = out, out
	// Their own process group, so that serve and worker are stopped with
	// the shell that started them.
	run.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	runErr := run.Run()
	var dev404 int
	if res, err := http.Get(api + "/dev/token?user=spd"); err == nil {
		dev404 = res.StatusCode
		_ = res.Body.Close()
	}
	if run.Process != nil {
		_ = syscall.Kill(-run.Process.Pid, syscall.SIGTERM)
	}
	text, _ := os.ReadFile(out.Name())
	if runErr != nil {
		logs := ""
		for _, f := range []string{"serve.log", "worker.log"} {
			b, _ := os.ReadFile(filepath.Join(dir, f))
			logs += "\n--- " + f + "\n" + string(b)
		}
		t.Fatalf("walk-through failed: %v\n%s%s", runErr, text, logs)
	}
	if dev404 != http.StatusNotFound {
		t.Errorf("serve answered GET /dev/token with %d, want 404: it has no dev endpoint", dev404)
	}
	year := time.Now().Year()
	for _, want := range []string{
		"Körperschaft mannheim angelegt",
		"Sitzung mannheim-gr-2020-02-11 angelegt",
		"Nichts geändert: alle ",
		fmt.Sprintf("registered as A1/%d", year),
		"Entschieden: settled_by_other_resolutions",
		fmt.Sprintf(`"reference": "A1/%d"`, year),
		`"status": "decided"`,
		`"outcome": "settled_by_other_resolutions"`,
		fmt.Sprintf("A1/%d Digitalisierung im Quadrat", year),
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("walk-through output lacks %q:\n%s", want, text)
		}
	}
}
