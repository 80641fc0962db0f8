package dynamo

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// SnapshotOf decodes the items of a whole table (a Scan's, or the live
// items of a change log) into the domain values of a crm.Snapshot, in the
// order given, with IDs, versions, timestamps, numbers and token hashes as
// stored. Derived items (uniqueness claims, interest links, word items),
// idempotency records and effect markers are skipped. Errors (internal): an item that
// does not decode, or of an unknown type (named), each naming its key.
func SnapshotOf(items []map[string]types.AttributeValue) (crm.Snapshot, error) {
	snap := crm.Snapshot{Counters: map[string]int64{}, StateCounts: map[string]int64{}}
	for _, m := range items {
		k, err := unmarshal[keys](m)
		if err == nil {
			err = snapshotItem(&snap, k, m)
		}
		if err != nil {
			return crm.Snapshot{}, fmt.Errorf("dynamo: item %s %s: %w", k.PK, k.SK, err)
		}
	}
	return snap, nil
}

// snapshotItem adds one item, whose key attributes are k, to snap.
func snapshotItem(snap *crm.Snapshot, k keys, m map[string]types.AttributeValue) error {
	if k.PK == kindConfig {
		switch {
		case k.SK == markerSeeded:
			snap.Seeded = true
		case k.SK == markerAdmin:
			snap.AdminCreated = true
		case isTabShard(k.SK): // written by ADD alone: it has no type
			for id, n := range stateCountsOf(m) {
				snap.StateCounts[id] += n
			}
		default:
			return fmt.Errorf("unknown configuration item %q", k.SK)
		}
		return nil
	}
	switch k.Type {
	case kindUnique, kindLink, kindWord, kindIdem, kindEffect:
		return nil
	case kindContact:
		return decodeInto(&snap.Contacts, contacts, m)
	case kindClient:
		return decodeInto(&snap.Parties, parties(crm.PartyClient), m)
	case kindSupplier:
		return decodeInto(&snap.Parties, parties(crm.PartySupplier), m)
	case kindOpportunity:
		return decodeInto(&snap.Opportunities, opportunities, m)
	case kindQuote:
		return decodeInto(&snap.Quotes, quotes, m)
	case kindNote:
		return decodeInto(&snap.Notes, notes, m)
	case kindFile:
		return decodeInto(&snap.Files, files, m)
	case kindSource:
		return decodeInto(&snap.Sources, sources, m)
	case kindInterest:
		return decodeInto(&snap.Interests, interests, m)
	case kindAgent:
		return decodeInto(&snap.Agents, agents, m)
	case kindState:
		return decodeInto(&snap.States, states, m)
	case kindUser:
		return decodeInto(&snap.Users, users, m)
	case kindSetting:
		return decodeInto(&snap.Settings, settings, m)
	case kindToken:
		it, err := unmarshal[tokenItem](m)
		snap.Tokens = append(snap.Tokens, tokenFromItem(it))
		return err
	case kindLead:
		it, err := unmarshal[leadItem](m)
		snap.Leads = append(snap.Leads, crm.KeyedLead{Key: strings.TrimPrefix(it.PK, kindLead+"#"), Record: leadFromItem(it)})
		return err
	case kindTimeline:
		it, err := unmarshal[timelineItem](m)
		snap.Timeline = append(snap.Timeline, timelineFromItem(it))
		return err
	case kindStats:
		it, err := unmarshal[statsItem](m)
		snap.Stats = append(snap.Stats, statsFromItem(it))
		return err
	case kindCounter:
		n, err := counterValue(m)
		snap.Counters[k.SK] = n
		return err
	}
	return fmt.Errorf("unknown item type %q", k.Type)
}

// decodeInto decodes an item of entity e and appends it to dst.
func decodeInto[T, I any](dst *[]T, e entity[T, I], m map[string]types.AttributeValue) error {
	v, err := e.decode(m)
	if err != nil {
		return err
	}
	*dst = append(*dst, v)
	return nil
}
