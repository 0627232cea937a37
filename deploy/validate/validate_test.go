package validate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

const (
	composeFile   = "../compose/compose.yaml"
	kubernetesDir = "../kubernetes"
	dockerfile    = "../../Dockerfile"
)

// loadCompose loads a compose file the way `docker compose config` does, with
// the JSON-schema validation on (unknown keys are errors) and no variables
// from the environment of the test.
func loadCompose(t *testing.T, path string) (*types.Project, error) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: content}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SetProjectName("motionflow", true)
		o.ResolvePaths = true
	})
}

func TestComposeFileLoads(t *testing.T) {
	p, err := loadCompose(t, composeFile)
	if err != nil {
		t.Fatalf("compose file does not load: %v", err)
	}
	want := []string{"keycloak", "mailpit", "migrate", "postgres", "serve", "temporal", "temporal-schema", "temporal-setup", "temporal-ui", "worker"}
	if got := slices.Sorted(func(yield func(string) bool) {
		for name := range p.Services {
			if !yield(name) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Errorf("services %v, want %v", got, want)
	}

	// One-shot jobs complete before what needs them starts; long-running
	// services are healthy first.
	deps := map[string]map[string]string{
		"temporal-schema": {"postgres": types.ServiceConditionHealthy},
		"temporal":        {"temporal-schema": types.ServiceConditionCompletedSuccessfully},
		"temporal-setup":  {"temporal": types.ServiceConditionHealthy},
		"temporal-ui":     {"temporal": types.ServiceConditionHealthy},
		"migrate":         {"postgres": types.ServiceConditionHealthy},
		"serve": {"migrate": types.ServiceConditionCompletedSuccessfully, "temporal-setup": types.ServiceConditionCompletedSuccessfully,
			"keycloak": types.ServiceConditionHealthy},
		"worker": {"migrate": types.ServiceConditionCompletedSuccessfully, "temporal-setup": types.ServiceConditionCompletedSuccessfully,
			"mailpit": types.ServiceConditionHealthy},
	}
	for svc, want := range deps {
		got := map[string]string{}
		for name, d := range p.Services[svc].DependsOn {
			got[name] = d.Condition
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s depends on %v, want %v", svc, got, want)
		}
	}
	for _, svc := range []string{"postgres", "temporal", "keycloak", "mailpit", "serve", "worker"} {
		if hc := p.Services[svc].HealthCheck; hc == nil || len(hc.Test) == 0 {
			t.Errorf("%s has no health check", svc)
		}
	}

	// motionflow runs from the production image, read-only, not as root,
	// configured by the variables it reads.
	for _, svc := range []string{"migrate", "serve", "worker"} {
		s := p.Services[svc]
		if s.Build == nil || s.Build.Dockerfile != "Dockerfile" || !s.ReadOnly || s.User != "65532:65532" {
			t.Errorf("%s: build %+v, read_only %v, user %q", svc, s.Build, s.ReadOnly, s.User)
		}
		if s.Command[0] != svc {
			t.Errorf("%s runs %v", svc, s.Command)
		}
		for _, v := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE"} {
			if s.Environment[v] == nil || *s.Environment[v] == "" {
				t.Errorf("%s lacks %s", svc, v)
			}
		}
	}
	serve, worker := p.Services["serve"], p.Services["worker"]
	if *serve.Environment["OIDC_ISSUER"] != "http://keycloak:8180/realms/motionflow" {
		t.Errorf("serve trusts issuer %q", *serve.Environment["OIDC_ISSUER"])
	}
	if *worker.Environment["SMTP_HOST"] != "mailpit" {
		t.Errorf("worker sends mail to %q", *worker.Environment["SMTP_HOST"])
	}
	if worker.StopGracePeriod == nil || *worker.StopGracePeriod <= types.Duration(30e9) {
		t.Errorf("worker stop_grace_period %v must exceed its 30 s stop timeout", worker.StopGracePeriod)
	}
	if worker.Deploy == nil || worker.Deploy.Replicas == nil || *worker.Deploy.Replicas < 2 {
		t.Errorf("worker should run at least two replicas")
	}

	// The files the compose file mounts exist.
	for _, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s mounts %s: %v", s.Name, v.Source, err)
				}
			}
		}
	}
}

func TestComposeLoaderRejectsUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"unknown service key": "services:\n  serve:\n    image: motionflow\n    restart_policy: always\n",
		"unknown top-level":   "services:\n  serve:\n    image: motionflow\nservice:\n  worker: {}\n",
		"ports not a list":    "services:\n  serve:\n    image: motionflow\n    ports: 8080\n",
		"unknown condition":   "services:\n  serve:\n    image: motionflow\n    depends_on:\n      db:\n        condition: healthy\n  db:\n    image: postgres\n",
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadCompose(t, path); err == nil {
			t.Errorf("%s: the loader accepted\n%s", name, content)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// decodeStrict decodes one YAML document into its typed Kubernetes object;
// an unknown field, a duplicate field or a wrong type is an error.
func decodeStrict(doc []byte) (runtime.Object, error) {
	s := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})
	obj, _, err := s.Decode(doc, nil, nil)
	return obj, err
}

