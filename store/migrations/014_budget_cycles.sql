-- Budget deliberations (Haushaltsberatungen): the budget of one or more
-- years, the deadline for budget motions and the meetings that deliberate
-- it (motion.BudgetCycle). Budget motions name their cycle in
-- motions.budget_cycle by id or by name; the name is unique per body
-- regardless of case and surrounding blanks so that a name finds one cycle.
CREATE TABLE budget_cycles (
    id              text PRIMARY KEY CHECK (id <> ''),
    body_id         text NOT NULL REFERENCES bodies (id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    years           int[] NOT NULL DEFAULT '{}',
    motion_deadline timestamptz,
    meeting_ids     text[] NOT NULL DEFAULT '{}',
    -- resolution: the budget resolution (motion.Link) once taken.
    resolution      jsonb,
    created         timestamptz NOT NULL DEFAULT now(),
    updated         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX budget_cycles_name ON budget_cycles (body_id, lower(btrim(name)));
-- The Haushaltsantragsliste finds a cycle's motions by the name or id they give.
CREATE INDEX motions_budget_cycle ON motions (body_id, lower(btrim(budget_cycle))) WHERE budget_cycle <> '';

---- create above / drop below ----

DROP INDEX motions_budget_cycle;
DROP TABLE budget_cycles;
