// Package store is motionflow's PostgreSQL read model: the directory of bodies,
// organizations, persons and meetings, the projected motions with their audit
// trail, the gapless reference numbers, and for deadlines and reminders: the
// versioned deadline rules, the motions' current deadlines, notification
// targets, watches, the reminder log and iCalendar feed tokens.
//
// Guarantees:
//
//   - Projection is idempotent and ordered by version: [Store.Project] writes the
//     motion row and its event in one transaction; projecting the same or an
//     older version again changes nothing, so a retried or reordered Temporal
//     activity can never move the read model backwards or duplicate an event.
//   - Reference numbers are unique and consecutive per body and year, without
//     gaps, and assigned at most once per motion ([Store.AssignReference]).
//   - Visibility is enforced in SQL ([Store.Motions]): a draft never appears in
//     another faction's lists, counts, pages or search results.
//   - Pagination is keyset-based with opaque cursors: pages stay stable while
//     rows are added, and deep pages cost the same as the first.
//   - A reminder is delivered at most once per (motion, reminder, recipient):
//     the reminder log's key makes recording idempotent, and [Store.ClaimDelivery]
//     hands a delivery to one sender at a time (a lease, on the database's
//     clock) until [Store.MarkDelivered] closes it for good.
//   - Deadline rules are never overwritten: [Store.SetDeadlineRules] adds a
//     version, so every computed deadline can name the rules that produced it.
//   - Feed tokens are stored as SHA-256 hashes only; a revoked token is
//     indistinguishable from an unknown one ([ErrNotFound]).
//   - The schema is embedded and migrated with tern under an advisory lock
//     ([Migrate]); several processes may migrate at start-up at once.
//
// Errors: [ErrNotFound] for missing rows, [ErrConflict] for unique violations
// (such as a duplicate id), [ErrInvalid] for input the database refuses or a
// malformed cursor. They are wrapped; test them with errors.Is.
package store
