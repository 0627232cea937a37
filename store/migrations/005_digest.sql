-- The daily digest: the e-mails of watchers who chose the digest are queued
-- in the reminder log (status 'queued') and sent once a day, one e-mail per
-- recipient. A digest claims its rows once, on its first attempt, so that a
-- retried digest mails the same set again (under the same Message-ID) and
-- never takes in rows queued since; it is marked sent with its rows.

CREATE TABLE digests (
    -- id: derived from (run, recipient); the e-mail's Message-ID and
    -- X-Motionflow-Delivery header.
    id          text PRIMARY KEY CHECK (id <> ''),
    recipient   text NOT NULL CHECK (recipient <> ''),
    -- run: the digest run that made it, "2026-03-23" for the daily digest of
    -- that day; at: the run's time, the date the e-mail speaks of.
    run         text NOT NULL CHECK (run <> ''),
    at          timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    items       integer NOT NULL DEFAULT 0,
    attempts    integer NOT NULL DEFAULT 0,
    lease_until timestamptz,
    sent_at     timestamptz,
    last_error  text NOT NULL DEFAULT '',
    created     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run, recipient)
);
CREATE INDEX digests_pending ON digests (recipient, created) WHERE status = 'pending';

-- The digest a queued row was claimed by; NULL while it waits for one.
ALTER TABLE reminders ADD COLUMN digest_id text REFERENCES digests (id);
CREATE INDEX reminders_digest ON reminders (digest_id) WHERE digest_id IS NOT NULL;

---- create above / drop below ----

ALTER TABLE reminders DROP COLUMN digest_id;
DROP TABLE digests;
