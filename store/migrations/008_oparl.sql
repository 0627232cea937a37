-- OParl 1.1: what the read-only endpoint (package oparl) serves and the
-- importer (package importer) writes, beyond the directory and the motions.
--
-- * Soft deletion: OParl objects are never removed, they become tombstones
--   ("deleted": true, a new "modified"), so that clients syncing with
--   modified_since learn of the deletion. The directory tables get a deleted
--   flag; the importer sets it for objects the source system deleted.
-- * Legislative terms and locations, which the directory did not have. A
--   meeting's location text names a location row, kept by a trigger.
-- * The OParl objects derived from a motion's JSON — its consultations and
--   the agenda items they make in meetings — are materialized by a trigger on
--   motions, so that each has its own created/modified (bumped only when it
--   really changes), a stable agenda position, and a tombstone when it
--   disappears (a consultation dropped from the route, a postponed item).
-- * The import mapping: which OParl object (by its id URL) a local row came
--   from, so that re-imports update instead of duplicating.

ALTER TABLE bodies ADD COLUMN deleted boolean NOT NULL DEFAULT false;
ALTER TABLE organizations ADD COLUMN deleted boolean NOT NULL DEFAULT false;
ALTER TABLE persons ADD COLUMN deleted boolean NOT NULL DEFAULT false;
ALTER TABLE memberships ADD COLUMN deleted boolean NOT NULL DEFAULT false;
ALTER TABLE meetings ADD COLUMN deleted boolean NOT NULL DEFAULT false;

-- Keyset order of every OParl list is (body_id, id).
CREATE INDEX memberships_body_id ON memberships (body_id, id);
CREATE INDEX meetings_body_id ON meetings (body_id, id);
CREATE INDEX motions_public_body_id ON motions (body_id, id) WHERE public;
-- The File list walks only the public motions that have attachments.
CREATE INDEX motions_public_attachments ON motions (body_id, id) WHERE public AND (data -> 'attachments') IS NOT NULL;