// documents splits a multi-document YAML file.
func documents(t *testing.T, content []byte) [][]byte {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// manifests decodes every manifest of deploy/kubernetes, keyed by
// "Kind/name".
func manifests(t *testing.T) map[string]runtime.Object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(kubernetesDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs := map[string]runtime.Object{}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		content, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range documents(t, content) {
			obj, err := decodeStrict(doc)
			if err != nil {
				t.Errorf("%s, document %d: %v", filepath.Base(f), i+1, err)
				continue
			}
			m := obj.(interface{ GetName() string })
			key := obj.GetObjectKind().GroupVersionKind().Kind + "/" + m.GetName()
			if _, dup := objs[key]; dup {
				t.Errorf("%s defined twice", key)
			}
			objs[key] = obj
		}
	}
	return objs
}

func TestKubernetesManifestsDecodeStrictly(t *testing.T) {
	objs := manifests(t)
	for _, want := range []string{
		"Deployment/motionflow-serve", "Service/motionflow-serve", "PodDisruptionBudget/motionflow-serve", "Ingress/motionflow",
		"Deployment/motionflow-worker", "PodDisruptionBudget/motionflow-worker",
		"ConfigMap/motionflow-config", "Secret/motionflow-secrets", "Secret/motionflow-temporal-tls", "ServiceAccount/motionflow",
		"Job/motionflow-migrate", "Job/motionflow-temporal-setup",
	} {
		if objs[want] == nil {
			t.Errorf("no %s", want)
		}
	}
	serve, _ := objs["Deployment/motionflow-serve"].(*appsv1.Deployment)
	worker, _ := objs["Deployment/motionflow-worker"].(*appsv1.Deployment)
	if serve == nil || worker == nil {
		t.Fatal("serve or worker Deployment missing")
	}
	if *serve.Spec.Replicas != 3 || *worker.Spec.Replicas != 2 {
		t.Errorf("replicas: serve %d, worker %d", *serve.Spec.Replicas, *worker.Spec.Replicas)
	}
	c := serve.Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("serve probes: readiness %+v, liveness %+v", c.ReadinessProbe, c.LivenessProbe)
	}
	// The worker must be given more time than its 30 s stop timeout, serve
	// more than its drain timeout plus the preStop pause.
	if g := *worker.Spec.Template.Spec.TerminationGracePeriodSeconds; g <= 30 {
		t.Errorf("worker terminationGracePeriodSeconds %d must exceed the worker stop timeout (30 s)", g)
	}
	if g := *serve.Spec.Template.Spec.TerminationGracePeriodSeconds; g <= 35 {
		t.Errorf("serve terminationGracePeriodSeconds %d must exceed shutdown timeout + preStop (35 s)", g)
	}
	for _, d := range []*appsv1.Deployment{serve, worker} {
		checkPod(t, d.Name, d.Spec.Template.Spec)
		if d.Spec.Template.Labels["app.kubernetes.io/component"] != d.Spec.Selector.MatchLabels["app.kubernetes.io/component"] {
			t.Errorf("%s: selector does not match the pod labels", d.Name)
		}
	}
	for _, name := range []string{"Job/motionflow-migrate", "Job/motionflow-temporal-setup"} {
		if j, ok := objs[name].(*batchv1.Job); ok {
			checkPod(t, j.Name, j.Spec.Template.Spec)
		}
	}
	// Every variable the pods take from the ConfigMap and Secrets exists there.
	cm := objs["ConfigMap/motionflow-config"].(*corev1.ConfigMap)
	secret := objs["Secret/motionflow-secrets"].(*corev1.Secret)
	for _, d := range []*appsv1.Deployment{serve, worker} {
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil {
				if _, ok := secret.StringData[ref.SecretKeyRef.Key]; !ok {
					t.Errorf("%s: %s refers to secret key %q, which secret.example.yaml lacks", d.Name, e.Name, ref.SecretKeyRef.Key)
				}
			}
		}
	}
	for _, v := range []string{"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "OIDC_ISSUER", "MOTIONFLOW_METRICS_ADDR", "SMTP_HOST"} {
		if cm.Data[v] == "" {
			t.Errorf("ConfigMap lacks %s", v)
		}
	}
}

// checkPod asserts what every motionflow pod has: not root, read-only root
// file system, no privilege escalation, all capabilities dropped, limits.
func checkPod(t *testing.T, name string, spec corev1.PodSpec) {
	t.Helper()
	if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("%s: pod must run as a non-root user: %+v", name, spec.SecurityContext)
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			t.Errorf("%s/%s: container security context %+v", name, c.Name, sc)
		}
		if c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
			t.Errorf("%s/%s: needs a memory limit and a CPU request", name, c.Name)
		}
	}
}

