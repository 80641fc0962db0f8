package awstest

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Writes are costed per KB of the larger image, for the table and each
// index entry written, twice within a transaction; the counter's writes
// say which records a transaction wrote, key by key, in order.
func TestWriteUnits(t *testing.T) {
	s := events.NewStringAttribute
	img := func(pk, gsi string, pad int) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{"PK": s(pk), "SK": s("X"), "pad": s(strings.Repeat("x", pad))}
		if gsi != "" {
			m["GSI1PK"], m["GSI1SK"] = s(gsi), s("1")
		}
		return m
	}
	rec := func(old, new map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		keys := map[string]events.DynamoDBAttributeValue{}
		for _, im := range []map[string]events.DynamoDBAttributeValue{old, new} {
			if im != nil {
				keys["PK"], keys["SK"] = im["PK"], im["SK"]
			}
		}
		return events.DynamoDBEventRecord{Change: events.DynamoDBStreamRecord{Keys: keys, OldImage: old, NewImage: new}}
	}
	c := &Counter{keys: []string{"PK", "SK"}}
	key := func(pk string) string { return `{"PK":{"S":"` + pk + `"},"SK":{"S":"X"}}` }
	c.writes = []write{{key: key("A"), transact: true}, {key: key("B")}, {key: key("A")}, {key: key("C"), transact: true}}
	idx := []Index{{"GSI1PK", "GSI1SK"}, {"GSI2PK", "GSI2SK"}}
	got := c.WriteUnits([]events.DynamoDBEventRecord{
		rec(nil, img("A", "", 10)),                // 1 KB, in a transaction: 2
		rec(nil, img("B", "G", 1500)),             // 2 KB, table and GSI1: 4
		rec(img("A", "", 10), img("A", "G", 10)),  // enters GSI1: 2
		rec(img("C", "G", 10), img("C", "H", 10)), // GSI1 key moves: table 1 + index 2, in a transaction: 6
	}, 0, idx)
	if want := (Units{Writes: 4, Transact: 2, Units: 14, IndexWrites: 4}); got != want {
		t.Errorf("units %+v, want %+v", got, want)
	}
	if got := c.WriteUnits([]events.DynamoDBEventRecord{rec(nil, img("C", "", 10))}, 3, idx); got.Transact != 1 || got.Units != 2 {
		t.Errorf("from the mark: %+v", got)
	}
}

// at() times are read in the schedule's zone.
func TestAtTime(t *testing.T) {
	got, err := atTime("at(2026-12-07T09:00:00)", "Europe/Madrid")
	if err != nil || !got.Equal(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("at() in Madrid: %v %v", got, err)
	}
	if got, err := atTime("at(2026-12-07T08:00:00)", ""); err != nil || !got.Equal(time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("at() in UTC: %v %v", got, err)
	}
	for _, bad := range []string{"rate(1 hour)", "cron(0 9 * * ? *)", "at(tomorrow)"} {
		if _, err := atTime(bad, ""); err == nil {
			t.Errorf("%s was read", bad)
		}
	}
}
