// Package sqlite is the embedded store of Embudo: crm.Store on one SQLite
// file, through the pure-Go driver modernc.org/sqlite, for the local runtime
// (`embudo serve`). It behaves as the DynamoDB adapter (internal/dynamo)
// does: the same error codes, conflicts, list orders, cursors and version
// checks, so the service cannot tell them apart.
//
// # Representation
//
// Each entity type has its table: id, version, the columns its lists and
// filters need (each list path has an index, so a page costs the same
// whatever the table's size), and doc, the entity as JSON of a row struct of
// this package (rows.go). Unique values (a contact's e-mail and phones, a
// user's e-mail, a webhook token's hash, an interest's name, an agent's code)
// are rows of the claims table, whose primary key (scope, value) enforces
// them; a contact's phone and mobile share one scope, which per-column
// UNIQUE constraints could not express.
//
// # Writes
//
// Every domain write is one write transaction on the one writer connection
// (see bench_test.go for why one): it checks versions, claims and
// references inside the transaction, so that its errors name the existing
// owner or the field at fault, and it writes nothing unless everything
// holds. Write transactions queued while a commit is in progress are
// committed together (group commit, group.go): one SQLite transaction
// (BEGIN IMMEDIATE) holds each under a SAVEPOINT of its own, a failed one
// rolled back to its savepoint with only its caller told, and one COMMIT
// (one fsync) makes them durable before any caller is answered. The
// writer's statements are prepared once (stmts.go), as are the readers'.
//
// A write that creates, replaces or deletes a Contact, Opportunity, Note,
// File, Quote or LeadRecord also appends, in the same transaction, a row to
// the outbox; the change feed (feed.go) applies the outbox a batch at a
// time, in order for each entity, and writes the batch's timeline entries
// and counters in one transaction with its checkpoint, kept in the same
// database, so a change and its effects can never disagree, even across a
// crash.
//
// # Copies
//
// Backup writes a consistent copy of the running database (VACUUM INTO).
// Snapshot and Load move a whole CRM as a crm.Snapshot: Load fills an
// empty database in one transaction, rebuilding claims, links and indexes,
// without outbox rows.
//
// # Schema migrations
//
// The schema is versioned in code (schema.go) and recorded in the database
// header's PRAGMA user_version, not in a table of a migration tool: it needs
// no dependency, and since the pragma is written in the same transaction as
// the migration it records, a migration is applied entirely or not at all.
//
// # Failures
//
// The database being busy beyond the busy timeout, its disk full, its file
// read-only or unreadable become crm.Unavailable (HTTP 503) and a log line
// naming the file; the transaction is rolled back. A damaged file is refused
// at Open, which tells the operator to restore a backup made with
// `embudo backup` (Store.Backup).
package sqlite