func TestKubernetesStrictDecodingRejectsMistakes(t *testing.T) {
	good := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: motionflow-serve
spec:
  replicas: 3
  selector:
    matchLabels: {app: motionflow}
  template:
    metadata:
      labels: {app: motionflow}
    spec:
      containers:
        - name: serve
          image: motionflow
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
`
	if _, err := decodeStrict([]byte(good)); err != nil {
		t.Fatalf("the valid manifest fails: %v", err)
	}
	for name, broken := range map[string]string{
		"unknown field":   strings.Replace(good, "replicas: 3", "replica: 3", 1),
		"misplaced field": strings.Replace(good, "          image: motionflow", "          image: motionflow\n          replicas: 2", 1),
		"wrong type":      strings.Replace(good, "replicas: 3", "replicas: three", 1),
		"duplicate field": strings.Replace(good, "replicas: 3", "replicas: 3\n  replicas: 4", 1),
		"unknown kind":    strings.Replace(good, "kind: Deployment", "kind: Deploymnet", 1),
	} {
		if _, err := decodeStrict([]byte(broken)); err == nil {
			t.Errorf("%s: strict decoding accepted\n%s", name, broken)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestKustomizationListsTheManifests(t *testing.T) {
	content, err := os.ReadFile(filepath.Join(kubernetesDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Namespace  string `json:"namespace"`
		Labels     []any  `json:"labels"`
		Resources  []string
		Images     []struct {
			Name    string `json:"name"`
			NewName string `json:"newName"`
			NewTag  string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(content, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	// Applied by hand on purpose: the example Secret and the one-time
	// Temporal set-up (see their comments).
	byHand := []string{"secret.example.yaml", "temporal-setup-job.yaml"}
	files, _ := filepath.Glob(filepath.Join(kubernetesDir, "*.yaml"))
	for _, f := range files {
		base := filepath.Base(f)
		if base != "kustomization.yaml" && !slices.Contains(byHand, base) && !slices.Contains(k.Resources, base) {
			t.Errorf("kustomization.yaml does not list %s", base)
		}
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join(kubernetesDir, r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
	if len(k.Images) != 1 || k.Images[0].Name != "motionflow" {
		t.Errorf("images %+v: the manifests use the image name motionflow", k.Images)
	}
}

func TestDockerfileParses(t *testing.T) {
	content, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("parser warning: %s", w.Short)
	}
	var lints []string
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, _ []parser.Range) {
		lints = append(lints, rule+": "+msg)
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("Dockerfile instructions: %v", err)
	}
	if len(lints) > 0 {
		t.Errorf("BuildKit lint: %v", lints)
	}
	if len(metaArgs) != 1 || metaArgs[0].Args[0].Key != "GO_VERSION" {
		t.Errorf("global ARGs %+v, want GO_VERSION", metaArgs)
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want build and final", len(stages))
	}
	build, final := stages[0], stages[1]
	if build.Name != "build" || !strings.HasPrefix(build.BaseName, "golang:") {
		t.Errorf("first stage %q from %q, want build from golang", build.Name, build.BaseName)
	}
	if final.BaseName != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage from %q, want distroless static nonroot", final.BaseName)
	}
	var buildCmd string
	for _, c := range build.Commands {
		if r, ok := c.(*instructions.RunCommand); ok {
			buildCmd += strings.Join(r.CmdLine, " ")
		}
	}
	for _, want := range []string{"go build", "-tags nodev", "-trimpath", `-ldflags "-s -w"`, "./cmd/motionflow"} {
		if !strings.Contains(buildCmd, want) {
			t.Errorf("build stage lacks %q: %s", want, buildCmd)
		}
	}
	var user string
	var entrypoint []string
	var copied bool
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entrypoint = c.CmdLine
		case *instructions.CopyCommand:
			copied = c.From == "build"
		case *instructions.RunCommand:
			t.Errorf("the final stage runs %v: it has no shell", c.CmdLine)
		}
	}
	if user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("final stage user %q, want a non-root user", user)
	}
	if !copied || len(entrypoint) != 1 || entrypoint[0] != "/usr/local/bin/motionflow" {
		t.Errorf("final stage: copied from build %v, entrypoint %v", copied, entrypoint)
	}

	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	for _, want := range []string{".git", "e2e", "deploy"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
}

func TestDockerfileParserRejectsMistakes(t *testing.T) {
	for name, broken := range map[string]string{
		"unknown instruction": "FROM scratch\nCOPYY motionflow /\n",
		"no FROM":             "COPY motionflow /\n",
		"bad flag":            "FROM scratch\nCOPY --frm=build motionflow /\n",
	} {
		res, err := parser.Parse(strings.NewReader(broken))
		if err == nil {
			_, _, err = instructions.Parse(res.AST, nil)
		}
		if err == nil {
			t.Errorf("%s: accepted\n%s", name, broken)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
