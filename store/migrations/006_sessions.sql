-- Browser sessions (package auth/session): the server side of the
-- __Host-motionflow cookie, and the short-lived state of logins in progress.
-- Neither table holds a usable secret of the browser: the session id and the
-- login's state and pre-login cookie are stored as SHA-256 hashes only.

CREATE TABLE sessions (
    -- id_hash: SHA-256 of the session id the cookie carries.
    id_hash   bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    subject   text NOT NULL CHECK (subject <> ''),
    issuer    text NOT NULL CHECK (issuer <> ''),
    name      text NOT NULL DEFAULT '',
    -- actor: the motion.Actor mapped from the ID token's claims at login.
    actor     jsonb NOT NULL,
    created   timestamptz NOT NULL,
    -- last_seen: for the idle timeout; expires: the absolute end.
    last_seen timestamptz NOT NULL,
    expires   timestamptz NOT NULL,
    -- id_token: the raw ID token, for id_token_hint at RP-initiated logout.
    id_token  text NOT NULL DEFAULT '',
    CHECK (expires > created)
);
CREATE INDEX sessions_expires ON sessions (expires);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE INDEX sessions_subject ON sessions (issuer, subject);

-- A login in progress: created by GET /login, taken (deleted) by the callback.
CREATE TABLE login_states (
    -- state_hash: SHA-256 of the OAuth "state" parameter.
    state_hash   bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    -- binding_hash: SHA-256 of the pre-login cookie of the browser that
    -- started the login; the callback must come from the same browser.
    binding_hash bytea NOT NULL CHECK (length(binding_hash) = 32),
    nonce        text NOT NULL CHECK (nonce <> ''),
    verifier     text NOT NULL CHECK (verifier <> ''),
    next         text NOT NULL DEFAULT '/',
    created      timestamptz NOT NULL,
    expires      timestamptz NOT NULL
);
CREATE INDEX login_states_binding ON login_states (binding_hash, created);
CREATE INDEX login_states_expires ON login_states (expires);

---- create above / drop below ----

DROP TABLE login_states;
DROP TABLE sessions;
