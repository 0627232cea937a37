-- Attachments of motions: PDF and office documents, stored in the database
-- with their SHA-256 checksum. A row names the motion it was filed with; the
-- motion's content links it by URL (/anhaenge/<id>). Whoever may see the
-- motion may read the attachment; nobody else learns that it exists.
-- motion_id is not a foreign key: a new draft's attachment is stored just
-- before the draft itself is created (and projected) by its workflow.

CREATE TABLE attachments (
    id           text PRIMARY KEY CHECK (id <> ''),
    motion_id    text NOT NULL CHECK (motion_id <> ''),
    body_id      text NOT NULL REFERENCES bodies (id),
    name         text NOT NULL CHECK (name <> '' AND char_length(name) <= 255),
    content_type text NOT NULL CHECK (content_type <> ''),
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    data         bytea NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    created      timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(data) = size),
    -- Uploading the same file under the same name again (a resubmitted form)
    -- finds the stored row instead of adding a copy.
    UNIQUE (motion_id, sha256, name)
);
CREATE INDEX attachments_motion ON attachments (motion_id, created);

---- create above / drop below ----

DROP TABLE attachments;
