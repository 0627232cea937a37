// Package workflows runs each motion as one long-lived Temporal workflow,
// MotionWorkflow, from the first draft to its outcome and follow-up.
//
// Guarantees:
//   - Every user action is a Temporal update whose validator rejects, without
//     writing anything to history, what the transition table forbids, a stale
//     version, or invalid content.
//   - A command applies at most once per request id, also across
//     continue-as-new.
//   - Commands apply one at a time; when an update returns, the read model in
//     PostgreSQL already holds the new version and its audit event.
//   - Search attributes carry ids and codes only, never personal data.
//
// The wire contract — task queue, workflow and update names, workflow ids,
// argument types — sits in names.go next to the workflow; Client is what the
// API uses to talk to it.
package workflows
