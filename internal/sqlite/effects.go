package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// effectTTL is how long a marker of an applied effect lasts, as long as
// the DynamoDB adapter keeps its own.
const effectTTL = 14 * 24 * time.Hour

// statColumns maps a StatDelta's field to its column of the stats table.
var statColumns = map[string]string{
	"leads": "leads", "contacts": "contacts", "opportunities": "opportunities",
	"won": "won", "lost": "lost", "wonAmountCents": "won_amount_cents",
}

// timelineKey orders a contact's timeline entries by time; the event ID and
// kind make it the entry's identity.
func timelineKey(t crm.TimelineItem) string {
	return t.At.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + t.EventID + "#" + string(t.Kind)
}

func sourceOrNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// takeMarker records the marker key unless one that has not expired
// exists, reporting whether it did.
func takeMarker(t *wtx, key string) (bool, error) {
	var exp int64
	err := t.row("SELECT expires_at FROM effects WHERE key = ?", key).Scan(&exp)
	switch {
	case err == nil && t.s.live(exp):
		return false, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	return true, t.exec("INSERT OR REPLACE INTO effects (key, expires_at) VALUES (?, ?)", key, t.s.now().Add(effectTTL).Unix())
}

// ApplyOnce implements crm.EffectStore in one transaction: the marker (new,
// or replacing an expired one), the timeline entries (an entry Removed is
// deleted), the stats deltas; nothing, and false, when the marker exists.
// Called by the change feed's apply (with its context), it keeps them for
// the batch's transaction instead (effects_batch.go) and returns true.
// Errors: unavailable, internal.
func (s *Store) ApplyOnce(ctx context.Context, key string, items []crm.TimelineItem, stats []crm.StatDelta) (bool, error) {
	if c, ok := batchOf(ctx); ok {
		c.b.keep(c.i, key, items, stats)
		return true, nil
	}
	applied := false
	err := s.write(ctx, func(t *wtx) error {
		ok, err := takeMarker(t, key)
		if err != nil || !ok {
			return err
		}
		for _, it := range items {
			if err := putTimeline(t, it); err != nil {
				return err
			}
		}
		for _, d := range stats {
			if err := addStat(t, d.Month, d.SourceID, d.Field, d.Delta); err != nil {
				return err
			}
		}
		applied = true
		return nil
	})
	return applied && err == nil, err
}

// putTimeline writes a timeline entry, or deletes it when it is Removed.
func putTimeline(t *wtx, it crm.TimelineItem) error {
	if it.Removed {
		return t.exec("DELETE FROM timeline WHERE contact_id = ? AND sk = ?", it.ContactID, timelineKey(it))
	}
	b, err := json.Marshal(timelineToRow(it))
	if err != nil {
		return err
	}
	return t.exec("INSERT OR REPLACE INTO timeline (contact_id, sk, doc) VALUES (?, ?, ?)", it.ContactID, timelineKey(it), string(b))
}

// addStat adds delta to one counter of a source's month; a field the
// report does not read is ignored.
func addStat(t *wtx, month, sourceID, field string, delta int64) error {
	col, ok := statColumns[field]
	if !ok {
		return nil
	}
	return t.exec("INSERT INTO stats (month, source, "+col+") VALUES (?, ?, ?) ON CONFLICT (month, source) DO UPDATE SET "+
		col+" = "+col+" + excluded."+col, month, sourceOrNone(sourceID), delta)
}

// ClaimOnce implements crm.EffectStore: it records key unless recorded
// (and not expired), reporting whether it did. Errors: unavailable,
// internal.
func (s *Store) ClaimOnce(ctx context.Context, key string) (bool, error) {
	claimed := false
	err := s.write(ctx, func(t *wtx) error {
		var err error
		claimed, err = takeMarker(t, key)
		return err
	})
	return claimed && err == nil, err
}

// Release implements crm.EffectStore. Errors: unavailable, internal.
func (s *Store) Release(ctx context.Context, key string) error {
	return s.write(ctx, func(t *wtx) error { return t.exec("DELETE FROM effects WHERE key = ?", key) })
}

// Timeline implements crm.EffectStore: a contact's entries, newest first,
// those accept likes. Errors: invalid (cursor), unavailable, internal.
func (s *Store) Timeline(ctx context.Context, contactID string, o crm.ListOptions, accept func(crm.TimelineItem) bool) (crm.Page[crm.TimelineItem], error) {
	return page(ctx, s, timelineListing(contactID), o, decodeTimeline, accept)
}

// timelineListing is the access path of a contact's timeline.
func timelineListing(contactID string) listing {
	return listing{path: "timeline:" + contactID, from: "timeline", key: "sk", where: "contact_id = ?", args: []any{contactID}}
}

func decodeTimeline(doc []byte) (crm.TimelineItem, error) {
	var r timelineRow
	if err := json.Unmarshal(doc, &r); err != nil {
		return crm.TimelineItem{}, crm.Internal(err)
	}
	return timelineFromRow(r), nil
}

// Stats implements crm.EffectStore: the counters of the months from..to
// (YYYY-MM, inclusive), by month and source. Errors: unavailable, internal.
func (s *Store) Stats(ctx context.Context, from, to string) ([]crm.SourceMonth, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT month, source, leads, contacts, opportunities, won, lost, won_amount_cents
		FROM stats WHERE month >= ? AND month <= ? ORDER BY month, source`, from, to)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []crm.SourceMonth
	for rows.Next() {
		var m crm.SourceMonth
		if err := rows.Scan(&m.Month, &m.SourceID, &m.Leads, &m.Contacts, &m.Opportunities, &m.Won, &m.Lost, &m.WonAmountCents); err != nil {
			return nil, s.fail(err)
		}
		if m.SourceID == "none" {
			m.SourceID = ""
		}
		out = append(out, m)
	}
	return out, s.fail(rows.Err())
}
