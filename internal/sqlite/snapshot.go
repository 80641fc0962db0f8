package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/embudo/embudo/internal/crm"
)

// Load writes a snapshot (of another store, or of an earlier version's data
// directory) into an empty database in one transaction, keeping IDs,
// versions and timestamps exactly, rebuilding the claims, links and index
// columns its values need, and writing no outbox rows (the effects of what
// it loads happened where it comes from). Every state gets a count (0 when
// the snapshot has none). Errors: conflict (the database is not empty, or
// the snapshot holds a unique value twice), unavailable, internal.
func (s *Store) Load(ctx context.Context, l crm.Snapshot) error {
	return s.write(ctx, func(t *wtx) error {
		if err := mustBeEmpty(t); err != nil {
			return err
		}
		return loadErr(inOrder(
			func() error { return loadAll(t, contacts, l.Contacts) },
			func() error {
				return eachOf(l.Contacts, func(c crm.Contact) error {
					return eachOf(c.InterestIDs, func(iid string) error { return linkInterest(t, c.ID, iid) })
				})
			},
			func() error {
				return eachOf(l.Parties, func(p crm.Party) error { return parties(p.Kind).load(t, p) })
			},
			func() error { return loadAll(t, opportunities, l.Opportunities) },
			func() error { return loadAll(t, quotes, l.Quotes) },
			func() error { return loadAll(t, notes, l.Notes) },
			func() error { return loadAll(t, files, l.Files) },
			func() error { return loadAll(t, sources, l.Sources) },
			func() error { return loadAll(t, interests, l.Interests) },
			func() error { return loadAll(t, agents, l.Agents) },
			func() error { return loadAll(t, states, l.States) },
			func() error { return loadAll(t, users, l.Users) },
			func() error { return eachOf(l.Tokens, func(tk crm.Token) error { return loadToken(t, tk) }) },
			func() error { return loadAll(t, settings, l.Settings) },
			func() error {
				return eachOf(l.Leads, func(k crm.KeyedLead) error { _, err := loadLead(t, k); return err })
			},
			func() error {
				return eachOf(l.Timeline, func(it crm.TimelineItem) error {
					if it.Removed {
						return nil
					}
					return putTimeline(t, it)
				})
			},
			func() error { return eachOf(l.Stats, func(m crm.SourceMonth) error { return loadStats(t, m) }) },
			func() error { return loadStateCounts(t, l.States, l.StateCounts) },
			func() error {
				for name, n := range l.Counters {
					if err := t.exec("INSERT INTO counters (name, n) VALUES (?, ?)", name, n); err != nil {
						return err
					}
				}
				return nil
			},
			func() error { return loadMarker(t, l.Seeded, markerSeeded) },
			func() error { return loadMarker(t, l.AdminCreated, markerAdmin) },
		))
	})
}

// loadedTables are the tables Load fills, which must be empty.
var loadedTables = []string{"contacts", "contact_interests", "contact_words", "claims", "sources", "interests", "agents", "states",
	"users", "settings", "clients", "suppliers", "quotes", "tokens", "opportunities", "notes", "files", "leads",
	"counters", "state_counts", "config", "timeline", "stats"}

func mustBeEmpty(t *wtx) error {
	for _, table := range loadedTables {
		if ok, err := t.found("SELECT 1 FROM " + table + " LIMIT 1"); err != nil {
			return err
		} else if ok {
			return crm.Conflict(fmt.Sprintf("the database is not empty (%s): load into a new file", table))
		}
	}
	return nil
}

func loadAll[T, R any](t *wtx, e entity[T, R], vs []T) error {
	return eachOf(vs, func(v T) error { return e.load(t, v) })
}

