package sqlite

import (
	"context"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/embudo/embudo/internal/crm"
)

// Load is everything the store keeps that outlives a request, as a data
// conversion (from the DynamoDB table, or a dump) carries it over: every
// value is written as it is, IDs, versions and timestamps included.
// Idempotency records and effect markers are transient and not loaded;
// the per-state opportunity counts are derived (every state, plus one for
// each opportunity in its state).
type Load struct {
	Contacts      []crm.Contact
	Parties       []crm.Party
	Opportunities []crm.Opportunity
	Quotes        []crm.Quote
	Notes         []crm.Note
	Files         []crm.File
	Sources       []crm.Source
	Interests     []crm.Interest
	Agents        []crm.Agent
	States        []crm.State
	Users         []crm.User
	Tokens        []crm.Token
	Settings      []crm.NotificationSetting
	Leads         []crm.KeyedLead // lead records under their deduplication keys
	Timeline      []crm.TimelineItem
	Stats         []crm.SourceMonth
	Counters      map[string]int64 // sequence counters: their current values
	Seeded        bool             // the initial states and settings were written once
	Admin         bool             // an admin was created once
}

// Load writes l into an empty database in one transaction, with the claims,
// links and index columns its values need and no outbox rows (the effects
// of what it loads happened where it comes from). Errors: conflict (the
// database is not empty, or l holds a unique value twice), unavailable,
// internal.
func (s *Store) Load(ctx context.Context, l Load) error {
	return s.write(ctx, func(t *wtx) error {
		if err := mustBeEmpty(t); err != nil {
			return err
		}
		steps := []func() error{
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
			func() error { return loadStateCounts(t, l.States, l.Opportunities) },
			func() error {
				for name, n := range l.Counters {
					if err := t.exec("INSERT INTO counters (name, n) VALUES (?, ?)", name, n); err != nil {
						return err
					}
				}
				return nil
			},
			func() error { return loadMarker(t, l.Seeded, markerSeeded) },
			func() error { return loadMarker(t, l.Admin, markerAdmin) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return loadErr(err)
			}
		}
		return nil
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

// loadStateCounts derives the state counts: every state's, from the
// opportunities in it.
func loadStateCounts(t *wtx, sts []crm.State, opps []crm.Opportunity) error {
	deltas := map[string]int64{}
	for _, o := range opps {
		deltas[o.StateID]++
	}
	for _, st := range sts {
		if err := t.exec("INSERT INTO state_counts (state_id, n) VALUES (?, 0)", st.ID); err != nil {
			return err
		}
	}
	for id, n := range deltas {
		if err := t.exec(`INSERT INTO state_counts (state_id, n) VALUES (?, ?)
			ON CONFLICT (state_id) DO UPDATE SET n = n + excluded.n`, id, n); err != nil {
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
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return &crm.Error{Code: crm.CodeConflict, Message: "the data to load holds a unique value twice: " + se.Error(), Err: err}
	}
	return err
}
