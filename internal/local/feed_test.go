package local_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/local"
)

// The change feed is what makes the local runtime's side effects happen:
// it must hand every change of the stream's item types to the handler, in
// order, until the handler takes it, across restarts, and with event IDs
// that stay unique (the handler's idempotency keys are built from them).

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func openFeedStore(t *testing.T, dir string) (*local.Store, *crm.Service) {
	t.Helper()
	s, err := local.Open(context.Background(), local.Options{DataDir: dir, Table: dynamo.Schema("embudo"), Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	return s, crm.NewService(dynamo.New(s.DB, "embudo"), crm.Config{})
}

// handled records what a handler was given.
type handled struct {
	mu   sync.Mutex
	recs []events.DynamoDBEventRecord
	// fail, when set, is asked before each record whether to fail it.
	fail func(events.DynamoDBEventRecord) bool
}

func (h *handled) handle(_ context.Context, r events.DynamoDBEventRecord) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil && h.fail(r) {
		return errors.New("handler failed")
	}
	h.recs = append(h.recs, r)
	return nil
}

func (h *handled) all() []events.DynamoDBEventRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.recs)
}

// summary is "EVENT name" per record (the contact's name in its image).
func summary(recs []events.DynamoDBEventRecord) []string {
	var out []string
	for _, r := range recs {
		img := r.Change.NewImage
		if len(img) == 0 {
			img = r.Change.OldImage
		}
		name := ""
		if v, ok := img["name"]; ok && v.DataType() == events.DataTypeString {
			name = v.String()
		}
		out = append(out, r.EventName+" "+name)
	}
	return out
}

var contactTypes = []string{"CONTACT"}

func TestFeedHandsOverTheStreamTypesInOrder(t *testing.T) {
	s, svc := openFeedStore(t, t.TempDir())
	defer s.Close()
	h := &handled{}
	feed := s.StartFeed(contactTypes, h.handle, quietLog)
	defer feed.Close()
	ctx := context.Background()
	a, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Ana", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Bea", Phone: "600111222"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateContact(ctx, a.ID, 0, func(c *crm.Contact) error { c.Name = "Ana María"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteContact(ctx, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	feed.Wait()
	got := h.all()
	// Only contacts: the e-mail and phone claims written with them are not
	// a stream type.
	if want := []string{"INSERT Ana", "INSERT Bea", "MODIFY Ana María", "REMOVE Bea"}; !slices.Equal(summary(got), want) {
		t.Fatalf("handler got %v, want %v", summary(got), want)
	}
	if got[2].Change.OldImage["name"].String() != "Ana" || got[2].EventSource != "aws:dynamodb" || got[2].Change.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Errorf("MODIFY record %+v", got[2])
	}
	for i := 1; i < len(got); i++ {
		if seq(t, got[i]) <= seq(t, got[i-1]) {
			t.Errorf("records out of order: %s after %s", got[i].Change.SequenceNumber, got[i-1].Change.SequenceNumber)
		}
	}
}

func seq(t *testing.T, r events.DynamoDBEventRecord) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(r.Change.SequenceNumber, 10, 64)
	if err != nil {
		t.Fatalf("sequence number %q: %v", r.Change.SequenceNumber, err)
	}
	return n
}

// A record the handler fails is given again until it is taken; the ones
// after it wait, so the order holds.
func TestFeedRetriesAFailedRecord(t *testing.T) {
	s, svc := openFeedStore(t, t.TempDir())
	defer s.Close()
	var mu sync.Mutex
	tries := 0
	h := &handled{fail: func(r events.DynamoDBEventRecord) bool {
		if r.Change.NewImage["name"].String() != "Ana" {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		tries++
		return tries <= 2
	}}
	feed := s.StartFeed(contactTypes, h.handle, quietLog)
	defer feed.Close()
	ctx := context.Background()
	for _, n := range []string{"Ana", "Bea"} {
		if _, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	feed.Wait()
	if want := []string{"INSERT Ana", "INSERT Bea"}; !slices.Equal(summary(h.all()), want) {
		t.Fatalf("handler took %v, want %v", summary(h.all()), want)
	}
	mu.Lock()
	defer mu.Unlock()
	if tries != 3 {
		t.Errorf("the failing record was tried %d times, want 3 (two failures, then taken)", tries)
	}
}

// Records the handler had not taken when the process stopped are handed
// over at the next start; those it had taken are not.
func TestFeedResumesWhereItStopped(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, svc := openFeedStore(t, dir)
	h1 := &handled{}
	feed := s.StartFeed(contactTypes, h1.handle, quietLog)
	if _, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Ana"}); err != nil {
		t.Fatal(err)
	}
	feed.Wait()
	feed.Close()
	// Written after the feed stopped (the process is going down).
	if _, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Bea"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, _ = openFeedStore(t, dir)
	defer s.Close()
	h2 := &handled{}
	feed = s.StartFeed(contactTypes, h2.handle, quietLog)
	defer feed.Close()
	feed.Wait()
	if got := summary(h1.all()); !slices.Equal(got, []string{"INSERT Ana"}) {
		t.Errorf("first run handled %v", got)
	}
	if got := summary(h2.all()); !slices.Equal(got, []string{"INSERT Bea"}) {
		t.Errorf("second run handled %v, want only what the first left", got)
	}
}

// Event IDs never repeat, however the process is restarted: the stream
// handler keys its "done once" markers (e-mails, timeline, counters) by
// them, and the feed skips records at or below its checkpoint. Here the
// last changes before a stop are deletions, which the log compaction at
// the next start drops.
func TestFeedEventIDsStayUniqueAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	seen := map[string]string{} // event ID -> what it was
	note := func(h *handled) {
		for _, r := range h.all() {
			if prev, ok := seen[r.EventID]; ok {
				t.Errorf("event ID %s reused: %s, and before %s", r.EventID, summary([]events.DynamoDBEventRecord{r})[0], prev)
			}
			seen[r.EventID] = summary([]events.DynamoDBEventRecord{r})[0]
		}
	}

	// Run 1: two contacts, one deleted again.
	s, svc := openFeedStore(t, dir)
	h := &handled{}
	feed := s.StartFeed(contactTypes, h.handle, quietLog)
	if _, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Ana", Email: "ana@example.com"}); err != nil {
		t.Fatal(err)
	}
	b, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Bea", Email: "bea@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteContact(ctx, b.ID, 0); err != nil {
		t.Fatal(err)
	}
	feed.Wait()
	feed.Close()
	s.Close()
	note(h)

	// Run 2: started and stopped, nothing written.
	s, _ = openFeedStore(t, dir)
	h = &handled{}
	feed = s.StartFeed(contactTypes, h.handle, quietLog)
	feed.Wait()
	feed.Close()
	s.Close()
	note(h)

	// Run 3: a new contact must reach the handler, under a new event ID.
	s, svc = openFeedStore(t, dir)
	defer s.Close()
	h = &handled{}
	feed = s.StartFeed(contactTypes, h.handle, quietLog)
	defer feed.Close()
	if _, err := svc.CreateContact(ctx, crm.User{}, crm.Contact{Name: "Carla", Email: "carla@example.com"}); err != nil {
		t.Fatal(err)
	}
	// Wait for the handler, bounded: a feed that drops the record returns
	// from Wait at once.
	feed.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := summary(h.all()); !slices.Equal(got, []string{"INSERT Carla"}) {
		t.Errorf("after two restarts, a new contact reached the handler as %v, want [INSERT Carla]", got)
	}
	note(h)
}
