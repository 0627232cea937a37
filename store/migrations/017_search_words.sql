-- The words of the motions' search vectors (issue 17).
--
-- A query word is a prefix ('radverkehr':*, and '~rhekrevdar':* for the
-- compounds that end with it, migration 015), and GIN answers a prefix by
-- collecting the rows of every key that begins with it into one bitmap,
-- with none of the skipping it does between exact keys: two such words
-- together cost 120-150 ms in the index at 1,000,000 motions, the same
-- words exactly 8 ms (docs/BENCHMARKS.md). store.Search therefore turns a
-- prefix into the words of this list that begin with it, when they are few,
-- before it asks the index; the matches are the same, since the list holds
-- every word of every motion's vector.
--
-- The list only grows: a word no motion holds any more matches nothing. It
-- is kept by statement triggers, one insert per statement (a COPY of
-- 50,000 motions included), the words sorted so that two writers wait for
-- each other rather than deadlock; an update adds the words of the rows
-- whose vector changed, which a change of status does not.

CREATE TABLE motion_words (word text COLLATE "C" PRIMARY KEY);

CREATE FUNCTION mf_motion_words_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.motion_words (word)
    SELECT DISTINCT w FROM new_rows n, pg_catalog.unnest(pg_catalog.tsvector_to_array(n.search)) AS w ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION mf_motion_words_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.motion_words (word)
    SELECT DISTINCT w FROM new_rows n JOIN old_rows o ON o.id = n.id, pg_catalog.unnest(pg_catalog.tsvector_to_array(n.search)) AS w
    WHERE n.search IS DISTINCT FROM o.search ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER motion_words_inserted AFTER INSERT ON motions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mf_motion_words_inserted();
CREATE TRIGGER motion_words_updated AFTER UPDATE ON motions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mf_motion_words_updated();

INSERT INTO motion_words (word)
SELECT DISTINCT w FROM motions m, unnest(tsvector_to_array(m.search)) AS w ORDER BY w;

---- create above / drop below ----

DROP TRIGGER motion_words_updated ON motions;
DROP TRIGGER motion_words_inserted ON motions;
DROP FUNCTION mf_motion_words_updated();
DROP FUNCTION mf_motion_words_inserted();
DROP TABLE motion_words;
