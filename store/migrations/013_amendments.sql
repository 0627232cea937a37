-- Amendments belong to the motion they amend: amends_motion is the id of
-- that motion, resolved from the amendment's "amends" (an id or a
-- reference of the same body) when the amendment is projected, so that a
-- motion lists its amendments with one index scan.
ALTER TABLE motions ADD COLUMN amends_motion text;
CREATE INDEX motions_amends ON motions (amends_motion, submitted_at, id) WHERE amends_motion IS NOT NULL;

UPDATE motions a SET amends_motion = t.id
  FROM motions t
 WHERE a.kind = 'amendment' AND a.data->>'amends' <> '' AND t.body_id = a.body_id AND t.id <> a.id
   AND (t.id = btrim(a.data->>'amends') OR (t.reference <> '' AND upper(t.reference) = upper(btrim(a.data->>'amends'))));

---- create above / drop below ----

DROP INDEX motions_amends;
ALTER TABLE motions DROP COLUMN amends_motion;
