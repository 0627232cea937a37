-- The motions read model and the audit trail. The workflow owns every motion;
-- these tables are its projection, written only by the Project activity.

CREATE TABLE motions (
    id           text PRIMARY KEY CHECK (id <> ''),
    body_id      text NOT NULL,
    kind         text NOT NULL,
    status       text NOT NULL,
    version      bigint NOT NULL CHECK (version > 0),
    title        text NOT NULL DEFAULT '',
    faction      text NOT NULL DEFAULT '',
    cosponsors   text[] NOT NULL DEFAULT '{}',
    reference    text NOT NULL DEFAULT '',
    tags         text[] NOT NULL DEFAULT '{}',
    budget_cycle text NOT NULL DEFAULT '',
    meeting_ids  text[] NOT NULL DEFAULT '{}',
    -- public: the motion was submitted; only then may anybody beyond its sponsors see it.
    public       boolean NOT NULL DEFAULT false,
    submitted_at timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    -- outcome: the final result, NULL while undecided.
    outcome      text,
    -- data: the whole motion.Motion as the workflow last projected it.
    data         jsonb NOT NULL,
    -- German full text: the title weighs most; resolution points, justification,
    -- tags and reference come second. to_tsvector(regconfig, jsonb) indexes the
    -- string values of a JSON array and, unlike array_to_string, is immutable.
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german'::regconfig, title), 'A') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data -> 'resolution_points', '[]'::jsonb)), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data ->> 'justification', '')), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data -> 'tags', '[]'::jsonb)), 'B') ||
        setweight(to_tsvector('german'::regconfig, reference), 'B')
    ) STORED
);
-- Keyset order of lists without a search query: (updated_at, id) descending.
CREATE INDEX motions_updated ON motions (updated_at DESC, id DESC);
CREATE INDEX motions_body_updated ON motions (body_id, updated_at DESC, id DESC);
CREATE INDEX motions_body_status ON motions (body_id, status);
CREATE INDEX motions_body_kind ON motions (body_id, kind);
CREATE INDEX motions_faction ON motions (faction);
CREATE INDEX motions_body_reference ON motions (body_id, reference) WHERE reference <> '';
CREATE INDEX motions_submitted ON motions (submitted_at) WHERE submitted_at IS NOT NULL;
CREATE INDEX motions_cosponsors ON motions USING gin (cosponsors);
CREATE INDEX motions_tags ON motions USING gin (tags);
CREATE INDEX motions_meetings ON motions USING gin (meeting_ids);
CREATE INDEX motions_search ON motions USING gin (search);

-- One row per transition; (motion_id, version) makes re-projection a no-op.
CREATE TABLE motion_events (
    motion_id     text NOT NULL REFERENCES motions (id),
    version       bigint NOT NULL CHECK (version > 0),
    body_id       text NOT NULL,
    command       text NOT NULL,
    at            timestamptz NOT NULL,
    actor_issuer  text NOT NULL DEFAULT '',
    actor_subject text NOT NULL DEFAULT '',
    actor_name    text NOT NULL DEFAULT '',
    actor_role    text NOT NULL DEFAULT '',
    status        text NOT NULL,
    reason        text NOT NULL DEFAULT '',
    request_id    text NOT NULL DEFAULT '',
    summary       text NOT NULL DEFAULT '',
    data          jsonb,
    PRIMARY KEY (motion_id, version)
);
CREATE INDEX motion_events_body_at ON motion_events (body_id, at);
CREATE INDEX motion_events_actor ON motion_events (actor_subject, at) WHERE actor_subject <> '';
CREATE INDEX motion_events_request ON motion_events (request_id) WHERE request_id <> '';

---- create above / drop below ----

DROP TABLE motion_events;
DROP TABLE motions;
