package dynamo

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// attrCopied marks an item `embudo copy` wrote; its value is when the copy
// started. Only items of the stream's types carry it (StreamTypes). The
// stream function's FilterCriteria drop the INSERT records of marked items,
// and ChangeOf turns one that reaches the handler into no change: the
// e-mails, reminders, timeline entries and counters of a copied item
// happened where it was copied from. The store never writes the marker and
// ignores it when reading. The API's next write of the item drops it (a Put
// replaces the whole item); an UpdateItem (a lead merged into a copied
// contact) keeps it, and its MODIFY record goes through as any other.
const attrCopied = "copied"

// KindItems are the items of one kind of entity as the store writes them:
// the entities' own items and those that follow from them (uniqueness
// claims, interest links, the tab counts of the states).
type KindItems struct {
	Kind     string // "contacts", "opportunities", ... (CopyKinds)
	Entities int    // how many values of the snapshot they hold
	Items    []map[string]types.AttributeValue
}

// CopyKinds are the kinds of ItemsOf, in the order a copy writes them:
// the markers first (a half-copied table is never seeded again by the API,
// so the copy can be resumed), then what others refer to before what refers
// to it.
var CopyKinds = []string{"markers", "states", "settings", "counters", "users", "tokens", "agents", "sources", "interests",
	"contacts", "parties", "opportunities", "quotes", "notes", "files", "leads", "timeline", "stats"}

// ItemsOf returns the items the store holds for snap, grouped by kind in
// the order of CopyKinds: each entity through its item converter with the
// uniqueness claims and interest links the store writes with it, the token
// items (keyed by the hash, so existing API tokens keep working) and the
// webhook token claims (so existing webhook URLs do), the lead records,
// timeline and stats items the change core writes, the sequence counters,
// the tab counts (0 for a state the snapshot has no count of) and the
// seeding and admin markers. Items of the stream's types carry the copied
// marker with the value copied. Errors: conflict when two items would have
// one key (the snapshot holds a unique value twice), naming it.
func ItemsOf(snap crm.Snapshot, copied string) ([]KindItems, error) {
	mark := func(m map[string]types.AttributeValue) map[string]types.AttributeValue {
		if t, ok := m[attrType].(*types.AttributeValueMemberS); ok && slices.Contains(StreamTypes, t.Value) {
			m[attrCopied] = str(copied)
		}
		return m
	}
	var markers []map[string]types.AttributeValue
	if snap.Seeded {
		markers = append(markers, configMarker(markerSeeded))
	}
	if snap.AdminCreated {
		markers = append(markers, configMarker(markerAdmin))
	}
	var counters []map[string]types.AttributeValue
	for _, name := range slices.Sorted(maps.Keys(snap.Counters)) {
		counters = append(counters, counterItem(name, snap.Counters[name]))
	}
	var partyItems []map[string]types.AttributeValue
	for _, p := range snap.Parties {
		partyItems = append(partyItems, entityItems(parties(p.Kind), []crm.Party{p}, mark)...)
	}
	var leads, timeline, stats []map[string]types.AttributeValue
	for _, l := range snap.Leads {
		leads = append(leads, mark(marshal(leadToItem(l.Key, l.Record))))
	}
	for _, it := range snap.Timeline {
		if !it.Removed {
			timeline = append(timeline, marshal(timelineToItem(it)))
		}
	}
	for _, m := range snap.Stats {
		stats = append(stats, marshal(statsToItem(m)))
	}
	var tokens []map[string]types.AttributeValue
	for _, tk := range snap.Tokens {
		tokens = append(tokens, marshal(tokenToItem(tk)))
	}
	contactItems := entityItems(contacts, snap.Contacts, mark)
	for _, c := range snap.Contacts {
		for _, iid := range c.InterestIDs {
			contactItems = append(contactItems, interestLink(iid, c.ID))
		}
		contactItems = append(contactItems, wordItems(c)...)
	}
	markerCount := 0
	for _, set := range []bool{snap.Seeded, snap.AdminCreated} {
		if set {
			markerCount++
		}
	}
	out := []KindItems{
		{"markers", markerCount, markers},
		{"states", len(snap.States), append(entityItems(states, snap.States, mark), stateCountsItems(snap.States, snap.StateCounts)...)},
		{"settings", len(snap.Settings), entityItems(settings, snap.Settings, mark)},
		{"counters", len(snap.Counters), counters},
		{"users", len(snap.Users), entityItems(users, snap.Users, mark)},
		{"tokens", len(snap.Tokens), tokens},
		{"agents", len(snap.Agents), entityItems(agents, snap.Agents, mark)},
		{"sources", len(snap.Sources), entityItems(sources, snap.Sources, mark)},
		{"interests", len(snap.Interests), entityItems(interests, snap.Interests, mark)},
		{"contacts", len(snap.Contacts), contactItems},
		{"parties", len(snap.Parties), partyItems},
		{"opportunities", len(snap.Opportunities), entityItems(opportunities, snap.Opportunities, mark)},
		{"quotes", len(snap.Quotes), entityItems(quotes, snap.Quotes, mark)},
		{"notes", len(snap.Notes), entityItems(notes, snap.Notes, mark)},
		{"files", len(snap.Files), entityItems(files, snap.Files, mark)},
		{"leads", len(snap.Leads), leads},
		{"timeline", len(timeline), timeline},
		{"stats", len(snap.Stats), stats},
	}
	seen := map[string]bool{}
	for _, g := range out {
		for _, m := range g.Items {
			k := itemKey(m)
			if seen[k] {
				pk, sk, _ := strings.Cut(k, "\x00")
				return nil, crm.Conflict(fmt.Sprintf("the data to copy holds the item %s %s twice (a unique value of two %s)", pk, sk, g.Kind))
			}
			seen[k] = true
		}
	}
	return out, nil
}