func loadStats(t *wtx, m crm.SourceMonth) error {
	return t.exec(`INSERT INTO stats (month, source, leads, contacts, opportunities, won, lost, won_amount_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Month, sourceOrNone(m.SourceID), m.Leads, m.Contacts, m.Opportunities, m.Won, m.Lost, m.WonAmountCents)
}

// loadStateCounts writes the state counts, and a zero count for every
// state that has none.
func loadStateCounts(t *wtx, sts []crm.State, counts map[string]int64) error {
	for id, n := range counts {
		if err := t.exec("INSERT INTO state_counts (state_id, n) VALUES (?, ?)", id, n); err != nil {
			return err
		}
	}
	for _, st := range sts {
		if err := t.exec("INSERT OR IGNORE INTO state_counts (state_id, n) VALUES (?, 0)", st.ID); err != nil {
			return err
		}
	}
	return nil
}

func loadMarker(t *wtx, set bool, name string) error {
	if !set {
		return nil
	}
	return t.exec("INSERT INTO config (name) VALUES (?)", name)
}

// loadErr names a unique constraint a load broke as what it is.
func loadErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return &crm.Error{Code: crm.CodeConflict, Message: "the data to load holds a unique value twice: " + se.Error(), Err: err}
	}
	return err
}

// Snapshot reads everything the store keeps that outlives a request, in
// one read transaction, as Load writes it (for `embudo copy` to another
// store, and to check a conversion). Errors: unavailable, internal.
func (s *Store) Snapshot(ctx context.Context) (crm.Snapshot, error) {
	var snap crm.Snapshot
	err := s.readTx(ctx, func(q querier) error {
		var sup []crm.Party
		return inOrder(
			func() (err error) { snap.Contacts, err = every(ctx, q, contacts); return err },
			func() (err error) { snap.Parties, err = every(ctx, q, clients); return err },
			func() (err error) {
				sup, err = every(ctx, q, suppliers)
				snap.Parties = append(snap.Parties, sup...)
				return err
			},
			func() (err error) { snap.Opportunities, err = every(ctx, q, opportunities); return err },
			func() (err error) { snap.Quotes, err = every(ctx, q, quotes); return err },
			func() (err error) { snap.Notes, err = every(ctx, q, notes); return err },
			func() (err error) { snap.Files, err = every(ctx, q, files); return err },
			func() (err error) { snap.Sources, err = every(ctx, q, sources); return err },
			func() (err error) { snap.Interests, err = every(ctx, q, interests); return err },
			func() (err error) { snap.Agents, err = every(ctx, q, agents); return err },
			func() (err error) { snap.States, err = every(ctx, q, states); return err },
			func() (err error) { snap.Users, err = every(ctx, q, users); return err },
			func() (err error) { snap.Settings, err = every(ctx, q, settings); return err },
			func() (err error) {
				snap.Tokens, err = scan(ctx, q, "SELECT doc FROM tokens ORDER BY hash", tokenFromRow)
				return err
			},
			func() (err error) {
				snap.Timeline, err = scan(ctx, q, "SELECT doc FROM timeline ORDER BY contact_id, sk", timelineFromRow)
				return err
			},
			func() error {
				rows, err := q.QueryContext(ctx, "SELECT key, doc FROM leads ORDER BY key")
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var k crm.KeyedLead
					var doc []byte
					var r leadRow
					if err := rows.Scan(&k.Key, &doc); err != nil {
						return err
					}
					if err := json.Unmarshal(doc, &r); err != nil {
						return err
					}
					k.Record = leadFromRow(r)
					snap.Leads = append(snap.Leads, k)
				}
				return rows.Err()
			},
			func() error {
				rows, err := q.QueryContext(ctx, `SELECT month, source, leads, contacts, opportunities, won, lost, won_amount_cents
					FROM stats ORDER BY month, source`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var m crm.SourceMonth
					if err := rows.Scan(&m.Month, &m.SourceID, &m.Leads, &m.Contacts, &m.Opportunities, &m.Won, &m.Lost, &m.WonAmountCents); err != nil {
						return err
					}
					if m.SourceID == "none" {
						m.SourceID = ""
					}
					snap.Stats = append(snap.Stats, m)
				}
				return rows.Err()
			},
			func() (err error) { snap.Counters, err = counts(ctx, q, "SELECT name, n FROM counters"); return err },
			func() (err error) {
				snap.StateCounts, err = counts(ctx, q, "SELECT state_id, n FROM state_counts")
				return err
			},
			func() error {
				markers, err := counts(ctx, q, "SELECT name, 1 FROM config")
				snap.Seeded, snap.AdminCreated = markers[markerSeeded] == 1, markers[markerAdmin] == 1
				return err
			},
		)
	})
	return snap, err
}

// every reads every entity of a table, by ID.
func every[T, R any](ctx context.Context, q querier, e entity[T, R]) ([]T, error) {
	return scan(ctx, q, "SELECT doc FROM "+e.table+" ORDER BY id", e.fromRow)
}

// scan reads the documents query returns, converting each with from.
func scan[T, R any](ctx context.Context, q querier, query string, from func(R) T) ([]T, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var doc []byte
		var r R
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(doc, &r); err != nil {
			return nil, crm.Internal(err)
		}
		out = append(out, from(r))
	}
	return out, rows.Err()
}

// counts reads a map of names to numbers.
func counts(ctx context.Context, q querier, query string) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}
