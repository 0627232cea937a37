-- Notes on motions: comments beside the process, kept apart from the
-- motion's state and audit trail so that what is internal never reaches
-- the motion's public history (motion.NoteVisibility decides who reads):
--   sponsors  the motion's sponsors among themselves,
--   internal  between the council office and the administration,
--   public    a public comment, shown once the council office approved it
--             (moderation: approved_at or rejected_at), where the body
--             takes public comments (bodies.public_comments).
CREATE TABLE motion_notes (
    id             text PRIMARY KEY CHECK (id <> ''),
    motion_id      text NOT NULL CHECK (motion_id <> ''),
    body_id        text NOT NULL,
    visibility     text NOT NULL CHECK (visibility IN ('sponsors', 'internal', 'public')),
    text           text NOT NULL CHECK (text <> ''),
    author_subject text NOT NULL DEFAULT '',
    author_name    text NOT NULL DEFAULT '',
    author_role    text NOT NULL DEFAULT '',
    created        timestamptz NOT NULL DEFAULT now(),
    moderated_at   timestamptz,
    moderated_by   text NOT NULL DEFAULT '',
    approved       boolean
);
CREATE INDEX motion_notes_motion ON motion_notes (motion_id, created, id);
CREATE INDEX motion_notes_waiting ON motion_notes (body_id, created) WHERE visibility = 'public' AND moderated_at IS NULL;

ALTER TABLE bodies ADD COLUMN public_comments boolean NOT NULL DEFAULT false;

---- create above / drop below ----

ALTER TABLE bodies DROP COLUMN public_comments;
DROP TABLE motion_notes;
