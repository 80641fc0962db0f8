package dynamo_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// item builds an item of string attributes.
func item(kv ...string) map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &types.AttributeValueMemberS{Value: kv[i+1]}
	}
	return m
}

// The snapshot of a table read whole (a Scan, as `embudo copy` will) holds
// each entity as the store reads it.
func TestSnapshotOfAScannedTable(t *testing.T) {
	ctx := context.Background()
	tbl := dynamotest.New(t)
	st := dynamo.New(tbl.Client, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	admin, secret, err := svc.BootstrapAdmin(ctx, "marta@example.com", "", false)
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.CreateInterest(ctx, crm.Interest{Name: "Cocinas"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateContact(ctx, admin, crm.Contact{Name: "Ana", Email: "ana@example.com", Phone: "600111222", InterestIDs: []string{in.ID}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := svc.CreateOpportunity(ctx, admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina", ApproxAmountCents: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		out, err := tbl.Client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tbl.Name), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if start = out.LastEvaluatedKey; len(start) == 0 {
			break
		}
	}
	s, err := dynamo.SnapshotOf(items)
	if err != nil {
		t.Fatal(err)
	}
	gotC, _ := svc.GetContact(ctx, c.ID)
	gotO, _ := svc.GetOpportunity(ctx, o.ID)
	gotU, _ := svc.GetUser(ctx, admin.ID)
	if !reflect.DeepEqual(s.Contacts, []crm.Contact{gotC}) || !reflect.DeepEqual(s.Opportunities, []crm.Opportunity{gotO}) ||
		!reflect.DeepEqual(s.Users, []crm.User{gotU}) || !reflect.DeepEqual(s.Interests, []crm.Interest{in}) {
		t.Errorf("entities differ from the store's:\n%+v\n%+v\n%+v", s.Contacts, s.Opportunities, s.Users)
	}
	if len(s.Tokens) != 1 || s.Tokens[0].Hash != crm.HashToken(secret) || s.Tokens[0].UserID != admin.ID {
		t.Errorf("tokens: %+v", s.Tokens)
	}
	states, _ := svc.ListStates(ctx)
	settings, _ := svc.ListNotificationSettings(ctx)
	counts, _ := st.StateCounts(ctx)
	if len(s.States) != len(states) || len(s.Settings) != len(settings) || !reflect.DeepEqual(s.StateCounts, counts) ||
		!reflect.DeepEqual(s.Counters, map[string]int64{"opportunity": 1}) || !s.Seeded || !s.AdminCreated {
		t.Errorf("states %d/%d, settings %d/%d, counts %v/%v, counters %v, seeded %v, admin %v",
			len(s.States), len(states), len(s.Settings), len(settings), s.StateCounts, counts, s.Counters, s.Seeded, s.AdminCreated)
	}
}

func TestSnapshotOfSkipsDerivedAndShortLivedItems(t *testing.T) {
	s, err := dynamo.SnapshotOf([]map[string]types.AttributeValue{
		item("PK", "UNIQUE#email#ana@example.com", "SK", "UNIQUE", "type", "UNIQUE", "owner", "01K"),
		item("PK", "INTEREST#01A", "SK", "CONTACT#01B", "type", "INTEREST_LINK", "interestId", "01A", "contactId", "01B"),
		item("PK", "IDEMPOTENCY#01U#k", "SK", "IDEMPOTENCY", "type", "IDEMPOTENCY"),
		item("PK", "EFFECT#mail-1", "SK", "EFFECT", "type", "EFFECT"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (crm.Snapshot{Counters: map[string]int64{}, StateCounts: map[string]int64{}}); !reflect.DeepEqual(s, want) {
		t.Errorf("snapshot of derived items: %+v", s)
	}
}

func TestSnapshotOfRefusesWhatItDoesNotKnow(t *testing.T) {
	for name, c := range map[string]struct {
		item map[string]types.AttributeValue
		want []string
	}{
		"unknown type":           {item("PK", "WIDGET#1", "SK", "WIDGET", "type", "WIDGET"), []string{"WIDGET#1", `"WIDGET"`}},
		"no type":                {item("PK", "THING", "SK", "X"), []string{"THING", `type ""`}},
		"unknown config":         {item("PK", "CONFIG", "SK", "COLOUR", "type", "CONFIG"), []string{"CONFIG", `"COLOUR"`}},
		"an item that is broken": {item("PK", "CONTACT#01A", "SK", "CONTACT", "type", "CONTACT", "version", "two"), []string{"CONTACT#01A"}},
	} {
		_, err := dynamo.SnapshotOf([]map[string]types.AttributeValue{c.item})
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want an error naming %s", name, err, w)
			}
		}
	}
}
