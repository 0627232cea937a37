-- Deadlines and reminders: the bodies' versioned deadline rules, where
-- reminders go (notification targets per audience, users watching motions),
-- the log of every reminder delivered or queued, iCalendar feed tokens, and
-- the motions' current deadlines as a read model.

-- Deadline rules are data, one row per version: a computed deadline names the
-- version that produced it, so old versions are kept.
CREATE TABLE deadline_rules (
    body_id text NOT NULL REFERENCES bodies (id),
    version integer NOT NULL CHECK (version > 0),
    rules   jsonb NOT NULL,
    created timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (body_id, version)
);

-- Where the reminders of an audience ("council_office", "faction:<org>",
-- "department:<org>", "administration") of a body go: an e-mail address or a
-- webhook URL with its signing secret.
CREATE TABLE notification_targets (
    id       text PRIMARY KEY CHECK (id <> ''),
    body_id  text NOT NULL REFERENCES bodies (id),
    audience text NOT NULL CHECK (audience <> ''),
    channel  text NOT NULL CHECK (channel IN ('email', 'webhook')),
    address  text NOT NULL CHECK (address <> ''),
    secret   text NOT NULL DEFAULT '',
    created  timestamptz NOT NULL DEFAULT now(),
    CHECK (channel <> 'webhook' OR secret <> ''),
    UNIQUE (body_id, audience, channel, address)
);

-- A user watching a motion, with the channels chosen; digest: e-mails are
-- queued for a daily digest instead of sent at once.
CREATE TABLE watches (
    motion_id text NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
    subject   text NOT NULL CHECK (subject <> ''),
    name      text NOT NULL DEFAULT '',
    email     text NOT NULL DEFAULT '',
    channels  text[] NOT NULL DEFAULT '{}' CHECK (channels <@ ARRAY['email', 'inapp']::text[]),
    digest    boolean NOT NULL DEFAULT false,
    created   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (motion_id, subject),
    CHECK (NOT channels @> ARRAY['email']::text[] OR email <> '')
);
CREATE INDEX watches_subject ON watches (subject, created);

-- Every reminder to every recipient: one row per (motion, reminder, recipient),
-- which is what makes a delivery happen at most once across retries. A row is
-- claimed (lease_until) while it is being sent, so that two attempts running
-- at once cannot both send it.
CREATE TABLE reminders (
    motion_id     text NOT NULL CHECK (motion_id <> ''),
    reminder_key  text NOT NULL CHECK (reminder_key <> ''),
    recipient     text NOT NULL CHECK (recipient <> ''),
    channel       text NOT NULL CHECK (channel IN ('email', 'webhook', 'inapp')),
    audience      text NOT NULL DEFAULT '',
    body_id       text NOT NULL DEFAULT '',
    deadline_key  text NOT NULL,
    deadline_kind text NOT NULL,
    due           timestamptz NOT NULL,
    at            timestamptz NOT NULL,
    escalation    boolean NOT NULL DEFAULT false,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'queued', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    lease_until   timestamptz,
    sent_at       timestamptz,
    last_error    text NOT NULL DEFAULT '',
    payload       jsonb,
    created       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reminders_delivery UNIQUE (motion_id, reminder_key, recipient)
);
CREATE INDEX reminders_audience_due ON reminders (audience, due) WHERE channel = 'inapp';
CREATE INDEX reminders_recipient_due ON reminders (recipient, due);
CREATE INDEX reminders_queued ON reminders (recipient, at) WHERE status = 'queued';

-- iCalendar feed tokens: only a SHA-256 hash of the token is stored.
CREATE TABLE feed_tokens (
    token_hash bytea PRIMARY KEY,
    id         text NOT NULL UNIQUE CHECK (id <> ''),
    kind       text NOT NULL CHECK (kind IN ('user', 'faction')),
    owner      text NOT NULL CHECK (owner <> ''),
    body_id    text NOT NULL REFERENCES bodies (id),
    audiences  text[] NOT NULL DEFAULT '{}',
    created    timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX feed_tokens_owner ON feed_tokens (kind, owner, created);

-- The current deadlines of each motion, replaced whenever the workflow
-- recomputes them.
CREATE TABLE motion_deadlines (
    motion_id    text NOT NULL CHECK (motion_id <> ''),
    key          text NOT NULL CHECK (key <> ''),
    kind         text NOT NULL,
    due          timestamptz NOT NULL,
    rule         text NOT NULL DEFAULT '',
    rule_version integer NOT NULL DEFAULT 0,
    meeting_id   text NOT NULL DEFAULT '',
    audiences    text[] NOT NULL DEFAULT '{}',
    informed     text[] NOT NULL DEFAULT '{}',
    body_id      text NOT NULL,
    faction      text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    PRIMARY KEY (motion_id, key)
);
-- Keyset order of every deadline list is (due, motion_id, key).
CREATE INDEX motion_deadlines_due ON motion_deadlines (due, motion_id, key);
CREATE INDEX motion_deadlines_body_due ON motion_deadlines (body_id, due);
CREATE INDEX motion_deadlines_audiences ON motion_deadlines USING gin (audiences);
CREATE INDEX motion_deadlines_informed ON motion_deadlines USING gin (informed);
CREATE INDEX motion_deadlines_meeting ON motion_deadlines (meeting_id) WHERE meeting_id <> '';

---- create above / drop below ----

DROP TABLE motion_deadlines;
DROP TABLE feed_tokens;
DROP TABLE reminders;
DROP TABLE watches;
DROP TABLE notification_targets;
DROP TABLE deadline_rules;
