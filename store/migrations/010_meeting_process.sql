-- The meeting becomes a process of its own (MeetingWorkflow): its status,
-- agenda, attendance, results and minutes are the workflow's state, projected
-- here like a motion's. Meetings that never had a workflow stay "planned"
-- with an empty state until their first command starts one.

-- status: planned, convened, in_session, held, minutes_approved, published,
-- cancelled (a cancelled meeting also keeps cancelled = true).
ALTER TABLE meetings ADD COLUMN status text NOT NULL DEFAULT 'planned';
-- invitation_published_at: when the invitation with the agenda was
-- published; from then on the agenda counts as published (§ 34 GemO BW).
ALTER TABLE meetings ADD COLUMN invitation_published_at timestamptz;
-- state: the workflow's meeting.Meeting as JSON; version its version, so an
-- older projection never overwrites a newer one.
ALTER TABLE meetings ADD COLUMN state jsonb;
ALTER TABLE meetings ADD COLUMN version bigint NOT NULL DEFAULT 0;
UPDATE meetings SET status = 'cancelled' WHERE cancelled;

-- The documents of a meeting (invitation with its agenda, minutes), generated
-- when the invitation or the minutes are published, and served as OParl
-- Files. One row per meeting and kind; a new version of the document
-- replaces the old.
CREATE TABLE meeting_files (
    meeting_id   text NOT NULL REFERENCES meetings (id),
    kind         text NOT NULL CHECK (kind IN ('invitation', 'minutes')),
    name         text NOT NULL,
    content_type text NOT NULL DEFAULT 'application/pdf',
    content      bytea NOT NULL,
    sha256       text NOT NULL,
    created      timestamptz NOT NULL,
    modified     timestamptz NOT NULL,
    PRIMARY KEY (meeting_id, kind)
);

-- A person's e-mail address, where the invitation to the meetings of their
-- organizations goes ('' when unknown; OParl Person.email).
ALTER TABLE persons ADD COLUMN email text NOT NULL DEFAULT '';

-- The audit trail of a meeting: one row per transition, keyed by meeting
-- and version, written with the state in one transaction.
CREATE TABLE meeting_events (
    meeting_id text NOT NULL REFERENCES meetings (id),
    version    bigint NOT NULL CHECK (version > 0),
    command    text NOT NULL,
    at         timestamptz NOT NULL,
    actor      jsonb NOT NULL,
    status     text NOT NULL,
    summary    text NOT NULL,
    data       jsonb,
    PRIMARY KEY (meeting_id, version)
);

---- create above / drop below ----

DROP TABLE meeting_events;
DROP TABLE meeting_files;
ALTER TABLE persons DROP COLUMN email;
ALTER TABLE meetings DROP COLUMN version;
ALTER TABLE meetings DROP COLUMN state;
ALTER TABLE meetings DROP COLUMN invitation_published_at;
ALTER TABLE meetings DROP COLUMN status;
