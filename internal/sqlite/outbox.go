package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/embudo/embudo/internal/crm"
)

// outbox appends a change of an entity of kind (old "" for a creation, new
// "" for a deletion) to the outbox, in the write's transaction. Nothing for
// kind "" (an entity whose changes have no effects).
func (t *wtx) outbox(kind, old, new string) error {
	if kind == "" {
		return nil
	}
	t.changed = true
	return t.exec("INSERT INTO outbox (kind, old, new) VALUES (?, ?, ?)", kind, nullText(old), nullText(new))
}

func nullText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// outboxRow is one change as the outbox keeps it.
type outboxRow struct {
	seq      int64
	kind     string
	old, new sql.NullString
}

// change decodes an outbox row into the crm change it records; its ID,
// "local-<seq>", is stable for good (seq is never reused).
func (r outboxRow) change() (crm.Change, error) {
	c := crm.Change{ID: fmt.Sprintf("local-%d", r.seq)}
	var err error
	if r.old.Valid {
		if c.Old, err = decodeEntity(r.kind, r.old.String); err != nil {
			return c, err
		}
	}
	if r.new.Valid {
		c.New, err = decodeEntity(r.kind, r.new.String)
	}
	return c, err
}

// decodeEntity decodes an outbox document of kind into its crm value.
func decodeEntity(kind, doc string) (crm.Entity, error) {
	b := []byte(doc)
	switch kind {
	case "contact":
		return contacts.decode(b)
	case "opportunity":
		return opportunities.decode(b)
	case "note":
		return notes.decode(b)
	case "file":
		return files.decode(b)
	case "quote":
		return quotes.decode(b)
	case "lead":
		var r leadRow
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		return leadFromRow(r), nil
	}
	return nil, fmt.Errorf("sqlite: outbox row of unknown kind %q", kind)
}