CREATE TABLE legislative_terms (
    id         text PRIMARY KEY CHECK (id <> ''),
    body_id    text NOT NULL REFERENCES bodies (id),
    name       text NOT NULL DEFAULT '',
    start_date date,
    end_date   date,
    created    timestamptz NOT NULL DEFAULT now(),
    modified   timestamptz NOT NULL DEFAULT now(),
    deleted    boolean NOT NULL DEFAULT false,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX legislative_terms_body_id ON legislative_terms (body_id, id);

CREATE TABLE locations (
    id             text PRIMARY KEY CHECK (id <> ''),
    body_id        text NOT NULL REFERENCES bodies (id),
    description    text NOT NULL DEFAULT '',
    street_address text NOT NULL DEFAULT '',
    room           text NOT NULL DEFAULT '',
    postal_code    text NOT NULL DEFAULT '',
    sub_locality   text NOT NULL DEFAULT '',
    locality       text NOT NULL DEFAULT '',
    created        timestamptz NOT NULL DEFAULT now(),
    modified       timestamptz NOT NULL DEFAULT now(),
    deleted        boolean NOT NULL DEFAULT false
);
CREATE INDEX locations_body_id ON locations (body_id, id);

-- The id of the location a meeting's location text names: stable, so that
-- every meeting in the same place shares one Location.
CREATE FUNCTION oparl_location_id(body text, description text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN 'loc-' || substr(md5(body || E'\n' || description), 1, 16);

CREATE FUNCTION oparl_meeting_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.location <> '' THEN
        INSERT INTO locations (id, body_id, description)
        VALUES (oparl_location_id(NEW.body_id, NEW.location), NEW.body_id, NEW.location)
        ON CONFLICT (id) DO UPDATE SET deleted = false, modified = now()
        WHERE locations.deleted;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER meetings_location AFTER INSERT OR UPDATE OF location, body_id ON meetings
    FOR EACH ROW EXECUTE FUNCTION oparl_meeting_location();

INSERT INTO locations (id, body_id, description, created, modified)
SELECT DISTINCT ON (oparl_location_id(body_id, location))
       oparl_location_id(body_id, location), body_id, location, created, modified
FROM meetings WHERE location <> ''
ORDER BY oparl_location_id(body_id, location), created;

-- One row per consultation of a public motion, and one per agenda item: a
-- consultation scheduled in (or dealt with in) a meeting. data is the
-- consultation's JSON as the motion holds it; content what the agenda item
-- shows. modified changes only when these do.
CREATE TABLE oparl_consultations (
    id              text PRIMARY KEY,            -- <motion id>/<consultation id>
    motion_id       text NOT NULL,
    consultation_id text NOT NULL,
    body_id         text NOT NULL,
    pos             integer NOT NULL,            -- position on the motion's route
    organization_id text NOT NULL DEFAULT '',
    meeting_id      text NOT NULL DEFAULT '',    -- '' while not scheduled
    decisive        boolean NOT NULL DEFAULT false,
    data            jsonb NOT NULL,
    created         timestamptz NOT NULL,
    modified        timestamptz NOT NULL,
    deleted         boolean NOT NULL DEFAULT false
);
CREATE INDEX oparl_consultations_body_id ON oparl_consultations (body_id, id);
CREATE INDEX oparl_consultations_motion ON oparl_consultations (motion_id, pos);

CREATE TABLE oparl_agenda_items (
    id              text PRIMARY KEY,            -- <meeting id>/<motion id>/<consultation id>
    meeting_id      text NOT NULL,
    motion_id       text NOT NULL,
    consultation_id text NOT NULL,
    body_id         text NOT NULL,
    -- ord: the position on the meeting's agenda, given once, when the item
    -- first appears, and never changed.
    ord             integer NOT NULL CHECK (ord > 0),
    content         jsonb NOT NULL,
    created         timestamptz NOT NULL,
    modified        timestamptz NOT NULL,
    deleted         boolean NOT NULL DEFAULT false
);
CREATE INDEX oparl_agenda_items_body_id ON oparl_agenda_items (body_id, id);
CREATE INDEX oparl_agenda_items_meeting ON oparl_agenda_items (meeting_id, ord);
CREATE INDEX oparl_agenda_items_motion ON oparl_agenda_items (motion_id);

-- oparl_project_motion keeps both tables in step with the motion row. Times
-- are the motion's updated_at: the workflow's clock, like the motion's own.
CREATE FUNCTION oparl_project_motion() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at    timestamptz := NEW.updated_at;
    steps jsonb := CASE WHEN NEW.public THEN coalesce(NEW.data -> 'consultations', '[]'::jsonb) ELSE '[]'::jsonb END;
    c     jsonb;
    p     bigint;
    cid   text;
    mid   text;
    rec   jsonb;
    item  jsonb;
    key   text;
    n     integer;
BEGIN
    FOR c, p IN SELECT x.value, x.ordinality FROM jsonb_array_elements(steps) WITH ORDINALITY AS x LOOP
        cid := c ->> 'id';
        rec := c -> 'record';
        mid := coalesce(nullif(rec ->> 'meeting_id', ''), nullif(c ->> 'meeting_id', ''), '');
        INSERT INTO oparl_consultations AS o (id, motion_id, consultation_id, body_id, pos, organization_id,
            meeting_id, decisive, data, created, modified)
        VALUES (NEW.id || '/' || cid, NEW.id, cid, NEW.body_id, p, coalesce(c ->> 'organization_id', ''),
            mid, coalesce((c ->> 'decisive')::boolean, false), c, at, at)
        ON CONFLICT (id) DO UPDATE SET
            pos = excluded.pos, organization_id = excluded.organization_id, meeting_id = excluded.meeting_id,
            decisive = excluded.decisive, data = excluded.data, deleted = false,
            modified = CASE WHEN o.deleted OR o.data IS DISTINCT FROM excluded.data THEN excluded.modified ELSE o.modified END
        WHERE o.deleted OR o.data IS DISTINCT FROM excluded.data OR o.pos <> excluded.pos;

        IF mid <> '' THEN
            key := mid || '/' || NEW.id || '/' || cid;
            item := jsonb_strip_nulls(jsonb_build_object(
                'name', NEW.title,
                'reference', nullif(NEW.reference, ''),
                'result', CASE WHEN rec ->> 'meeting_id' = mid THEN rec ->> 'result' END,
                'note', CASE WHEN rec ->> 'meeting_id' = mid THEN nullif(rec ->> 'note', '') END));
            PERFORM 1 FROM oparl_agenda_items WHERE id = key;
            IF FOUND THEN
                UPDATE oparl_agenda_items SET content = item, deleted = false, modified = at
                WHERE id = key AND (deleted OR content IS DISTINCT FROM item);
            ELSE
                -- Serialize the numbering of one meeting's agenda.
                PERFORM pg_advisory_xact_lock(hashtext('oparl_agenda_items:' || mid));
                SELECT coalesce(max(ord), 0) + 1 INTO n FROM oparl_agenda_items WHERE meeting_id = mid;
                INSERT INTO oparl_agenda_items (id, meeting_id, motion_id, consultation_id, body_id, ord, content, created, modified)
                VALUES (key, mid, NEW.id, cid, NEW.body_id, n, item, at, at)
                ON CONFLICT (id) DO NOTHING;
            END IF;
        END IF;
    END LOOP;

    -- Tombstones for what the motion no longer has.
    UPDATE oparl_consultations SET deleted = true, modified = at
    WHERE motion_id = NEW.id AND NOT deleted
      AND consultation_id NOT IN (SELECT x ->> 'id' FROM jsonb_array_elements(steps) AS x);
    UPDATE oparl_agenda_items SET deleted = true, modified = at
    WHERE motion_id = NEW.id AND NOT deleted
      AND id NOT IN (
        SELECT coalesce(nullif(x -> 'record' ->> 'meeting_id', ''), x ->> 'meeting_id') || '/' || NEW.id || '/' || (x ->> 'id')
        FROM jsonb_array_elements(steps) AS x
        WHERE coalesce(nullif(x -> 'record' ->> 'meeting_id', ''), nullif(x ->> 'meeting_id', '')) IS NOT NULL);
    RETURN NULL;
END $$;

CREATE TRIGGER motions_oparl AFTER INSERT OR UPDATE ON motions
    FOR EACH ROW EXECUTE FUNCTION oparl_project_motion();

-- Derive the tables for the motions projected before this migration.
UPDATE motions SET version = version WHERE public;

-- Which OParl object a local row was imported from: re-imports find the row
-- by the object's id URL, so they update it instead of adding a copy.
CREATE TABLE oparl_sources (
    oparl_id text PRIMARY KEY CHECK (oparl_id <> ''),
    kind     text NOT NULL CHECK (kind <> ''),
    local_id text NOT NULL CHECK (local_id <> ''),
    body_id  text NOT NULL DEFAULT '',
    imported timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, local_id)
);

---- create above / drop below ----

DROP TABLE oparl_sources;
DROP TRIGGER motions_oparl ON motions;
DROP FUNCTION oparl_project_motion();
DROP TABLE oparl_agenda_items;
DROP TABLE oparl_consultations;
DROP TRIGGER meetings_location ON meetings;
DROP FUNCTION oparl_meeting_location();
DROP FUNCTION oparl_location_id(text, text);
DROP TABLE locations;
DROP TABLE legislative_terms;
DROP INDEX motions_public_attachments;
DROP INDEX motions_public_body_id;
DROP INDEX meetings_body_id;
DROP INDEX memberships_body_id;
ALTER TABLE meetings DROP COLUMN deleted;
ALTER TABLE memberships DROP COLUMN deleted;
ALTER TABLE persons DROP COLUMN deleted;
ALTER TABLE organizations DROP COLUMN deleted;
ALTER TABLE bodies DROP COLUMN deleted;
