package dynamo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

const (
	kindEffect   = "EFFECT"
	kindTimeline = "TIMELINE"
	kindStats    = "STATS"
	// effectTTL keeps markers longer than the stream keeps records (24 h).
	effectTTL = 14 * 24 * time.Hour
)

type timelineItem struct {
	keys
	ContactID string    `dynamodbav:"contactId"`
	At        time.Time `dynamodbav:"at"`
	EventID   string    `dynamodbav:"eventId"`
	Kind      string    `dynamodbav:"kind"`
	Summary   string    `dynamodbav:"summary,omitempty"`
	RefKind   string    `dynamodbav:"refKind,omitempty"`
	RefID     string    `dynamodbav:"refId,omitempty"`
	Actor     string    `dynamodbav:"actor,omitempty"`
	ActorName string    `dynamodbav:"actorName,omitempty"`
	PrivateTo string    `dynamodbav:"privateTo,omitempty"`
}

func timelineKey(t crm.TimelineItem) (string, string) {
	return kindContact + "#" + t.ContactID, "TL#" + t.At.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + t.EventID + "#" + string(t.Kind)
}

func markerKey(k string) map[string]types.AttributeValue { return key(kindEffect+"#"+k, kindEffect) }

func (s *Store) markerItem(k string) map[string]types.AttributeValue {
	m := markerKey(k)
	m[attrType] = str(kindEffect)
	m[attrTTL] = num(strconv.FormatInt(s.now().Add(effectTTL).Unix(), 10))
	return m
}

// ApplyOnce implements crm.EffectStore in one TransactWriteItems: the
// marker (new, or an expired one), the timeline items, one ADD per stats
// row. Under the context of a stream batch (StreamHandler.Handle) it only
// keeps them, for the end of the batch, which writes them without a
// transaction per record (effects_batch.go), and reports them applied.
func (s *Store) ApplyOnce(ctx context.Context, k string, items []crm.TimelineItem, stats []crm.StatDelta) (bool, error) {
	if b := batchOf(ctx); b != nil {
		b.keep(s, k, items, stats)
		return true, nil
	}
	applied := true
	t := s.tx()
	t.put(s.markerItem(k), "attribute_not_exists(PK) OR #ttl <= :now", map[string]types.AttributeValue{":now": num(strconv.FormatInt(s.now().Unix(), 10))},
		func(context.Context) error { applied = false; return nil })
	t.ops[len(t.ops)-1].item.Put.ExpressionAttributeNames = map[string]string{"#ttl": attrTTL}
	timelineOps(t, items)
	s.statsOps(t, stats)
	if err := t.run(ctx); err != nil {
		return false, err
	}
	return applied, nil
}

func sourceOrNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// ClaimOnce implements crm.EffectStore with one conditional PutItem.
func (s *Store) ClaimOnce(ctx context.Context, k string) (bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: s.markerItem(k),
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #ttl <= :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(strconv.FormatInt(s.now().Unix(), 10))}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, crm.Internal(err)
	}
	return true, nil
}

// Release implements crm.EffectStore with one DeleteItem.
func (s *Store) Release(ctx context.Context, k string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: markerKey(k)}); err != nil {
		return crm.Internal(err)
	}
	return nil
}

// Timeline implements crm.EffectStore with one Query in the contact's
// partition.
func (s *Store) Timeline(ctx context.Context, contactID string, o crm.ListOptions, accept func(crm.TimelineItem) bool) (crm.Page[crm.TimelineItem], error) {
	decode := func(m map[string]types.AttributeValue) (crm.TimelineItem, error) {
		it, err := unmarshal[timelineItem](m)
		return timelineFromItem(it), err
	}
	return page(ctx, s, query{pk: kindContact + "#" + contactID, prefix: "TL#"}, "timeline", o, nil, decode, accept)
}

func timelineToItem(it crm.TimelineItem) timelineItem {
	pk, sk := timelineKey(it)
	return timelineItem{keys: keys{PK: pk, SK: sk, Type: kindTimeline}, ContactID: it.ContactID, At: it.At, EventID: it.EventID,
		Kind: string(it.Kind), Summary: it.Summary, RefKind: it.RefKind, RefID: it.RefID, Actor: it.Actor, ActorName: it.ActorName, PrivateTo: it.PrivateTo}
}

func timelineFromItem(it timelineItem) crm.TimelineItem {
	return crm.TimelineItem{ContactID: it.ContactID, At: it.At, EventID: it.EventID, Kind: crm.TimelineKind(it.Kind),
		Summary: it.Summary, RefKind: it.RefKind, RefID: it.RefID, Actor: it.Actor, ActorName: it.ActorName, PrivateTo: it.PrivateTo}
}

type statsItem struct {
	keys
	SourceID       string `dynamodbav:"sourceId"`
	Month          string `dynamodbav:"month"`
	Leads          int64  `dynamodbav:"leads"`
	Contacts       int64  `dynamodbav:"contacts"`
	Opportunities  int64  `dynamodbav:"opportunities"`
	Won            int64  `dynamodbav:"won"`
	Lost           int64  `dynamodbav:"lost"`
	WonAmountCents int64  `dynamodbav:"wonAmountCents"`
}

// statsToItem is a month's counters of a source as the ADDs of ApplyOnce
// leave them (every counter present; ApplyOnce adds only those that change).
func statsToItem(m crm.SourceMonth) statsItem {
	src := sourceOrNone(m.SourceID)
	return statsItem{keys: keys{PK: kindStats, SK: m.Month + "#" + src, Type: kindStats}, SourceID: src, Month: m.Month,
		Leads: m.Leads, Contacts: m.Contacts, Opportunities: m.Opportunities, Won: m.Won, Lost: m.Lost, WonAmountCents: m.WonAmountCents}
}

func statsFromItem(it statsItem) crm.SourceMonth {
	src := it.SourceID
	if src == "none" {
		src = ""
	}
	return crm.SourceMonth{SourceID: src, Month: it.Month, Leads: it.Leads, Contacts: it.Contacts,
		Opportunities: it.Opportunities, Won: it.Won, Lost: it.Lost, WonAmountCents: it.WonAmountCents}
}

// Stats implements crm.EffectStore with one Query (SK between the months).
func (s *Store) Stats(ctx context.Context, from, to string) ([]crm.SourceMonth, error) {
	var out []crm.SourceMonth
	var start map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table),
			KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :a AND :b"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(kindStats), ":a": str(from), ":b": str(to + "#\uffff")},
			ExclusiveStartKey:         start})
		if err != nil {
			return nil, crm.Internal(err)
		}
		for _, m := range res.Items {
			it, err := unmarshal[statsItem](m)
			if err != nil {
				return nil, err
			}
			out = append(out, statsFromItem(it))
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = res.LastEvaluatedKey
	}
}
