-- The case-routing queue that intake's `postgres` sink fills (SPEC §5).
--
-- intake creates this table itself, if it is absent, before its first insert, unless
-- `create_table: false` is configured; then run this file once as the table's owner.
-- The table name is configurable (`table:`, default routing_queue); the sink gives the
-- indexes the names below with the table name in place of `routing_queue`.
--
-- One row per case event. intake inserts every event of a forwarder round in one
-- statement (one transaction) with ON CONFLICT (idempotency_key) DO NOTHING, so a retried
-- or replayed event never adds a second row: the queue holds each event exactly once.
--
--   id               insertion order; consumers take rows in this order
--   idempotency_key  `<case id>.<event>` (for example `01a2…f746.created`), stable across retries
--   event            `case.created`, later `case.duplicate`, `case.followup`, `case.updated`
--   case_id          the canonical case's UUID
--   payload          the whole event envelope {"event", "idempotency_key", "emitted_at", "case"}
--   enqueued_at      when intake inserted the row
--   taken_at         when a consumer took the row (NULL: waiting)
--   taken_by         which consumer took it

CREATE TABLE IF NOT EXISTS routing_queue (
    id              bigserial   PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE,
    event           text        NOT NULL,
    case_id         text        NOT NULL,
    payload         jsonb       NOT NULL,
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    taken_at        timestamptz,
    taken_by        text
);

-- What is waiting, in order: the consumer query below walks this partial index only.
CREATE INDEX IF NOT EXISTS routing_queue_waiting ON routing_queue (id) WHERE taken_at IS NULL;

-- intake's database role needs only this (the CREATE is done once by an owner):
--   GRANT SELECT, INSERT ON routing_queue TO intake;
--   GRANT USAGE ON SEQUENCE routing_queue_id_seq TO intake;
--
-- Consumers (the routing system) take up to 10 waiting rows at a time. Any number of
-- consumers can run this concurrently: SKIP LOCKED makes each skip the rows another one is
-- taking, so no row is ever taken twice, and nobody waits on anybody's lock. $1 names the
-- consumer. Take, dispatch, and commit; a consumer that dies before its COMMIT leaves its
-- rows waiting for the next one.
--
--   WITH next AS (
--       SELECT id FROM routing_queue WHERE taken_at IS NULL ORDER BY id LIMIT 10
--       FOR UPDATE SKIP LOCKED
--   )
--   UPDATE routing_queue q SET taken_at = now(), taken_by = $1
--   FROM next WHERE q.id = next.id
--   RETURNING q.*;
--
-- A case's events arrive in order (intake forwards at most one event per case per round,
-- the next only after the previous one is in this table), and id orders them.
