-- The archive a city brings when it switches to motionflow (issue 17): the
-- papers (Drucksachen) of its former council information system with their
-- consultations, files and the agenda items of its meetings, imported from
-- OParl by package importer. They are not motions: no workflow runs for
-- them, nothing changes them but a re-import. The OParl endpoint publishes
-- them beside the motions, GET /v1/papers searches them.
--
-- Every row keeps where it came from: source_id is the object's OParl id
-- (its URL in the source system), and oparl_sources maps that URL to the
-- row's local id (one local id per OParl id, chosen once). References to
-- other objects are kept as the source's URLs (*_source) and resolved
-- through oparl_sources when read, so that the import order of the lists
-- does not matter. A row is only written when the imported object changed.
--
-- Full text: papers.search covers name (weight A), reference (B), paper
-- type (C) and the text of the paper's files (files_text, D, kept by the
-- importer), with the reversed words of migration 015 (mf_tails), so that the
-- archive finds compounds by their parts as the motions' search does; a
-- query is built by store.tsQuery for both.

CREATE FUNCTION mf_paper_search(name text, reference text, paper_type text, files text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT v || public.mf_tails(v) || public.mf_tails(pg_catalog.to_tsvector('simple'::regconfig,
        coalesce(name, '') || ' ' || coalesce(paper_type, '') || ' ' || pg_catalog.left(coalesce(files, ''), 20000)))
    FROM (SELECT
        setweight(to_tsvector('german'::regconfig, coalesce(name, '')), 'A') ||
        setweight(to_tsvector('german'::regconfig, coalesce(reference, '')), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(paper_type, '')), 'C') ||
        setweight(to_tsvector('german'::regconfig, coalesce(files, '')), 'D') AS v) x
$$;

CREATE TABLE papers (
    id           text PRIMARY KEY CHECK (id <> ''),
    body_id      text NOT NULL REFERENCES bodies (id),
    source_id    text NOT NULL UNIQUE CHECK (source_id <> ''),
    reference    text NOT NULL DEFAULT '',
    name         text NOT NULL DEFAULT '',
    paper_type   text NOT NULL DEFAULT '',
    date         date,
    main_file_id text NOT NULL DEFAULT '',
    -- data is the source's object without its embedded consultations and
    -- files (kept in their own tables): keywords, originators, links.
    data         jsonb NOT NULL DEFAULT '{}',
    files_text   text NOT NULL DEFAULT '',
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now(),
    deleted      boolean NOT NULL DEFAULT false,
    search       tsvector GENERATED ALWAYS AS (mf_paper_search(name, reference, paper_type, files_text)) STORED
);
CREATE INDEX papers_body_id ON papers (body_id, id);
CREATE INDEX papers_search ON papers USING gin (search);
CREATE INDEX papers_reference ON papers (body_id, upper(reference)) WHERE reference <> '';

CREATE TABLE paper_consultations (
    id                   text PRIMARY KEY CHECK (id <> ''),
    paper_id             text NOT NULL REFERENCES papers (id),
    body_id              text NOT NULL REFERENCES bodies (id),
    source_id            text NOT NULL UNIQUE CHECK (source_id <> ''),
    pos                  int NOT NULL DEFAULT 0,
    meeting_source       text NOT NULL DEFAULT '',
    agenda_item_source   text NOT NULL DEFAULT '',
    organization_sources text[] NOT NULL DEFAULT '{}',
    authoritative        boolean,
    role                 text NOT NULL DEFAULT '',
    created              timestamptz NOT NULL DEFAULT now(),
    modified             timestamptz NOT NULL DEFAULT now(),
    deleted              boolean NOT NULL DEFAULT false
);
CREATE INDEX paper_consultations_body_id ON paper_consultations (body_id, id);
CREATE INDEX paper_consultations_paper ON paper_consultations (paper_id, pos);

CREATE TABLE agenda_items (
    id                  text PRIMARY KEY CHECK (id <> ''),
    meeting_id          text NOT NULL REFERENCES meetings (id),
    body_id             text NOT NULL REFERENCES bodies (id),
    source_id           text NOT NULL UNIQUE CHECK (source_id <> ''),
    number              text NOT NULL DEFAULT '',
    ord                 int NOT NULL DEFAULT 0,
    name                text NOT NULL DEFAULT '',
    public              boolean,
    result              text NOT NULL DEFAULT '',
    resolution_text     text NOT NULL DEFAULT '',
    consultation_source text NOT NULL DEFAULT '',
    created             timestamptz NOT NULL DEFAULT now(),
    modified            timestamptz NOT NULL DEFAULT now(),
    deleted             boolean NOT NULL DEFAULT false
);
CREATE INDEX agenda_items_body_id ON agenda_items (body_id, id);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, ord);

-- A file's content is not copied: access_url and download_url lead to the
-- source system. text is the text the source extracted, when it gave one.
CREATE TABLE paper_files (
    id           text PRIMARY KEY CHECK (id <> ''),
    paper_id     text NOT NULL REFERENCES papers (id),
    body_id      text NOT NULL REFERENCES bodies (id),
    source_id    text NOT NULL UNIQUE CHECK (source_id <> ''),
    pos          int NOT NULL DEFAULT 0,
    name         text NOT NULL DEFAULT '',
    file_name    text NOT NULL DEFAULT '',
    mime_type    text NOT NULL DEFAULT '',
    date         date,
    size         bigint,
    access_url   text NOT NULL CHECK (access_url <> ''),
    download_url text NOT NULL DEFAULT '',
    text         text NOT NULL DEFAULT '',
    created      timestamptz NOT NULL DEFAULT now(),
    modified     timestamptz NOT NULL DEFAULT now(),
    deleted      boolean NOT NULL DEFAULT false
);
CREATE INDEX paper_files_body_id ON paper_files (body_id, id);
CREATE INDEX paper_files_paper ON paper_files (paper_id, pos);

---- create above / drop below ----

DROP TABLE paper_files;
DROP TABLE agenda_items;
DROP TABLE paper_consultations;
DROP TABLE papers;
DROP FUNCTION mf_paper_search(text, text, text, text);
