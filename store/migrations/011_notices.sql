-- Notices: what the workflows tell people about the steps of motions and
-- meetings (registered, scheduled, decided, …), besides the deadline
-- reminders of 004. One row per event and recipient, which is what makes a
-- notice reach each recipient exactly once across retries and restarts:
--   inapp   an inbox entry of a user ("user:<subject>") or of a faction's
--           shared inbox ("audience:faction:<org>"), with its read mark;
--   email   a mail to "mailto:<address>", claimed while it is sent, or
--           queued (status 'queued') for the daily digest (005) of a
--           watcher who chose it, which claims it (digest_id) and sends it
--           with the recipient's queued reminders;
--   webhook a CloudEvents 1.0 request to "webhook:<url>" of a notification
--           target (target_id), claimed while it is sent: the target's
--           delivery log, from which a delivery can be sent again.
CREATE TABLE notices (
    event_id     text NOT NULL CHECK (event_id <> ''),
    recipient    text NOT NULL CHECK (recipient <> ''),
    channel      text NOT NULL CHECK (channel IN ('email', 'webhook', 'inapp')),
    audience     text NOT NULL DEFAULT '',
    body_id      text NOT NULL,
    subject_kind text NOT NULL CHECK (subject_kind IN ('motion', 'meeting')),
    subject_id   text NOT NULL CHECK (subject_id <> ''),
    type         text NOT NULL CHECK (type <> ''),
    at           timestamptz NOT NULL,
    -- text: the German one-line summary (inbox line, mail subject).
    text         text NOT NULL DEFAULT '',
    link         text NOT NULL DEFAULT '',
    target_id    text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'queued', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    lease_until  timestamptz,
    sent_at      timestamptz,
    last_error   text NOT NULL DEFAULT '',
    read_at      timestamptz,
    payload      jsonb,
    -- digest_id: the digest a queued e-mail was claimed by; NULL while it
    -- waits for one.
    digest_id    text REFERENCES digests (id),
    created      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, recipient)
);
CREATE INDEX notices_inbox ON notices (recipient, at DESC, event_id) WHERE channel = 'inapp';
CREATE INDEX notices_target ON notices (target_id, created DESC) WHERE target_id <> '';
CREATE INDEX notices_queued ON notices (recipient) WHERE status = 'queued';
CREATE INDEX notices_digest ON notices (digest_id) WHERE digest_id IS NOT NULL;

-- A user following a keyword or an organization (a committee or a faction):
-- the public steps of every motion with that keyword, or on that
-- organization's route or from that faction, reach the user through the
-- channels chosen, like a watch of one motion (004: watches).
CREATE TABLE subscriptions (
    subject  text NOT NULL CHECK (subject <> ''),
    body_id  text NOT NULL REFERENCES bodies (id),
    kind     text NOT NULL CHECK (kind IN ('keyword', 'organization')),
    value    text NOT NULL CHECK (value <> ''),
    name     text NOT NULL DEFAULT '',
    email    text NOT NULL DEFAULT '',
    channels text[] NOT NULL DEFAULT '{inapp}' CHECK (channels <@ ARRAY['email', 'inapp']::text[]),
    created  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, body_id, kind, value),
    CHECK (NOT channels @> ARRAY['email']::text[] OR email <> '')
);
CREATE INDEX subscriptions_value ON subscriptions (body_id, kind, value);

---- create above / drop below ----

DROP TABLE subscriptions;
DROP TABLE notices;
