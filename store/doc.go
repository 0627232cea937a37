// Package store is motionflow's PostgreSQL read model: the directory of bodies,
// organizations, persons and meetings, the projected motions with their audit
// trail, and the gapless reference numbers.
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
//   - The schema is embedded and migrated with tern under an advisory lock
//     ([Migrate]); several processes may migrate at start-up at once.
//
// Errors: [ErrNotFound] for missing rows, [ErrConflict] for unique violations
// (such as a duplicate id), [ErrInvalid] for input the database refuses or a
// malformed cursor. They are wrapped; test them with errors.Is.
package store
