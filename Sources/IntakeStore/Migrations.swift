import Foundation
import GRDB
import IntakePipeline

/// The store's schema. Append-only: a shipped migration is never edited, a change is a new
/// migration with a new name. Invariants live in constraints, not in `if`s.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-26 foundation") { db in
            // Every input exactly as it arrived, content-addressed: the same bytes twice are one row.
            try db.execute(sql: """
                CREATE TABLE raw_input (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    received_at REAL NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE TABLE intake_case (
                    id TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    ref TEXT NOT NULL,
                    raw_sha256 TEXT NOT NULL REFERENCES raw_input(sha256),
                    received_at REAL NOT NULL,
                    document TEXT NOT NULL
                );
                -- Idempotent intake is this UNIQUE constraint: one entry per (channel, source, ref).
                CREATE TABLE intake_ledger (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    ref TEXT NOT NULL,
                    raw_sha256 TEXT NOT NULL REFERENCES raw_input(sha256),
                    case_id TEXT REFERENCES intake_case(id),
                    received_at REAL NOT NULL,
                    UNIQUE (ref, source, channel)  -- ref first: `intake trace <ref>` looks up by ref alone
                );
                -- The answer given to a request with an Idempotency-Key, returned again on a repeat.
                CREATE TABLE idempotency_key (
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_sha256 TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    response BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (channel, source, key)
                ) WITHOUT ROWID;
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    case_id TEXT NOT NULL REFERENCES intake_case(id),
                    event TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    payload BLOB NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    queued_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    finished_at REAL
                );
                -- The forwarder reads pending events in id order; delivered ones stay for the trace.
                CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
                CREATE INDEX outbox_case ON outbox (case_id, id);
                -- Every step of every input and case, refusals included.
                CREATE TABLE trace (
                    id INTEGER PRIMARY KEY,
                    at REAL NOT NULL,
                    step TEXT NOT NULL,
                    channel TEXT,
                    source TEXT,
                    ref TEXT,
                    case_id TEXT,
                    raw_sha256 TEXT,
                    actor TEXT,
                    detail TEXT
                );
                CREATE INDEX trace_case ON trace (case_id) WHERE case_id IS NOT NULL;
                -- Refused requests have no case: they are found by their ref or Idempotency-Key.
                CREATE INDEX trace_ref ON trace (ref) WHERE case_id IS NULL AND ref IS NOT NULL;
                """)
        }
        migrator.registerMigration("2026-11-26 dead letters and status") { db in
            try db.execute(sql: """
                CREATE INDEX outbox_dead ON outbox (finished_at) WHERE state = 'dead';
                CREATE INDEX outbox_delivered ON outbox (finished_at) WHERE state = 'delivered';
                -- One row per channel source, upserted with each intake: `intake status` reads it
                -- instead of scanning the ledger.
                CREATE TABLE channel_activity (
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    last_received_at REAL NOT NULL,
                    PRIMARY KEY (channel, source)
                ) WITHOUT ROWID;
                CREATE TABLE sink_activity (
                    sink TEXT PRIMARY KEY NOT NULL,
                    last_delivered_at REAL,
                    last_failed_at REAL,
                    last_error TEXT
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("2026-11-27 hotline files and quarantine") { db in
            try db.execute(sql: """
                -- A large input (a hotline export) keeps its bytes in the blob store, not in a row.
                ALTER TABLE raw_input ADD COLUMN in_blob_store INTEGER NOT NULL DEFAULT 0;
                -- What the source said for this ref last time: a row repeated unchanged is a
                -- repeat, a changed one an update of the same case.
                ALTER TABLE intake_ledger ADD COLUMN content_sha256 TEXT;
                -- Input that could not become a case, kept with its reason until reprocessed:
                -- a row (with the header it came under) or a whole file.
                CREATE TABLE quarantine (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('row', 'file')),
                    file_name TEXT NOT NULL,
                    raw_sha256 TEXT NOT NULL REFERENCES raw_input(sha256),
                    line INTEGER NOT NULL DEFAULT 0,
                    reason TEXT NOT NULL,
                    header TEXT,
                    fields TEXT,
                    text TEXT,
                    created_at REAL NOT NULL,
                    resolved_at REAL,
                    resolved_by TEXT,
                    resolution TEXT,
                    -- The same file taken again (after a crash, or dropped twice) adds nothing.
                    UNIQUE (raw_sha256, kind, line)
                );
                CREATE INDEX quarantine_open ON quarantine (id) WHERE resolved_at IS NULL;
                """)
        }
        migrator.registerMigration("2026-11-27 email checkpoints, case tokens, content history") { db in
            try db.execute(sql: """
                -- Per mailbox: the UIDVALIDITY seen and the last UID whose message is committed.
                -- Advanced in the same transaction as the message's case, never before.
                CREATE TABLE mailbox_checkpoint (
                    source TEXT NOT NULL,
                    mailbox TEXT NOT NULL,
                    uid_validity INTEGER NOT NULL,
                    last_uid INTEGER NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (source, mailbox)
                ) WITHOUT ROWID;
                -- The case token in a reply's subject is the last 12 hex digits of the case id.
                CREATE INDEX intake_case_token ON intake_case (substr(id, 25));
                -- A raw input already taken (a message seen again after UIDVALIDITY changed).
                CREATE INDEX intake_ledger_raw ON intake_ledger (raw_sha256);
                -- Every content a source ref was taken with: an older export dropped again
                -- repeats a version already seen and must not turn the case back.
                CREATE TABLE ledger_content (
                    channel TEXT NOT NULL,
                    source TEXT NOT NULL,
                    ref TEXT NOT NULL,
                    content_sha256 TEXT NOT NULL,
                    PRIMARY KEY (ref, source, channel, content_sha256)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("2026-11-27 dedup index") { db in
            try db.execute(sql: """
                -- Cases that later cases may duplicate (a duplicate is not indexed: its
                -- repeats point at the original). `at` is when the demand was raised.
                CREATE TABLE dedup_case (
                    seq INTEGER PRIMARY KEY,
                    case_id TEXT NOT NULL UNIQUE,
                    at REAL NOT NULL,
                    category TEXT,
                    -- Identity keys (uscc:, name:, phone:, email:), one per line.
                    keys TEXT NOT NULL,
                    -- MinHash signature, MinHashSignature.data (513 bytes).
                    signature BLOB NOT NULL,
                    -- Its band keys, 8 bytes each little-endian, to remove its band rows.
                    bands BLOB NOT NULL
                );
                -- LSH: one row per band of a case's signature; a lookup reads the most
                -- recent rows of each of its 21 bands within the window.
                CREATE TABLE dedup_band (
                    band INTEGER NOT NULL,
                    at REAL NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (band, at, seq)
                ) WITHOUT ROWID;
                -- Identity blocking: one row per key of a case.
                CREATE TABLE dedup_key (
                    key TEXT NOT NULL,
                    at REAL NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (key, at, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("2026-12-03 lean store") { db in
            try db.execute(sql: """
                -- An event no longer carries a second copy of its case: `payload` is NULL and the
                -- envelope is built at delivery from intake_case.document (see
                -- IntakeDatabase.envelopeSQL). It is filled in only when the case's document is
                -- about to be replaced while the event is still owed, and it keeps the full
                -- envelopes of events queued before this migration.
                CREATE TABLE outbox_lean (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    case_id TEXT NOT NULL REFERENCES intake_case(id),
                    event TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    payload BLOB,
                    emitted_at TEXT,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    queued_at REAL NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    finished_at REAL,
                    CHECK (payload IS NOT NULL OR emitted_at IS NOT NULL)
                );
                INSERT INTO outbox_lean (id, case_id, event, idempotency_key, payload, state, attempts, queued_at, next_attempt_at, last_error, finished_at)
                    SELECT id, case_id, event, idempotency_key, payload, state, attempts, queued_at, next_attempt_at, last_error, finished_at FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE outbox_lean RENAME TO outbox;
                CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
                CREATE INDEX outbox_case ON outbox (case_id, id);
                CREATE INDEX outbox_dead ON outbox (finished_at) WHERE state = 'dead';
                CREATE INDEX outbox_delivered ON outbox (finished_at) WHERE state = 'delivered';

                -- The LSH bands and identity keys live in memory (DedupIndex), rebuilt from
                -- dedup_case when the store opens: their B-tree rows had random keys, and 24 of
                -- them a case spread every commit over thousands of pages.
                -- dedup_case keeps one compact row per indexed case, appended in `seq` order.
                DROP TABLE dedup_band;
                DROP TABLE dedup_key;
                CREATE TABLE dedup_case_lean (
                    seq INTEGER PRIMARY KEY,
                    case_id TEXT NOT NULL UNIQUE,
                    -- When the demand was raised (reported_at, else received).
                    at REAL NOT NULL,
                    category TEXT,
                    -- Identity keys (uscc:, name:, phone:, email:), one per line.
                    keys TEXT NOT NULL,
                    -- MinHashSignature.data: version 2, 16-bit slots, 257 bytes.
                    signature BLOB NOT NULL
                );
                INSERT INTO dedup_case_lean (seq, case_id, at, category, keys, signature)
                    SELECT seq, case_id, at, category, keys, signature FROM dedup_case;
                DROP TABLE dedup_case;
                ALTER TABLE dedup_case_lean RENAME TO dedup_case;

                -- Email's "these bytes were taken" reads raw_input by its primary key instead.
                DROP INDEX intake_ledger_raw;
                """)
            // Signatures to the compact form (16-bit slots, 257 bytes instead of 513).
            let rows = try Row.fetchAll(db, sql: "SELECT seq, signature FROM dedup_case")
            let update = try db.makeStatement(sql: "UPDATE dedup_case SET signature = ? WHERE seq = ?")
            // (rows are read whole first: a cursor would see its own updates)
            for row in rows {
                let old: Data = row[1]
                guard let signature = try? MinHashSignature(data: old) else { continue }
                try update.execute(arguments: [signature.data, row[0] as Int64])
            }
        }
        migrator.registerMigration("2026-12-04 replays keep the queue time") { db in
            try db.execute(sql: """
                -- A replay used to overwrite queued_at; it now keeps it and sets replayed_at (on the
                -- dead letter, and on the later events of its case that waited behind it).
                ALTER TABLE outbox ADD COLUMN replayed_at REAL;
                """)
        }
        migrator.registerMigration("2026-12-04 taken mailbox messages") { db in
            try db.execute(sql: """
                -- Every message an email source committed (as a case, ignored or a repeat), by
                -- its UID: a message killed between its commit and its move or \\Seen is found
                -- here at the next poll and tidied up. Refused messages are not in it: they stay
                -- on the server, untouched, for a person.
                CREATE TABLE mailbox_taken (
                    source TEXT NOT NULL,
                    mailbox TEXT NOT NULL,
                    uid_validity INTEGER NOT NULL,
                    uid INTEGER NOT NULL,
                    PRIMARY KEY (source, mailbox, uid_validity, uid)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("2026-12-04 retention") { db in
            try db.execute(sql: """
                -- When the sweeper removed a raw input's bytes (raw_inputs_days): the row, its hash
                -- and size stay (the ledger and the case name it), the body is empty.
                ALTER TABLE raw_input ADD COLUMN retired_at REAL;
                -- How far each ordered sweep has got (raw inputs by rowid), so that a sweep
                -- starts where the last one stopped instead of reading every retired row again.
                CREATE TABLE retention_cursor (
                    kind TEXT PRIMARY KEY NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;
                -- Which case names which attachment blob (the blob directory is content-addressed:
                -- two cases may share one). A blob is kept while a case within the raw-input
                -- horizon names it; a blob no row names is an orphan of a failed commit.
                CREATE TABLE attachment_ref (
                    sha256 TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    PRIMARY KEY (sha256, case_id)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO attachment_ref (sha256, case_id)
                    SELECT json_extract(a.value, '$.sha256'), c.id FROM intake_case c, json_each(c.document, '$.attachments') a
                    WHERE json_extract(a.value, '$.sha256') IS NOT NULL;
                """)
        }
        migrator.registerMigration("2026-12-05 idempotency key age") { db in
            try db.execute(sql: """
                -- The sweeper removes stored answers past the raw-input horizon, oldest first;
                -- created_at only grows, so the index is appended to at its right edge.
                CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
                """)
        }
        migrator.registerMigration("2026-12-06 hotline file steps") { db in
            try db.execute(sql: """
                -- The console lists recent hotline files from these steps without reading the
                -- whole trace.
                CREATE INDEX trace_file_steps ON trace (id) WHERE step IN ('file_ingested', 'file_archived', 'file_quarantined');
                """)
        }
        migrator.registerMigration("2026-12-06 acknowledgements") { db in
            try db.execute(sql: """
                -- The acknowledgement owed to an email requester, queued in the transaction that
                -- commits the case: a crash after the commit still sends it. One per case is this
                -- UNIQUE key, not an if.
                CREATE TABLE acknowledgement (
                    id INTEGER PRIMARY KEY,
                    case_id TEXT NOT NULL UNIQUE REFERENCES intake_case(id),
                    source TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    -- The requester's Message-ID: the acknowledgement's In-Reply-To and References.
                    in_reply_to TEXT,
                    -- pending, sent or failed (given up after the last attempt).
                    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    queued_at REAL NOT NULL,
                    sent_at REAL,
                    last_error TEXT
                );
                CREATE INDEX acknowledgement_due ON acknowledgement (next_attempt_at) WHERE status = 'pending';
                -- At most N per address per hour: counted over this index.
                CREATE INDEX acknowledgement_recipient ON acknowledgement (recipient, queued_at);
                """)
        }
        return migrator
    }
}
