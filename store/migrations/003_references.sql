-- Reference numbers ("A762/2019"): one counter row per body and year, locked by
-- the upsert that increments it, and one assignment row per motion, written in
-- the same transaction. A rolled-back assignment rolls back its increment, so
-- the sequence has no gaps; the motion_id key makes assignment idempotent.

CREATE TABLE reference_counters (
    body_id text NOT NULL REFERENCES bodies (id),
    year    integer NOT NULL CHECK (year BETWEEN 1 AND 9999),
    last    integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (body_id, year)
);

CREATE TABLE reference_numbers (
    motion_id   text PRIMARY KEY CHECK (motion_id <> ''),
    body_id     text NOT NULL,
    year        integer NOT NULL,
    seq         integer NOT NULL CHECK (seq > 0),
    reference   text NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (body_id, year, seq),
    FOREIGN KEY (body_id, year) REFERENCES reference_counters (body_id, year)
);

---- create above / drop below ----

DROP TABLE reference_numbers;
DROP TABLE reference_counters;
