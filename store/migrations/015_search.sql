-- Search that finds German words the way council staff type them (issue 17).
--
-- German builds words by compounding: "Neckarufer", "Schuldnerberatung".
-- The german configuration stems whole words, so "neckar" did not find
-- "Neckarufer" nor "beratung" "Schuldnerberatung". The search vector now
-- holds, beside each stemmed word, the word reversed and marked with "~"
-- (mf_tails): a query word then matches a compound that begins with it (a
-- prefix query on the stem, 'neckar':*) or ends with it (a prefix query on
-- the reversed stem, '~tareb':* for "beratung"). Both are ordinary GIN
-- lookups, so a compound query costs what a word query costs. Parts in the
-- middle of a three-part compound are not found.
--
-- The vector also covers what users expect a search to find: the
-- signatories' names and who handed a paper in (weight C), the
-- administration's statements, answers and reports (C), an amendment's new
-- text (B) and the text extracted from the motion's attachments
-- (files_text, kept by the attachment store; weight D).
--
-- title_search is the title alone: results whose title matches the whole
-- query come first (store.Motions ranks in two tiers, each newest first),
-- which an index answers without computing a rank over every match.

-- mf_tails returns the words of doc of six or more letters reversed and
-- marked with "~", without positions.
CREATE FUNCTION mf_tails(doc tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT pg_catalog.array_to_tsvector(coalesce(pg_catalog.array_agg('~' || pg_catalog.reverse(l)), '{}'))
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(doc)) AS l
    WHERE pg_catalog.length(l) >= 6 AND l ~ '^[[:alpha:]]+$'
$$;

-- mf_words is the German vector of text with its reversed stems and words.
CREATE FUNCTION mf_words(text text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT v || public.mf_tails(v) || public.mf_tails(pg_catalog.to_tsvector('simple'::regconfig, text))
    FROM (SELECT pg_catalog.to_tsvector('german'::regconfig, text) AS v) x
$$;

-- mf_word is one query word as a tsquery: its stem, every word or compound
-- that begins with the stem or ends with the stem or the word as written
-- (stems and words of four letters or more), and, when it is spelled with ae/oe/ue, the same for the spelling
-- with the umlaut ("Buergerbuero" finds "Bürgerbüro"). A word with digits,
-- hyphens or other marks ("A12/2024", "Kita-Plätze") is matched as the
-- german configuration parses it. A stop word is an empty query, which &&
-- and || leave out.
CREATE FUNCTION mf_word(word text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    w text := pg_catalog.lower(word);
    forms text[] := ARRAY[w];
    f text;
    s text;
    t tsquery;
    q tsquery;
BEGIN
    IF w !~ '^[[:alpha:]]+$' THEN
        RETURN pg_catalog.plainto_tsquery('german'::regconfig, word);
    END IF;
    IF w ~ '(ae|oe|ue)' THEN
        forms := forms || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(w, 'ae', 'ä'), 'oe', 'ö'), 'ue', 'ü');
    END IF;
    FOREACH f IN ARRAY forms LOOP
        s := (pg_catalog.ts_lexize('german_stem', f))[1];
        CONTINUE WHEN s IS NULL;
        t := pg_catalog.quote_literal(s)::tsquery;
        IF pg_catalog.length(s) >= 4 THEN
            t := (pg_catalog.quote_literal(s) || ':*')::tsquery;
        END IF;
        IF pg_catalog.length(s) >= 4 THEN
            t := t || (pg_catalog.quote_literal('~' || pg_catalog.reverse(s)) || ':*')::tsquery;
        END IF;
        IF pg_catalog.length(f) >= 4 AND f <> s THEN
            t := t || (pg_catalog.quote_literal('~' || pg_catalog.reverse(f)) || ':*')::tsquery;
        END IF;
        q := CASE WHEN q IS NULL THEN t ELSE q || t END;
    END LOOP;
    RETURN coalesce(q, pg_catalog.plainto_tsquery('german'::regconfig, word));
END
$$;

