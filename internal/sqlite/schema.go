package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema changes, in order: migrations[i] takes the
// database from user_version i to i+1. A change is only ever appended,
// never edited once released.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE contacts (
	id          TEXT PRIMARY KEY,
	version     INTEGER NOT NULL,
	agent_id    TEXT NOT NULL,
	source_id   TEXT NOT NULL,
	client_id   TEXT NOT NULL,
	supplier_id TEXT NOT NULL,
	doc         TEXT NOT NULL
);
CREATE INDEX contacts_by_agent ON contacts (agent_id, id);
CREATE INDEX contacts_by_source ON contacts (source_id, id);
CREATE INDEX contacts_clients ON contacts (id) WHERE client_id != '';
CREATE INDEX contacts_suppliers ON contacts (id) WHERE supplier_id != '';
CREATE INDEX contacts_neither ON contacts (id) WHERE client_id = '' AND supplier_id = '';

-- The search words of each contact (crm.Contact.SearchWords: those of its
-- name, surname and company, folded), so that the name search (q=) is a
-- range: sk is the word, '#', the contact's ID; by contact, to list a
-- contact under its first word of that range only.
CREATE TABLE contact_words (
	sk         TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX contact_words_by_contact ON contact_words (contact_id, sk);

-- A contact's interests, so that "contacts with interest X" is a range.
CREATE TABLE contact_interests (
	interest_id TEXT NOT NULL,
	contact_id  TEXT NOT NULL,
	PRIMARY KEY (interest_id, contact_id)
) WITHOUT ROWID;

-- Unique values and who holds them: a contact's e-mail and phones, a
-- user's e-mail, a webhook token's hash, an interest's folded name, an
-- agent's code.
CREATE TABLE claims (
	scope TEXT NOT NULL,
	value TEXT NOT NULL,
	owner TEXT NOT NULL,
	PRIMARY KEY (scope, value)
) WITHOUT ROWID;

CREATE TABLE sources   (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE interests (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE agents    (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE states    (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE users     (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE settings  (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE clients   (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE suppliers (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE quotes    (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL);

-- API tokens by the SHA-256 of their secret; a user's by their ID
-- (crm.Token.ID), oldest first.
CREATE TABLE tokens (
	hash    TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	id      TEXT NOT NULL,
	doc     TEXT NOT NULL
);
CREATE UNIQUE INDEX tokens_by_user ON tokens (user_id, id);

CREATE TABLE opportunities (
	id          TEXT PRIMARY KEY,
	version     INTEGER NOT NULL,
	activity    TEXT NOT NULL, -- last change (UTC, ms), '#', ID: every list's order
	state_id    TEXT NOT NULL,
	contact_id  TEXT NOT NULL,
	agent_id    TEXT NOT NULL,
	assignee_id TEXT NOT NULL,
	interest_id TEXT NOT NULL,
	source_id   TEXT NOT NULL,
	doc         TEXT NOT NULL
);
CREATE INDEX opportunities_by_activity ON opportunities (activity);
CREATE INDEX opportunities_by_state ON opportunities (state_id, activity);
CREATE INDEX opportunities_by_contact ON opportunities (contact_id, activity);
CREATE INDEX opportunities_by_agent ON opportunities (agent_id, activity);
CREATE INDEX opportunities_by_assignee ON opportunities (assignee_id, activity);
CREATE INDEX opportunities_by_interest ON opportunities (interest_id, activity);
CREATE INDEX opportunities_by_source ON opportunities (source_id, activity);

CREATE TABLE notes (
	id          TEXT PRIMARY KEY,
	version     INTEGER NOT NULL,
	parent_kind TEXT NOT NULL,
	parent_id   TEXT NOT NULL,
	aviso_owner TEXT,          -- while the reminder is pending: its author, or ALL
	aviso_sk    TEXT,          -- while the reminder is pending: aviso (UTC, s), '#', ID
	doc         TEXT NOT NULL
);
CREATE INDEX notes_by_parent ON notes (parent_kind, parent_id, id);
CREATE INDEX notes_by_owner_aviso ON notes (aviso_owner, aviso_sk);
CREATE INDEX notes_by_aviso ON notes (aviso_sk);

CREATE TABLE files (
	id          TEXT PRIMARY KEY,
	version     INTEGER NOT NULL,
	parent_kind TEXT NOT NULL,
	parent_id   TEXT NOT NULL,
	complete    INTEGER NOT NULL,
	doc         TEXT NOT NULL
);
CREATE INDEX files_by_parent ON files (parent_kind, parent_id, complete, id);

-- Lead records under their delivery's deduplication key; contact_id is
-- the contact a lead created or was merged into (NULL for none), for the
-- contact's leads, newest first.
CREATE TABLE leads (
	key        TEXT PRIMARY KEY,
	id         TEXT NOT NULL,
	contact_id TEXT,
	doc        TEXT NOT NULL
);
CREATE INDEX leads_by_contact ON leads (contact_id, id);

CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);

-- How many opportunities each state holds: a row exists exactly while its
-- state does.
CREATE TABLE state_counts (state_id TEXT PRIMARY KEY, n INTEGER NOT NULL);

-- Markers: SEEDED, ADMIN.
CREATE TABLE config (name TEXT PRIMARY KEY);

CREATE TABLE idempotency (
	user_id      TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	done         INTEGER NOT NULL,
	status       INTEGER NOT NULL,
	location     TEXT NOT NULL,
	etag         TEXT NOT NULL,
	body         BLOB,
	expires_at   INTEGER NOT NULL, -- Unix seconds; 0 or less: never
	PRIMARY KEY (user_id, key)
);

-- Markers of effects applied once (change records, e-mails sent).
CREATE TABLE effects (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);

CREATE TABLE timeline (
	contact_id TEXT NOT NULL,
	sk         TEXT NOT NULL, -- at (UTC, ms), '#', event ID, '#', kind
	doc        TEXT NOT NULL,
	PRIMARY KEY (contact_id, sk)
);

CREATE TABLE stats (
	month            TEXT NOT NULL,
	source           TEXT NOT NULL, -- a source ID, or 'none'
	leads            INTEGER NOT NULL DEFAULT 0,
	contacts         INTEGER NOT NULL DEFAULT 0,
	opportunities    INTEGER NOT NULL DEFAULT 0,
	won              INTEGER NOT NULL DEFAULT 0,
	lost             INTEGER NOT NULL DEFAULT 0,
	won_amount_cents INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (month, source)
) WITHOUT ROWID;

-- The transactional outbox: every write of an entity with effects, in
-- commit order, until the change feed has applied it.
CREATE TABLE outbox (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	kind TEXT NOT NULL,
	old  TEXT,
	new  TEXT
);

-- How far the change feed got: the last outbox seq it applied.
CREATE TABLE feed_checkpoint (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
INSERT INTO feed_checkpoint (name, seq) VALUES ('feed', 0);
`,
	// 2: refused inbound e-mail, listed apart from the lead records.
	`
CREATE INDEX leads_rejected_emails ON leads (id)
	WHERE json_extract(doc, '$.format') = 'email' AND json_extract(doc, '$.outcome') = 'rejected';
`,
}

// migrate brings the schema up to date, each migration in the transaction
// that also sets user_version. It refuses a database made by a newer
// version of Embudo.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateOne(ctx, db)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if any, reporting whether the
// schema was up to date.
func migrateOne(ctx context.Context, db *sql.DB) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, err
	}
	switch {
	case v == len(migrations):
		return true, nil
	case v > len(migrations):
		return false, fmt.Errorf("the database has schema version %d, newer than this program's %d: run a newer embudo", v, len(migrations))
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("schema migration %d: %w", v+1, err)
	}
	// PRAGMA takes no parameters; v+1 is an integer of ours.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, err
	}
	return false, tx.Commit()
}
