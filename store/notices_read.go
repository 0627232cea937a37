package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/motionflow/motionflow/motion"
)

// InboxRecipients are the recipients whose inbox entries the actor reads
// (InboxFilter.Recipients, MarkRead): its own ("user:<subject>") and the
// shared inbox of each of its audiences, the same audiences its worklist
// shows deadlines of (motion.Actor.Audiences): a faction's staff read
// "audience:faction:<org>". None for the anonymous public.
func InboxRecipients(a motion.Actor) []string {
	if a.Anonymous() {
		return []string{}
	}
	out := []string{UserRecipient(a.Subject)}
	for _, aud := range a.Audiences() {
		out = append(out, AudienceRecipient(aud))
	}
	return out
}

// NotificationTarget is the body's target with id (with its secret, for
// sending to it); ErrNotFound if the body has none such.
func (s *Store) NotificationTarget(ctx context.Context, bodyID, id string) (NotificationTarget, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+targetColumns+` FROM notification_targets WHERE body_id = $1 AND id = $2`, bodyID, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[NotificationTarget])
	if err != nil {
		return NotificationTarget{}, fmt.Errorf("store: notification target: %w", mapErr(err))
	}
	return t, nil
}
