-- Watches mail only confirmed addresses. Anyone could name any e-mail address
-- in a watch and have motionflow mail it. Now an address reaches a user's
-- watches by e-mail only once it is confirmed for that user: because the
-- identity provider vouches for it (the token's verified email claim), or
-- because its owner opened the single-use link of a confirmation mail.

-- The addresses a user (OIDC subject) may have watches mailed to; email is
-- lower case.
CREATE TABLE watch_addresses (
    subject   text NOT NULL CHECK (subject <> ''),
    email     text NOT NULL CHECK (email <> '' AND email = lower(email)),
    confirmed timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, email)
);

-- The pending confirmation of an address: at most one per (subject, email).
-- Only a SHA-256 hash of the token in the link is stored; the token is good
-- once, until expires.
CREATE TABLE watch_confirmations (
    subject    text NOT NULL CHECK (subject <> ''),
    email      text NOT NULL CHECK (email <> '' AND email = lower(email)),
    token_hash bytea NOT NULL UNIQUE,
    created    timestamptz NOT NULL DEFAULT now(),
    expires    timestamptz NOT NULL,
    PRIMARY KEY (subject, email)
);

-- Watches made before this migration named their addresses unconfirmed, so
-- none of them is confirmed now (their owners confirm by setting the watch
-- again). What was queued for a digest to such an address is not sent.
UPDATE reminders SET status = 'failed', last_error = 'Adresse nicht bestätigt'
WHERE status = 'queued' AND channel = 'email' AND audience = 'watchers' AND digest_id IS NULL;

---- create above / drop below ----

DROP TABLE watch_confirmations;
DROP TABLE watch_addresses;
