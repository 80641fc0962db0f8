package perf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/remind"
	"github.com/embudo/embudo/internal/stream"
)

// signalling wraps the outbox and reports each e-mail's subject once it is
// written.
type signalling struct {
	mail.Outbox
	sent chan string
}

func (s *signalling) Send(ctx context.Context, e crm.Email) error {
	if err := s.Outbox.Send(ctx, e); err != nil {
		return err
	}
	s.sent <- e.Subject
	return nil
}

// BenchmarkWriteToEmail: the time from an API write (a contact created
// with an agent) to its new-contact-agent e-mail written to the outbox:
// change capture, feed, stream handler, template, .eml file. Reports p50
// and p99.
func BenchmarkWriteToEmail(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := b.TempDir()
	tbl, db := dynamotest.NewCapturing(b)
	st := dynamo.New(db, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	if _, _, err := svc.BootstrapAdmin(context.Background(), "", benchToken, false); err != nil {
		b.Fatal(err)
	}
	u, _ := svc.CreateUser(context.Background(), crm.User{Name: "Lucía", Email: "lucia@example.com", Active: true})
	ag, _ := svc.CreateAgent(context.Background(), crm.Agent{Code: "L1", Name: "Lucía", Email: "lucia@example.com", UserID: u.ID, Active: true})
	m := &signalling{Outbox: mail.Outbox{Dir: dir + "/outbox", From: "Embudo <e@example.com>", Logger: quiet}, sent: make(chan string, 16)}
	timer := remind.NewTimer(func(context.Context, remind.Payload) {})
	defer timer.Close()
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: m, Scheduler: timer, Log: quiet})
	feed := db.StartFeed(b, dynamo.StreamHandler{Apply: h.Apply}.Record)
	feed.Wait()
	api := httpapi.New(svc, httpapi.Options{Logger: quiet})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"name":"Cliente %d","agentId":%q}`, i, ag.ID)
		req := httptest.NewRequest("POST", "/v1/contacts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+benchToken)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		t0 := time.Now()
		api.ServeHTTP(w, req)
		if w.Code != 201 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		want := fmt.Sprintf("Cliente %d", i)
		for subject := range m.sent {
			if strings.Contains(subject, want) {
				break
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkStreamRecords: stream records handled per second: the records
// of contacts created with an agent (the contact INSERT, with its e-mail,
// timeline entry and counter), fed again to a fresh handler as a batch.
func BenchmarkStreamRecords(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := b.TempDir()
	tbl, db := dynamotest.NewCapturing(b)
	st := dynamo.New(db, tbl.Name)
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(context.Background()); err != nil {
		b.Fatal(err)
	}
	ag, _ := svc.CreateAgent(context.Background(), crm.Agent{Code: "L1", Name: "Lucía", Email: "lucia@example.com", Active: true})
	m := &signalling{Outbox: mail.Outbox{Dir: dir + "/outbox", From: "Embudo <e@example.com>", Logger: quiet}, sent: make(chan string, b.N+16)}
	h := stream.New(stream.Config{Service: svc, Store: st, Mailer: m, Log: quiet, Scheduler: remind.NewTimer(func(context.Context, remind.Payload) {})})
	var recs []dynamotest.Record
	db.OnChange = func(r []dynamotest.Record) { recs = append(recs, r...) }
	for i := 0; i < b.N; i++ {
		if _, err := svc.CreateContact(context.Background(), crm.User{}, crm.Contact{Name: fmt.Sprintf("C %d", i), AgentID: ag.ID}); err != nil {
			b.Fatal(err)
		}
	}
	db.OnChange = nil
	evs := dynamotest.Events(b, recs)
	b.ResetTimer()
	start := time.Now()
	for _, ev := range evs {
		if err := (dynamo.StreamHandler{Apply: h.Apply}).Record(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))/time.Since(start).Seconds(), "records/s")
}
