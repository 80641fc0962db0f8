package transfer

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// Kind is what a copy holds of one kind of value on one side: how many,
// and the SHA-256 of their canonical JSON, in a canonical order.
type Kind struct {
	Name  string
	Count int
	Sum   string // hex
}

// Canonical returns snap with every list in one order, whatever the store
// it was read from: by ID (parties by kind, then ID; settings by key;
// tokens by hash; leads by key; the timeline by contact, time, event and
// kind; stats by month and source), and its maps never nil. Two snapshots of the same data are
// then equal (reflect.DeepEqual), and so are their Summary sums.
func Canonical(s crm.Snapshot) crm.Snapshot {
	s.Contacts = sorted(s.Contacts, func(a, b crm.Contact) int { return cmp.Compare(a.ID, b.ID) })
	s.Parties = sorted(s.Parties, func(a, b crm.Party) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	s.Opportunities = sorted(s.Opportunities, func(a, b crm.Opportunity) int { return cmp.Compare(a.ID, b.ID) })
	s.Quotes = sorted(s.Quotes, func(a, b crm.Quote) int { return cmp.Compare(a.ID, b.ID) })
	s.Notes = sorted(s.Notes, func(a, b crm.Note) int { return cmp.Compare(a.ID, b.ID) })
	s.Files = sorted(s.Files, func(a, b crm.File) int { return cmp.Compare(a.ID, b.ID) })
	s.Sources = sorted(s.Sources, func(a, b crm.Source) int { return cmp.Compare(a.ID, b.ID) })
	s.Interests = sorted(s.Interests, func(a, b crm.Interest) int { return cmp.Compare(a.ID, b.ID) })
	s.Agents = sorted(s.Agents, func(a, b crm.Agent) int { return cmp.Compare(a.ID, b.ID) })
	s.States = sorted(s.States, func(a, b crm.State) int { return cmp.Compare(a.ID, b.ID) })
	s.Users = sorted(s.Users, func(a, b crm.User) int { return cmp.Compare(a.ID, b.ID) })
	s.Tokens = sorted(s.Tokens, func(a, b crm.Token) int { return cmp.Compare(a.Hash, b.Hash) })
	s.Settings = sorted(s.Settings, func(a, b crm.NotificationSetting) int { return cmp.Compare(a.Key, b.Key) })
	s.Leads = sorted(s.Leads, func(a, b crm.KeyedLead) int { return cmp.Compare(a.Key, b.Key) })
	s.Timeline = sorted(s.Timeline, func(a, b crm.TimelineItem) int {
		return cmp.Or(cmp.Compare(a.ContactID, b.ContactID), a.At.Compare(b.At), cmp.Compare(a.EventID, b.EventID), cmp.Compare(a.Kind, b.Kind))
	})
	s.Stats = sorted(s.Stats, func(a, b crm.SourceMonth) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(a.SourceID, b.SourceID))
	})
	if s.Counters == nil {
		s.Counters = map[string]int64{}
	}
	if s.StateCounts == nil {
		s.StateCounts = map[string]int64{}
	}
	return s
}

// sorted returns a sorted copy of vs (nil stays nil).
func sorted[T any](vs []T, c func(a, b T) int) []T {
	if vs == nil {
		return nil
	}
	out := slices.Clone(vs)
	slices.SortStableFunc(out, c)
	return out
}

// Summary counts every kind of value of a snapshot and sums it (Kind), in
// the order a copy writes them.
func Summary(s crm.Snapshot) []Kind {
	s = Canonical(s)
	markers := map[string]bool{"seeded": s.Seeded, "adminCreated": s.AdminCreated}
	n := 0
	for _, set := range markers {
		if set {
			n++
		}
	}
	return []Kind{
		kind("markers", n, markers),
		kindOf("states", s.States),
		kind("tab counts", len(s.StateCounts), s.StateCounts),
		kindOf("settings", s.Settings),
		kind("counters", len(s.Counters), s.Counters),
		kindOf("users", s.Users),
		kindOf("tokens", s.Tokens),
		kindOf("agents", s.Agents),
		kindOf("sources", s.Sources),
		kindOf("interests", s.Interests),
		kindOf("contacts", s.Contacts),
		kindOf("parties", s.Parties),
		kindOf("opportunities", s.Opportunities),
		kindOf("quotes", s.Quotes),
		kindOf("notes", s.Notes),
		kindOf("files", s.Files),
		kindOf("leads", s.Leads),
		kindOf("timeline", s.Timeline),
		kindOf("stats", s.Stats),
	}
}

// kindOf sums a list, one JSON line per value.
func kindOf[T any](name string, vs []T) Kind {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			panic("transfer: a domain value does not encode: " + err.Error())
		}
	}
	return Kind{Name: name, Count: len(vs), Sum: hex.EncodeToString(h.Sum(nil))}
}

// kind sums one value (a map: encoding/json sorts its keys).
func kind(name string, n int, v any) Kind {
	k := kindOf(name, []any{v})
	k.Count = n
	return k
}

// Mismatch names the kinds whose count or sum differ between two
// summaries of the same kinds, or "" when none does.
func Mismatch(source, target []Kind) string {
	var bad []string
	for i, k := range source {
		if i >= len(target) || target[i] != k {
			got := Kind{}
			if i < len(target) {
				got = target[i]
			}
			bad = append(bad, fmt.Sprintf("%s (%d here, %d there)", k.Name, k.Count, got.Count))
		}
	}
	return strings.Join(bad, ", ")
}

// empty reports whether a summary counts nothing.
func empty(kinds []Kind) bool {
	for _, k := range kinds {
		if k.Count > 0 {
			return false
		}
	}
	return true
}
