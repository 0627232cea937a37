package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/motionflow/motionflow/store"
	"github.com/motionflow/motionflow/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// startupTimeout bounds all start-up checks together.
const startupTimeout = 30 * time.Second

// startupChecks makes sure, before serve or worker takes traffic or tasks,
// that what it depends on is in place: Temporal answers, the namespace
// exists and has the search attributes of workflows.SearchAttributes with
// their types, and the database has every migration this binary embeds.
// The error names everything that is missing and how to fix it, so that a
// pod that cannot start says why in its first log line.
func startupChecks(ctx context.Context, log *slog.Logger, tc client.Client, namespace string, st *store.Store) error {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	var errs []error
	if err := checkTemporal(ctx, log, tc, namespace); err != nil {
		errs = append(errs, err)
	}
	if err := st.Ready(ctx); err != nil {
		errs = append(errs, fmt.Errorf("database: %w\n  fix: apply the migrations once per release with `motionflow migrate` "+
			"(compose service migrate, Kubernetes Job motionflow-migrate) before serve and worker start", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("start-up checks failed:\n%w", err)
	}
	log.Info("start-up checks passed", "namespace", namespace, "search_attributes", len(workflows.SearchAttributes))
	return nil
}

// checkTemporal checks the server, the namespace and its search attributes.
func checkTemporal(ctx context.Context, log *slog.Logger, tc client.Client, namespace string) error {
	if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: the frontend does not answer: %w\n  fix: check TEMPORAL_ADDRESS, and for TLS or Temporal Cloud "+
			"TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH, TEMPORAL_TLS_SERVER_CA_CERT_PATH or TEMPORAL_API_KEY", err)
	}
	if _, err := tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace}); err != nil {
		var nf *serviceerror.NamespaceNotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("temporal: namespace %q does not exist\n  fix: create it once, e.g. `temporal operator namespace create --namespace %s --retention 30d` "+
				"(Kubernetes Job motionflow-temporal-setup; on Temporal Cloud in the Cloud UI or with tcld), or set TEMPORAL_NAMESPACE", namespace, namespace)
		}
		return fmt.Errorf("temporal: describe namespace %q: %w", namespace, err)
	}
	resp, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		var unimpl *serviceerror.Unimplemented
		var denied *serviceerror.PermissionDenied
		if errors.As(err, &unimpl) || errors.As(err, &denied) {
			// Some hosted deployments do not let a worker's credentials
			// list search attributes; the first upsert would then fail.
			log.Warn("cannot list the namespace's search attributes; not checked", "namespace", namespace, "error", err)
			return nil
		}
		return fmt.Errorf("temporal: list search attributes of %q: %w", namespace, err)
	}
	return searchAttributeProblems(namespace, resp.GetCustomAttributes(), workflows.SearchAttributes)
}

// searchAttributeProblems compares the custom search attributes a namespace
// has with the ones motionflow needs.
func searchAttributeProblems(namespace string, have, want map[string]enumspb.IndexedValueType) error {
	var missing, wrong []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		got, ok := have[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case got != want[name]:
			wrong = append(wrong, fmt.Sprintf("%s is %s, motionflow needs %s", name, cliType(got), cliType(want[name])))
		}
	}
	var errs []error
	if len(missing) > 0 {
		var cmd strings.Builder
		fmt.Fprintf(&cmd, "temporal operator search-attribute create --namespace %s", namespace)
		for _, name := range missing {
			fmt.Fprintf(&cmd, " --name %s --type %s", name, cliType(want[name]))
		}
		errs = append(errs, fmt.Errorf("temporal: namespace %q lacks the search attributes %s\n  fix: register them once: `%s` "+
			"(Kubernetes Job motionflow-temporal-setup; on Temporal Cloud with tcld namespace search-attributes add)",
			namespace, strings.Join(missing, ", "), cmd.String()))
	}
	if len(wrong) > 0 {
		errs = append(errs, fmt.Errorf("temporal: namespace %q has search attributes of the wrong type: %s\n  fix: a search attribute cannot change its type; "+
			"remove it (`temporal operator search-attribute remove`) and create it again with the right type, or use a fresh namespace",
			namespace, strings.Join(wrong, "; ")))
	}
	return errors.Join(errs...)
}

// cliType is the name the temporal CLI uses for a search attribute type
// (INDEXED_VALUE_TYPE_KEYWORD_LIST → KeywordList).
func cliType(t enumspb.IndexedValueType) string {
	words := strings.Split(strings.TrimPrefix(t.String(), "INDEXED_VALUE_TYPE_"), "_")
	for i, w := range words {
		if w != "" {
			words[i] = w[:1] + strings.ToLower(w[1:])
		}
	}
	return strings.Join(words, "")
}
