-- The text a search hit's passage is taken from, stored (issue 17).
--
-- store.Search marks the matched words of each hit's text with ts_headline,
-- and the text was mf_motion_text(data, NULL), computed for every hit of a
-- page: seven reads of the motion's data (each a fetch and decompression of
-- its TOAST value) and five JSON path queries, 2.0 of the 4.4 ms a page of
-- 50 hits spent on its passages at 100,000 motions (docs/BENCHMARKS.md).
-- Stored, the passage is read as one value. The attachments' text stays in
-- files_text: a passage is taken from it only when the motion's own text
-- holds no match.
--
-- Adding the column rewrites the table (12 s for 100,000 motions here).

ALTER TABLE motions ADD COLUMN passage text GENERATED ALWAYS AS (mf_motion_text(data, NULL)) STORED;

---- create above / drop below ----

ALTER TABLE motions DROP COLUMN passage;
