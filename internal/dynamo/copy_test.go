package dynamo_test

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
)

// scanAll reads a table whole, failing the test on an error.
func scanAll(t *testing.T, db dynamo.ScanAPI, table string) []map[string]types.AttributeValue {
	t.Helper()
	items, err := dynamo.ScanTable(context.Background(), db, table, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// flat lists the items of every kind.
func flat(groups []dynamo.KindItems) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	for _, g := range groups {
		out = append(out, g.Items...)
	}
	return out
}

// keyed maps items by "PK SK", leaving out the types a copy does not carry
// and the copied marker.
func keyed(items []map[string]types.AttributeValue) map[string]map[string]types.AttributeValue {
	out := map[string]map[string]types.AttributeValue{}
	for _, m := range items {
		if t, ok := m["type"].(*types.AttributeValueMemberS); ok && (t.Value == "EFFECT" || t.Value == "IDEMPOTENCY") {
			continue
		}
		c := map[string]types.AttributeValue{}
		for k, v := range m {
			if k != "copied" {
				c[k] = v
			}
		}
		out[c["PK"].(*types.AttributeValueMemberS).Value+" "+c["SK"].(*types.AttributeValueMemberS).Value] = c
	}
	return out
}

// The items a copy writes are those the store writes itself: written into
// a second table, they equal the first table's item for item (claims,
// links, counters and markers included), and the store reads them.
func TestItemsOfAreTheStoresOwnItems(t *testing.T) {
	ctx := context.Background()
	a := dynamotest.New(t)
	st := dynamo.New(a.Client, a.Name)
	svc := crm.NewService(st, crm.Config{})
	admin, secret, err := svc.BootstrapAdmin(ctx, "marta@example.com", "", false)
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.CreateInterest(ctx, crm.Interest{Name: "Cocinas"})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := svc.CreateAgent(ctx, crm.Agent{Code: "ANA", Name: "Ana", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	src, err := svc.CreateSource(ctx, crm.Source{Name: "Web", Webhook: &crm.Webhook{Kind: crm.FormatJSON}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateContact(ctx, admin, crm.Contact{Name: "Ana", Email: "ana@example.com", Phone: "600111222",
		Mobile: "699111222", InterestIDs: []string{in.ID}, AgentID: ag.ID, SourceID: src.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateOpportunity(ctx, admin, crm.Opportunity{ContactID: c.ID, Description: "Cocina"}); err != nil {
		t.Fatal(err)
	}
	aviso := time.Now().Add(time.Hour)
	if _, err := svc.CreateNote(ctx, admin, crm.ParentContact, c.ID, crm.Note{Text: "Llamar", AvisoAt: &aviso}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Convert(ctx, c.ID, crm.PartyClient); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyOnce(ctx, "rec#1", []crm.TimelineItem{{ContactID: c.ID, At: time.Now().UTC(), EventID: "1", Kind: crm.TimelineCreated}},
		[]crm.StatDelta{{SourceID: src.ID, Month: "2026-01", Field: "contacts", Delta: 1}}); err != nil {
		t.Fatal(err)
	}
	original := scanAll(t, a.Client, a.Name)
	snap, err := dynamo.SnapshotOf(original)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := dynamo.ItemsOf(snap, "2026-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	b := dynamotest.New(t)
	w := &dynamo.Writer{DB: b.Client, Table: b.Name, Workers: 3}
	if _, err := w.Write(ctx, flat(groups)); err != nil {
		t.Fatal(err)
	}
	want, got := keyed(original), keyed(scanAll(t, b.Client, b.Name))
	var wantTabs, gotTabs []map[string]types.AttributeValue
	for k, m := range want {
		g, ok := got[k]
		if strings.HasPrefix(k, "CONFIG STATE_COUNTS") && ok {
			// The store spreads the tab counts over its shards at random;
			// the copy writes them on the first: every shard with the same
			// counters, the same sum of each (below).
			if !reflect.DeepEqual(slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Keys(g))) {
				t.Errorf("%s: copied with %v, want %v", k, slices.Sorted(maps.Keys(g)), slices.Sorted(maps.Keys(m)))
			}
			wantTabs, gotTabs = append(wantTabs, m), append(gotTabs, g)
			continue
		}
		if strings.HasPrefix(k, "STATS ") && ok {
			// ApplyOnce's ADDs leave only the counters it changed; the copy
			// writes each one, those of 0 included: the same month.
			ws, _ := dynamo.SnapshotOf([]map[string]types.AttributeValue{m})
			gs, _ := dynamo.SnapshotOf([]map[string]types.AttributeValue{g})
			if !reflect.DeepEqual(ws.Stats, gs.Stats) {
				t.Errorf("%s: %+v, want %+v", k, gs.Stats, ws.Stats)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(m, g) {
			t.Errorf("%s: copied as %v, want %v", k, g, m)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("the copy wrote %s, which the store did not", k)
		}
	}
	ws, _ := dynamo.SnapshotOf(wantTabs)
	gs, _ := dynamo.SnapshotOf(gotTabs)
	if len(ws.StateCounts) == 0 || !reflect.DeepEqual(ws.StateCounts, gs.StateCounts) {
		t.Errorf("tab counts copied as %v, want %v", gs.StateCounts, ws.StateCounts)
	}
	// The copy is the store's: tokens, webhook URLs, claims and counts work.
	copy := crm.NewService(dynamo.New(b.Client, b.Name), crm.Config{})
	if u, err := copy.Authenticate(ctx, secret); err != nil || u.ID != admin.ID {
		t.Errorf("the admin's token on the copy: %v %v", u.ID, err)
	}
	if _, err := copy.CreateContact(ctx, admin, crm.Contact{Name: "Otra", Email: "ana@example.com"}); crm.ErrorCode(err) != crm.CodeConflict {
		t.Errorf("the copied e-mail is not claimed: %v", err)
	}
	if p, err := copy.ListContacts(ctx, crm.ContactFilter{InterestID: in.ID}, crm.ListOptions{Limit: 10}); err != nil || len(p.Items) != 1 {
		t.Errorf("contacts by interest on the copy: %v %v", p.Items, err)
	}
}

func TestItemsOfMarksTheStreamsTypesOnly(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	snap := crm.Snapshot{
		Contacts:  []crm.Contact{{ID: crm.NewID(at), Name: "Ana", CreatedAt: at, UpdatedAt: at, Version: 1}},
		Interests: []crm.Interest{{ID: crm.NewID(at), Name: "Cocinas", CreatedAt: at, UpdatedAt: at, Version: 1}},
		Counters:  map[string]int64{"opportunity": 3},
		Seeded:    true,
	}
	groups, err := dynamo.ItemsOf(snap, "stamp")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, g := range groups {
		kinds = append(kinds, g.Kind)
		for _, m := range g.Items {
			typ, _ := m["type"].(*types.AttributeValueMemberS)
			_, marked := m["copied"]
			if stream := typ != nil && slices.Contains(dynamo.StreamTypes, typ.Value); marked != stream {
				t.Errorf("%s item %v: marked %v", g.Kind, m["PK"], marked)
			}
		}
	}
	if !slices.Equal(kinds, dynamo.CopyKinds) {
		t.Errorf("kinds %v, want %v", kinds, dynamo.CopyKinds)
	}
}

func TestItemsOfRefusesAUniqueValueTwice(t *testing.T) {
	at := time.Now()
	snap := crm.Snapshot{Contacts: []crm.Contact{
		{ID: crm.NewID(at), Name: "Ana", Email: "ana@example.com", Version: 1},
		{ID: crm.NewID(at.Add(time.Millisecond)), Name: "Eva", Email: "ana@example.com", Version: 1},
	}}
	_, err := dynamo.ItemsOf(snap, "x")
	if crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "UNIQUE#email#ana@example.com") {
		t.Fatalf("two contacts with one e-mail: %v", err)
	}
}

// A copied item's INSERT is no change for the core; its later changes are.
func TestChangeOfACopiedItem(t *testing.T) {
	img := map[string]events.DynamoDBAttributeValue{
		"PK": events.NewStringAttribute("CONTACT#01K"), "SK": events.NewStringAttribute("CONTACT"),
		"type": events.NewStringAttribute("CONTACT"), "id": events.NewStringAttribute("01K"),
		"name": events.NewStringAttribute("Ana"), "version": events.NewNumberAttribute("1"),
		"copied": events.NewStringAttribute("2026-01-01T00:00:00Z"),
	}
	ins := events.DynamoDBEventRecord{EventID: "1", EventName: "INSERT", Change: events.DynamoDBStreamRecord{NewImage: img}}
	c, err := dynamo.ChangeOf(ins)
	if err != nil || c.Old != nil || c.New != nil || c.ID != "1" {
		t.Fatalf("a copied INSERT: %+v %v", c, err)
	}
	mod := events.DynamoDBEventRecord{EventID: "2", EventName: "MODIFY", Change: events.DynamoDBStreamRecord{OldImage: img, NewImage: img}}
	if c, err := dynamo.ChangeOf(mod); err != nil || c.Old == nil || c.New == nil {
		t.Fatalf("a MODIFY of a copied item: %+v %v", c, err)
	}
	delete(img, "copied")
	if c, err := dynamo.ChangeOf(ins); err != nil || c.New == nil {
		t.Fatalf("an INSERT of the API: %+v %v", c, err)
	}
}

// flaky answers the first batch with some items unprocessed, then with a
// throttling error, before it lets the writes through.
type flaky struct {
	dynamo.BatchWriteAPI
	mu    sync.Mutex
	calls int
}

func (f *flaky) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	switch n {
	case 1:
		for table, reqs := range in.RequestItems {
			half := map[string][]types.WriteRequest{table: reqs[:len(reqs)/2]}
			if _, err := f.BatchWriteAPI.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: half}, o...); err != nil {
				return nil, err
			}
			return &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{table: reqs[len(reqs)/2:]}}, nil
		}
	case 2:
		return nil, &smithy.GenericAPIError{Code: "ProvisionedThroughputExceededException", Message: "slow down"}
	}
	return f.BatchWriteAPI.BatchWriteItem(ctx, in, o...)
}

func TestWriterRetriesUnprocessedAndThrottled(t *testing.T) {
	tbl := dynamotest.New(t)
	var waits []time.Duration
	var mu sync.Mutex
	w := &dynamo.Writer{DB: &flaky{BatchWriteAPI: tbl.Client}, Table: tbl.Name, Workers: 1,
		Sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return nil
		}}
	var items []map[string]types.AttributeValue
	for i := range 30 {
		items = append(items, map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "COUNTER"}, "SK": &types.AttributeValueMemberS{Value: "c" + string(rune('a'+i))},
			"type": &types.AttributeValueMemberS{Value: "COUNTER"}, "n": &types.AttributeValueMemberN{Value: "1"}})
	}
	units, err := w.Write(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if units != 30 {
		t.Errorf("units %d, want 30 (one per small item)", units)
	}
	if got := scanAll(t, tbl.Client, tbl.Name); len(got) != 30 {
		t.Errorf("%d items written, want 30", len(got))
	}
	// Two waits, the second longer: backoff after the unprocessed items
	// and after the throttling (the rate cap waits 0).
	var backoffs []time.Duration
	for _, d := range waits {
		if d > 0 {
			backoffs = append(backoffs, d)
		}
	}
	if len(backoffs) != 2 || backoffs[0] > 50*time.Millisecond || backoffs[1] < 50*time.Millisecond {
		t.Errorf("backoffs %v", backoffs)
	}
}

// stuck leaves every item unprocessed.
type stuck struct{ calls int }

func (s *stuck) BatchWriteItem(_ context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	s.calls++
	return &dynamodb.BatchWriteItemOutput{UnprocessedItems: in.RequestItems}, nil
}

func TestWriterGivesUpOnABatchThatMakesNoProgress(t *testing.T) {
	s := &stuck{}
	w := &dynamo.Writer{DB: s, Table: "t", Sleep: func(context.Context, time.Duration) error { return nil }}
	_, err := w.Write(context.Background(), []map[string]types.AttributeValue{{"PK": &types.AttributeValueMemberS{Value: "A"}, "SK": &types.AttributeValueMemberS{Value: "B"}}})
	if err == nil || !strings.Contains(err.Error(), "after 10 tries") || s.calls != 10 {
		t.Fatalf("%d calls, %v", s.calls, err)
	}
}

type refusing struct{}

func (refusing) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "no"}
}

func TestWriterStopsAtARefusedBatch(t *testing.T) {
	w := &dynamo.Writer{DB: refusing{}, Table: "t"}
	_, err := w.Write(context.Background(), []map[string]types.AttributeValue{{"PK": &types.AttributeValueMemberS{Value: "A"}, "SK": &types.AttributeValueMemberS{Value: "B"}}})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Fatalf("%v", err)
	}
}

