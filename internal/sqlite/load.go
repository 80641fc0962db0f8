package sqlite

import (
	"context"
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
var loadedTables = []string{"contacts", "contact_interests", "claims", "sources", "interests", "agents", "states",
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
