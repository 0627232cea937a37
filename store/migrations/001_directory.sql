-- The directory: bodies (tenants), organizations, persons, memberships and meetings.
-- Names follow OParl. Every row belongs to one body; composite foreign keys keep
-- memberships and meetings inside the body of their organization.

CREATE TABLE bodies (
    id               text PRIMARY KEY CHECK (id <> ''),
    name             text NOT NULL CHECK (name <> ''),
    short_name       text NOT NULL DEFAULT '',
    reference_prefix text NOT NULL DEFAULT 'A',
    created          timestamptz NOT NULL DEFAULT now(),
    modified         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
    id         text PRIMARY KEY CHECK (id <> ''),
    body_id    text NOT NULL REFERENCES bodies (id),
    kind       text NOT NULL CHECK (kind IN ('council', 'committee', 'district_council', 'faction', 'department')),
    name       text NOT NULL CHECK (name <> ''),
    short_name text NOT NULL DEFAULT '',
    created    timestamptz NOT NULL DEFAULT now(),
    modified   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (body_id, id)
);
CREATE INDEX organizations_body_kind ON organizations (body_id, kind, name);

CREATE TABLE persons (
    id          text PRIMARY KEY CHECK (id <> ''),
    body_id     text NOT NULL REFERENCES bodies (id),
    name        text NOT NULL CHECK (name <> ''),
    given_name  text NOT NULL DEFAULT '',
    family_name text NOT NULL DEFAULT '',
    created     timestamptz NOT NULL DEFAULT now(),
    modified    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (body_id, id)
);
CREATE INDEX persons_body_name ON persons (body_id, family_name, given_name);

CREATE TABLE memberships (
    id              text PRIMARY KEY CHECK (id <> ''),
    body_id         text NOT NULL,
    person_id       text NOT NULL,
    organization_id text NOT NULL,
    role            text NOT NULL DEFAULT '',
    start_date      timestamptz,
    end_date        timestamptz,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (body_id, person_id) REFERENCES persons (body_id, id) ON DELETE CASCADE,
    FOREIGN KEY (body_id, organization_id) REFERENCES organizations (body_id, id) ON DELETE CASCADE,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX memberships_organization ON memberships (organization_id);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE meetings (
    id              text PRIMARY KEY CHECK (id <> ''),
    body_id         text NOT NULL REFERENCES bodies (id),
    organization_id text,
    name            text NOT NULL DEFAULT '',
    location        text NOT NULL DEFAULT '',
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz,
    cancelled       boolean NOT NULL DEFAULT false,
    created         timestamptz NOT NULL DEFAULT now(),
    modified        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (body_id, organization_id) REFERENCES organizations (body_id, id),
    CHECK (ends_at IS NULL OR ends_at >= starts_at)
);
-- Keyset order of every meeting list is (starts_at, id).
CREATE INDEX meetings_start ON meetings (starts_at, id);
CREATE INDEX meetings_body_start ON meetings (body_id, starts_at, id);
CREATE INDEX meetings_organization_start ON meetings (organization_id, starts_at, id);

---- create above / drop below ----

DROP TABLE meetings;
DROP TABLE memberships;
DROP TABLE persons;
DROP TABLE organizations;
DROP TABLE bodies;
