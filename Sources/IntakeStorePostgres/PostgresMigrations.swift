/// The PostgreSQL store's schema: the tables of the SQLite store (`Migrations`) that
/// admission and the outbox need, in PostgreSQL's types, and what several gateways share
/// besides. Append-only like the SQLite migrations: a shipped migration is never edited, a
/// change is a new one with a new name. Invariants are constraints.
enum PostgresMigrations {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// Every gateway takes this transaction-scoped advisory lock before it looks at
    /// `schema_migrations`: the first one applies what is missing, the others wait and then
    /// find it applied. ("intake" in ASCII.)
    static let lockKey: Int64 = 0x69_6e_74_61_6b_65

    static let schemaMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now(),
            applied_by text NOT NULL
        )
        """

    static let all: [Migration] = [
        Migration(name: "2026-12-06 foundation", statements: [
            // Every input exactly as it arrived, content-addressed, its bytes in chunks of
            // `chunk_size` (no row holds a whole hotline export; a reader streams them).
            """
            CREATE TABLE raw_input (
                sha256 text PRIMARY KEY,
                channel text NOT NULL,
                source text NOT NULL,
                media_type text NOT NULL,
                size bigint NOT NULL CHECK (size >= 0),
                chunk_size integer NOT NULL CHECK (chunk_size > 0),
                received_at timestamptz NOT NULL,
                retired_at timestamptz
            )
            """,
            """
            CREATE TABLE raw_chunk (
                sha256 text NOT NULL REFERENCES raw_input (sha256) ON DELETE CASCADE,
                n integer NOT NULL CHECK (n >= 0),
                bytes bytea NOT NULL,
                PRIMARY KEY (sha256, n)
            )
            """,
            // `document` is text, not jsonb: the bytes forwarded are the bytes stored.
            """
            CREATE TABLE intake_case (
                id text PRIMARY KEY,
                channel text NOT NULL,
                source text NOT NULL,
                ref text NOT NULL,
                raw_sha256 text NOT NULL REFERENCES raw_input (sha256),
                received_at timestamptz NOT NULL,
                document text NOT NULL
            )
            """,
            // Idempotent intake is this UNIQUE constraint, across every gateway. The ledger
            // row is written before its case (it decides whether there is one), so the
            // foreign key is checked at commit.
            """
            CREATE TABLE intake_ledger (
                id bigserial PRIMARY KEY,
                channel text NOT NULL,
                source text NOT NULL,
                ref text NOT NULL,
                raw_sha256 text NOT NULL REFERENCES raw_input (sha256),
                case_id text REFERENCES intake_case (id) DEFERRABLE INITIALLY DEFERRED,
                received_at timestamptz NOT NULL,
                content_sha256 text,
                node text NOT NULL,
                UNIQUE (ref, source, channel)
            )
            """,
            """
            CREATE TABLE ledger_content (
                channel text NOT NULL,
                source text NOT NULL,
                ref text NOT NULL,
                content_sha256 text NOT NULL,
                PRIMARY KEY (ref, source, channel, content_sha256)
            )
            """,
            """
            CREATE TABLE idempotency_key (
                channel text NOT NULL,
                source text NOT NULL,
                key text NOT NULL,
                request_sha256 text NOT NULL,
                status integer NOT NULL,
                response bytea NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (channel, source, key)
            )
            """,
            "CREATE INDEX idempotency_key_created ON idempotency_key (created_at)",
            // The outbox every gateway's forwarder drains. A claim (claimed_by, claim_token,
            // claim_expires_at) is a lease: a gateway that dies holding one gives its events
            // back when it expires.
            """
            CREATE TABLE outbox (
                id bigserial PRIMARY KEY,
                case_id text NOT NULL REFERENCES intake_case (id),
                event text NOT NULL,
                idempotency_key text NOT NULL UNIQUE,
                payload bytea,
                emitted_at text,
                state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                queued_at timestamptz NOT NULL,
                next_attempt_at timestamptz NOT NULL,
                last_error text,
                finished_at timestamptz,
                replayed_at timestamptz,
                claimed_by text,
                claim_token uuid,
                claim_expires_at timestamptz,
                CHECK (payload IS NOT NULL OR emitted_at IS NOT NULL)
            )
            """,
            "CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending'",
            "CREATE INDEX outbox_case ON outbox (case_id, id)",
            "CREATE INDEX outbox_dead ON outbox (finished_at) WHERE state = 'dead'",
            "CREATE INDEX outbox_delivered ON outbox (finished_at) WHERE state = 'delivered'",
            // Every step of every input and case, and the gateway that took it.
            """
            CREATE TABLE trace (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL,
                step text NOT NULL,
                channel text,
                source text,
                ref text,
                case_id text,
                raw_sha256 text,
                actor text,
                detail text,
                node text NOT NULL
            )
            """,
            "CREATE INDEX trace_case ON trace (case_id) WHERE case_id IS NOT NULL",
            "CREATE INDEX trace_ref ON trace (ref) WHERE case_id IS NULL AND ref IS NOT NULL",
            // The dedup index is the table itself, read by every gateway: there is no
            // in-memory index that another gateway's cases would be missing from. Candidates
            // share an identity key or an LSH band (GIN indexes) within the window (`at`).
            """
            CREATE TABLE dedup_case (
                seq bigserial PRIMARY KEY,
                case_id text NOT NULL UNIQUE REFERENCES intake_case (id),
                at timestamptz NOT NULL,
                category text,
                keys text[] NOT NULL,
                bands bigint[] NOT NULL,
                signature bytea NOT NULL
            )
            """,
            "CREATE INDEX dedup_case_keys ON dedup_case USING gin (keys)",
            "CREATE INDEX dedup_case_bands ON dedup_case USING gin (bands)",
            "CREATE INDEX dedup_case_at ON dedup_case (at)",
            """
            CREATE TABLE attachment_ref (
                sha256 text NOT NULL,
                case_id text NOT NULL REFERENCES intake_case (id),
                PRIMARY KEY (sha256, case_id)
            )
            """,
            // The gateways that share this database, for `intake status`.
            """
            CREATE TABLE gateway (
                node text PRIMARY KEY,
                started_at timestamptz NOT NULL,
                last_seen_at timestamptz NOT NULL
            )
            """,
        ]),
        Migration(name: "2026-12-06 mailbox leases", statements: [
            // Each mailbox is polled by one gateway at a time: the holder renews its lease at
            // every poll; when it stops (it died), another takes the mailbox once it expires.
            """
            CREATE TABLE mailbox_lease (
                source text NOT NULL,
                mailbox text NOT NULL,
                holder text NOT NULL,
                acquired_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                PRIMARY KEY (source, mailbox)
            )
            """,
        ]),
        Migration(name: "2026-12-06 mailbox checkpoints", statements: [
            // Per mailbox: the UIDVALIDITY seen and the last UID whose message is committed,
            // advanced in the transaction of the message's case, and only by the lease's holder.
            """
            CREATE TABLE mailbox_checkpoint (
                source text NOT NULL,
                mailbox text NOT NULL,
                uid_validity bigint NOT NULL,
                last_uid bigint NOT NULL,
                updated_at timestamptz NOT NULL,
                node text NOT NULL,
                PRIMARY KEY (source, mailbox)
            )
            """,
        ]),
    ]
}
