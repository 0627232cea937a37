// Command setup registers the namespace and motionflow's custom search
// attributes on the engine of deploy/engine (run.sh calls it after the
// frontend is up). The temporal CLI cannot be built from the module proxy, so
// this does what deploy/kubernetes/temporal-setup-job.yaml does with it.
// Running it again changes nothing.
//
// The list below is workflows.SearchAttributes; deploy/deploy_test.go keeps
// the Kubernetes job's copy of it in step, this one is checked by the engine
// fault test (serve and worker refuse to start when one is missing).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"
)

var searchAttributes = map[string]enumspb.IndexedValueType{
	"MotionStatus":    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionKind":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionBody":      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionFaction":   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionReference": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	"MotionVersion":   enumspb.INDEXED_VALUE_TYPE_INT,
}

func main() {
	addr := flag.String("address", "127.0.0.1:7233", "frontend address")
	ns := flag.String("namespace", "default", "namespace")
	wait := flag.Duration("wait", 90*time.Second, "how long to wait for the frontend")
	flag.Parse()
	if err := run(*addr, *ns, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
}

func run(addr, ns string, wait time.Duration) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	wf := workflowservice.NewWorkflowServiceClient(conn)
	ops := operatorservice.NewOperatorServiceClient(conn)
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        ns,
			WorkflowExecutionRetentionPeriod: durationpb.New(30 * 24 * time.Hour),
		})
		cancel()
		var exists *serviceerror.NamespaceAlreadyExists
		if err == nil || asErr(err, &exists) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("register namespace %s: %w", ns, err)
		}
		time.Sleep(time.Second)
	}
	// The namespace cache of the frontend refreshes every few seconds: retry
	// the search attributes until the namespace is known.
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		list, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err == nil {
			missing := map[string]enumspb.IndexedValueType{}
			for name, t := range searchAttributes {
				if _, ok := list.GetCustomAttributes()[name]; !ok {
					missing[name] = t
				}
			}
			if len(missing) == 0 {
				cancel()
				fmt.Printf("namespace %s ready with %d search attributes\n", ns, len(searchAttributes))
				return nil
			}
			_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
		}
		cancel()
		if err != nil && time.Now().After(deadline) {
			return fmt.Errorf("search attributes: %w", err)
		}
		time.Sleep(time.Second)
	}
}

func asErr[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}