-- mf_highlight is q for ts_headline: a query word found as the end of a
-- compound matched a reversed word of doc, which ts_headline cannot see, so
-- the compounds of doc it matched are added as words.
CREATE FUNCTION mf_highlight(doc tsvector, q tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN pg_catalog.count(*) = 0 THEN q
           ELSE q || pg_catalog.string_agg(DISTINCT pg_catalog.quote_literal(pg_catalog.reverse(pg_catalog.substr(l, 2))), ' | ')::tsquery END
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(doc)) AS l,
         pg_catalog.regexp_matches(q::text, '''~([^'']+)'':\*', 'g') AS t
    WHERE pg_catalog.starts_with(l, '~' || t[1])
$$;

-- mf_motion_text is the text a search hit's passage is taken from: what
-- mf_motion_search covers besides the title, the attachments' text cut to
-- its first 20,000 characters (ts_headline reads all it is given).
CREATE FUNCTION mf_motion_text(data jsonb, files text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.concat_ws(E'\n',
        (SELECT pg_catalog.string_agg(x #>> '{}', E'\n') FROM pg_catalog.jsonb_path_query(data, '$.resolution_points[*]') x),
        data ->> 'justification',
        (SELECT pg_catalog.string_agg(x #>> '{}', E'\n') FROM pg_catalog.jsonb_path_query(data, '$.changes[*].text') x),
        (SELECT pg_catalog.string_agg(x #>> '{}', ', ') FROM pg_catalog.jsonb_path_query(data, '$.signers[*].name') x),
        data #>> '{originator,paper,submitted_by}',
        (SELECT pg_catalog.string_agg(x #>> '{}', E'\n') FROM pg_catalog.jsonb_path_query(data, '$.statements[*].text') x),
        (SELECT pg_catalog.string_agg(x #>> '{}', E'\n') FROM pg_catalog.jsonb_path_query(data, '$.reports[*].text') x),
        pg_catalog.left(files, 20000))
$$;

-- mf_motion_search is a motion's search vector (see above). The reversed
-- words are taken from the stems and from the words as written: the german
-- stemmer cuts a compound's end differently from the word alone
-- ("Neckarufer" → neckaruf, "Ufer" → ufer), so "Ufer" finds "Neckarufer"
-- by the written word.
CREATE FUNCTION mf_motion_search(title text, reference text, data jsonb, files text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT v || public.mf_tails(v) || public.mf_tails(pg_catalog.to_tsvector('simple'::regconfig,
        coalesce(title, '') || ' ' || public.mf_motion_text(data, files))) FROM (SELECT
        setweight(to_tsvector('german'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data -> 'resolution_points', '[]'::jsonb)), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data ->> 'justification', '')), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data -> 'tags', '[]'::jsonb)), 'B') ||
        setweight(to_tsvector('german'::regconfig, coalesce(reference, '')), 'B') ||
        setweight(to_tsvector('german'::regconfig, jsonb_path_query_array(data, '$.changes[*].text')), 'B') ||
        setweight(to_tsvector('german'::regconfig, jsonb_path_query_array(data, '$.signers[*].name')), 'C') ||
        setweight(to_tsvector('german'::regconfig, coalesce(data #> '{originator,paper,submitted_by}', '""'::jsonb)), 'C') ||
        setweight(to_tsvector('german'::regconfig, jsonb_path_query_array(data, '$.statements[*].text')), 'C') ||
        setweight(to_tsvector('german'::regconfig, jsonb_path_query_array(data, '$.reports[*].text')), 'C') ||
        setweight(to_tsvector('german'::regconfig, coalesce(files, '')), 'D') AS v) x
$$;

ALTER TABLE attachments ADD COLUMN text text NOT NULL DEFAULT '';
ALTER TABLE motions ADD COLUMN files_text text NOT NULL DEFAULT '';
DROP INDEX motions_search;
ALTER TABLE motions DROP COLUMN search;
ALTER TABLE motions ADD COLUMN search tsvector GENERATED ALWAYS AS (mf_motion_search(title, reference, data, files_text)) STORED;
ALTER TABLE motions ADD COLUMN title_search tsvector GENERATED ALWAYS AS (mf_words(title)) STORED;
-- The search vectors stay in the row, the motion's data goes out of it
-- (TOAST) first: a search reads the vectors of many rows and the data of a
-- page's only; a vector moved out of line costs a read of its own per row.
-- (Rows written before this keep their layout until they are projected again.)
ALTER TABLE motions ALTER COLUMN search SET STORAGE MAIN, ALTER COLUMN title_search SET STORAGE MAIN;
CREATE INDEX motions_search ON motions USING gin (search);
CREATE INDEX motions_title_search ON motions USING gin (title_search);

-- A list of a submission period is ordered by submission (store.Motions), so
-- an index walk answers it; a status filter walks its own index.
DROP INDEX motions_submitted;
CREATE INDEX motions_submitted ON motions (submitted_at DESC, id DESC) WHERE submitted_at IS NOT NULL;
CREATE INDEX motions_body_submitted ON motions (body_id, submitted_at DESC, id DESC) WHERE submitted_at IS NOT NULL;
CREATE INDEX motions_status_updated ON motions (status, updated_at DESC, id DESC);

---- create above / drop below ----

DROP INDEX motions_status_updated;
DROP INDEX motions_body_submitted;
DROP INDEX motions_submitted;
CREATE INDEX motions_submitted ON motions (submitted_at) WHERE submitted_at IS NOT NULL;

DROP INDEX motions_title_search;
DROP INDEX motions_search;
ALTER TABLE motions DROP COLUMN title_search;
ALTER TABLE motions DROP COLUMN search;
ALTER TABLE motions DROP COLUMN files_text;
ALTER TABLE attachments DROP COLUMN text;
ALTER TABLE motions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('german'::regconfig, title), 'A') ||
    setweight(to_tsvector('german'::regconfig, coalesce(data -> 'resolution_points', '[]'::jsonb)), 'B') ||
    setweight(to_tsvector('german'::regconfig, coalesce(data ->> 'justification', '')), 'B') ||
    setweight(to_tsvector('german'::regconfig, coalesce(data -> 'tags', '[]'::jsonb)), 'B') ||
    setweight(to_tsvector('german'::regconfig, reference), 'B')
) STORED;
CREATE INDEX motions_search ON motions USING gin (search);
DROP FUNCTION mf_motion_text(jsonb, text);
DROP FUNCTION mf_highlight(tsvector, tsquery);
DROP FUNCTION mf_word(text);
DROP FUNCTION mf_motion_search(text, text, jsonb, text);
DROP FUNCTION mf_words(text);
DROP FUNCTION mf_tails(tsvector);
