package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/stream"
)

// searchStore is a running API over one store adapter whose changes reach
// the change core, and settle waits until every change so far is applied.
type searchStore struct {
	srv    *httptest.Server
	settle func(t *testing.T)
}

// TestNameSearchAfterAReminderFiresIsCleared: a contact search answers 200
// with the right contacts after a note's reminder fired, was cleared or
// was moved, on both store adapters. (The embedded DynamoDB emulator of
// earlier versions kept a stale entry in the reminders' sparse index, and
// every ?q= search failed with 500 from then on.)
func TestNameSearchAfterAReminderFiresIsCleared(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) searchStore{
		"sqlite": openSearchSQLite,
		"dynamo": openSearchDynamo,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			e := &env{t: t, srv: s.srv}
			jose := e.created("/v1/contacts", map[string]any{"name": "José", "surname": "Pérez"})
			e.created("/v1/contacts", map[string]any{"name": "Josefa", "surname": "Luna"})
			e.created("/v1/contacts", map[string]any{"name": "Ana", "surname": "Ruiz"})
			search := func(step string) {
				t.Helper()
				res := e.admin_(http.MethodGet, "/v1/contacts?q=jos", nil)
				if res.Status != http.StatusOK {
					t.Fatalf("after %s: search answered %d: %s", step, res.Status, res.Body)
				}
				got, want := names(e.itemsOf(res)), []string{"José", "Josefa"}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("after %s: search found %v", step, got)
				}
			}
			notes := "/v1/contacts/" + id(jose) + "/notes"
			past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
			future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)

			fired := e.created(notes, map[string]any{"text": "llamar", "avisoAt": past})
			s.settle(t)
			if got := e.admin_(http.MethodGet, "/v1/notes/"+id(fired), nil).json(t); got["notifiedAt"] == nil {
				t.Fatalf("the past reminder did not fire: %v", got)
			}
			search("a reminder fired")

			cleared := e.created(notes, map[string]any{"text": "visitar", "avisoAt": future})
			s.settle(t)
			search("a reminder was set")
			wantStatus(t, e.admin_(http.MethodPatch, "/v1/notes/"+id(cleared), map[string]any{"avisoAt": nil}, "If-Match", `"1"`), http.StatusOK)
			s.settle(t)
			search("a reminder was cleared")

			moved := e.created(notes, map[string]any{"text": "enviar", "avisoAt": future})
			s.settle(t)
			later := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
			wantStatus(t, e.admin_(http.MethodPatch, "/v1/notes/"+id(moved), map[string]any{"avisoAt": later}, "If-Match", `"1"`), http.StatusOK)
			s.settle(t)
			search("a reminder was moved")
		})
	}
}

// itemsOf reads a list response's items.
func (e *env) itemsOf(res response) []map[string]any {
	e.t.Helper()
	var page struct {
		Items []map[string]any `json:"items"`
	}
	mustUnmarshal(e.t, res.Body, &page)
	return page.Items
}

// searchAPI bootstraps the admin and serves the API over svc.
func searchAPI(t *testing.T, svc *crm.Service, st crm.Store) *httptest.Server {
	t.Helper()
	if err := svc.EnsureSeeded(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.BootstrapAdmin(context.Background(), "admin@example.com", adminToken, false); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(svc, httpapi.Options{TokenCacheTTL: -1, Idempotency: st}))
	t.Cleanup(srv.Close)
	return srv
}

func openSearchSQLite(t *testing.T) searchStore {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "embudo.db"), sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	svc := crm.NewService(st, crm.Config{})
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: &sentMail{}, Scheduler: &armedReminders{armed: map[string]time.Time{}}, Log: quiet})
	feed := st.StartFeed(h.Apply, quiet)
	t.Cleanup(feed.Close)
	return searchStore{srv: searchAPI(t, svc, st), settle: func(t *testing.T) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := feed.Drain(ctx); err != nil {
			t.Fatalf("the change feed did not catch up: %v", err)
		}
	}}
}

func openSearchDynamo(t *testing.T) searchStore {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tbl, db := dynamotest.NewCapturing(t)
	st := dynamo.New(db, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: &sentMail{}, Scheduler: &armedReminders{armed: map[string]time.Time{}}, Log: quiet})
	feed := db.StartFeed(t, func(ctx context.Context, rec events.DynamoDBEventRecord) error {
		return (dynamo.StreamHandler{Apply: h.Apply}).Record(ctx, rec)
	})
	return searchStore{srv: searchAPI(t, svc, st), settle: func(*testing.T) { feed.Wait() }}
}