// entityItems are the items of entities of e and their uniqueness claims.
func entityItems[T, I any](e entity[T, I], vs []T, mark func(map[string]types.AttributeValue) map[string]types.AttributeValue) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, v := range vs {
		out = append(out, mark(marshal(e.toItem(v))))
		if e.unique != nil {
			for _, c := range e.unique(v) {
				out = append(out, claimItem(c.scope, c.value, e.id(v)))
			}
		}
	}
	return out
}

// counterItem is a sequence counter as counterOps leaves it.
func counterItem(name string, n int64) map[string]types.AttributeValue {
	m := key(kindCounter, name)
	m["n"], m[attrType] = num(strconv.FormatInt(n, 10)), str(kindCounter)
	return m
}

// stateCountsItems are the tab count shards as the ADDs of countOps and
// stateCounterOps leave them: every shard with a counter per state, the
// counts on shard 0 and 0 on the others (and for a state counts does not
// name).
func stateCountsItems(sts []crm.State, counts map[string]int64) []map[string]types.AttributeValue {
	ids := make([]string, 0, len(counts)+len(sts))
	for id := range counts {
		ids = append(ids, id)
	}
	for _, st := range sts {
		ids = append(ids, st.ID)
	}
	sort.Strings(ids)
	out := make([]map[string]types.AttributeValue, tabShards)
	for i := range out {
		out[i] = tabShardKey(i)
		for _, id := range ids {
			n := int64(0)
			if i == 0 {
				n = counts[id]
			}
			out[i][stateCountAttr(id)] = num(strconv.FormatInt(n, 10))
		}
	}
	return out
}

// itemKey is a map key for an item's table key.
func itemKey(m map[string]types.AttributeValue) string {
	pk, _ := m[attrPK].(*types.AttributeValueMemberS)
	sk, _ := m[attrSK].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return "\x00"
	}
	return pk.Value + "\x00" + sk.Value
}