// The rate cap spaces the batches by their write units: at 50 units a
// second, batches of 25 units start half a second apart.
func TestWriterRateCap(t *testing.T) {
	tbl := dynamotest.New(t)
	var waited time.Duration
	var mu sync.Mutex
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &dynamo.Writer{DB: tbl.Client, Table: tbl.Name, Workers: 4, Rate: 50,
		Now:   func() time.Time { return clock },
		Sleep: func(_ context.Context, d time.Duration) error { mu.Lock(); waited += d; mu.Unlock(); return nil }}
	var items []map[string]types.AttributeValue
	for i := range 100 {
		items = append(items, map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "COUNTER"}, "SK": &types.AttributeValueMemberS{Value: strings.Repeat("x", i+1)},
			"n": &types.AttributeValueMemberN{Value: "1"}})
	}
	if _, err := w.Write(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	// Four batches booked at 0, 0.5, 1 and 1.5 s of a clock that stands
	// still: 3 s of waiting in all.
	if waited != 3*time.Second {
		t.Errorf("waited %v, want 3s", waited)
	}
}

func TestRemaining(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := crm.Interest{ID: crm.NewID(at), Name: "Cocinas", CreatedAt: at, UpdatedAt: at, Version: 1}
	c := crm.Contact{ID: crm.NewID(at), Name: "Ana", Email: "ana@example.com", InterestIDs: []string{in.ID}, CreatedAt: at, UpdatedAt: at, Version: 1}
	plan, err := dynamo.ItemsOf(crm.Snapshot{Contacts: []crm.Contact{c}, Interests: []crm.Interest{in}}, "first run")
	if err != nil {
		t.Fatal(err)
	}
	all := flat(plan)
	again, err := dynamo.ItemsOf(crm.Snapshot{Contacts: []crm.Contact{c}, Interests: []crm.Interest{in}}, "second run")
	if err != nil {
		t.Fatal(err)
	}
	// Half written by the first run: the second writes the rest, whatever
	// its copied stamp.
	left, done, err := dynamo.Remaining(again, all[:2])
	if err != nil || done != 2 || len(flat(left)) != len(all)-2 {
		t.Fatalf("left %d, done %d, %v", len(flat(left)), done, err)
	}
	// An item that differs is written again.
	changed := map[string]types.AttributeValue{}
	for k, v := range all[0] {
		changed[k] = v
	}
	changed["name"] = &types.AttributeValueMemberS{Value: "Otro"}
	if left, done, err := dynamo.Remaining(again, []map[string]types.AttributeValue{changed}); err != nil || done != 0 || len(flat(left)) != len(all) {
		t.Fatalf("a changed item: left %d, done %d, %v", len(flat(left)), done, err)
	}
	// An item the copy does not write: not an earlier copy.
	alien := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "STATE#X"}, "SK": &types.AttributeValueMemberS{Value: "STATE"}}
	if _, _, err := dynamo.Remaining(again, append(all, alien)); crm.ErrorCode(err) != crm.CodeConflict || !strings.Contains(err.Error(), "STATE#X") {
		t.Fatalf("a table with another item: %v", err)
	}
}

func TestItemSizeAndWriteUnits(t *testing.T) {
	m := map[string]types.AttributeValue{
		"PK":   &types.AttributeValueMemberS{Value: "CONTACT#1"},          // 2 + 9
		"n":    &types.AttributeValueMemberN{Value: "12345"},              // 1 + 4
		"ok":   &types.AttributeValueMemberBOOL{Value: true},              // 2 + 1
		"tags": &types.AttributeValueMemberSS{Value: []string{"a", "bc"}}, // 4 + 3
	}
	if got := dynamo.ItemSize(m); got != 11+5+3+7 {
		t.Errorf("size %d, want 26", got)
	}
	if got := dynamo.WriteUnits(m); got != 1 {
		t.Errorf("units %d, want 1", got)
	}
	m["GSI1PK"], m["GSI1SK"] = &types.AttributeValueMemberS{Value: "CONTACT"}, &types.AttributeValueMemberS{Value: strings.Repeat("x", 1100)}
	if got := dynamo.WriteUnits(m); got != 4 {
		t.Errorf("units of a 1.1 KB item in one index: %d, want 2 + 2", got)
	}
}
