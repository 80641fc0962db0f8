package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/emulate"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/inboundtest"
	"github.com/embudo/embudo/internal/rietest"
)

// bucket is an S3 endpoint (path style) in memory: GET, PUT and DELETE of
// /<bucket>/<key>, signatures unchecked.
type bucket struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (b *bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	key := r.URL.Path
	switch r.Method {
	case http.MethodPut:
		data, _ := io.ReadAll(r.Body)
		b.objects[key] = data
	case http.MethodGet:
		data, ok := b.objects[key]
		if !ok {
			http.Error(w, "NoSuchKey", http.StatusNotFound)
			return
		}
		w.Write(data)
	case http.MethodDelete:
		delete(b.objects, key)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "method", http.StatusMethodNotAllowed)
	}
}

func (b *bucket) count(prefix string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

// TestEventsUnderEmulator runs the built bootstrap under aws-lambda-rie
// against minidyn (the table of template.yaml) and an S3 endpoint holding
// the messages the receipt rule stored, and invokes it with every
// events/inbound-*.json, twice (Lambda retries asynchronous invocations).
func TestEventsUnderEmulator(t *testing.T) {
	bootstrap := rietest.Build(t, ".")
	ctx := context.Background()
	dbURL, client, table := emulate.Table(t, "../../template.yaml")
	st := dynamo.New(client, table)
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	team, err := inboundtest.Team(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	s3 := &bucket{objects: map[string][]byte{}}
	srv := httptest.NewServer(s3)
	t.Cleanup(srv.Close)
	emu := rietest.Start(t, bootstrap, []string{
		"TABLE_NAME=" + table,
		"DYNAMODB_ENDPOINT=" + dbURL,
		"FILES_BUCKET=embudo-files",
		"S3_ENDPOINT=" + srv.URL,
		"INBOUND_DOMAIN=" + inboundtest.Domain,
		"REPLY_TOKEN_KEY=rie-test-reply-key-0123456789abcdef",
	})
	cases := map[string]inboundtest.Case{}
	for _, c := range inboundtest.Cases {
		cases[c.File] = c
	}
	expect := map[string]inboundtest.Case{
		"inbound-bcc.json":              cases["gmail-bcc-alternative.eml"],
		"inbound-forward.json":          cases["apple-forward-as-attachment.eml"],
		"inbound-large-attachment.json": cases[inboundtest.LargeFile],
		"inbound-dmarc-fail.json":       cases["spoofed-dmarc-fail.eml"],
		"inbound-stranger.json":         cases["stranger.eml"],
	}
	// The large message is about a contact its own message created.
	pedro, err := svc.CreateContact(ctx, team[inboundtest.MartaEmail], crm.Contact{Name: "Pedro Gómez", Email: "pedro.gomez@proveedor.example"})
	if err != nil {
		t.Fatal(err)
	}
	_ = pedro
	rietest.EachEvent(t, "inbound-*.json", expect, func(t *testing.T, c inboundtest.Case, payload []byte) {
		var ev events.SimpleEmailEvent
		if err := json.Unmarshal(payload, &ev); err != nil || len(ev.Records) != 1 {
			t.Fatalf("not an SES receipt event (%v)", err)
		}
		raw, err := inboundtest.Raw(c)
		if err != nil {
			t.Fatal(err)
		}
		s3.mu.Lock()
		s3.objects["/embudo-files/inbound/"+ev.Records[0].SES.Mail.MessageID] = raw
		s3.mu.Unlock()
		var first []inbound.Result
		for round := 1; round <= 2; round++ {
			var res []inbound.Result
			emu.CallJSON(t, payload, &res)
			if len(res) != 1 {
				t.Fatalf("results %+v", res)
			}
			if round == 1 {
				first = res
				for _, p := range inboundtest.Check(ctx, st, team, c, res[0].Outcome, res[0].ContactID, res[0].Reason) {
					t.Error(p)
				}
			} else if !res[0].Duplicate || res[0].RecordID != first[0].RecordID {
				t.Errorf("the second delivery: %+v, want the first's record %s", res[0], first[0].RecordID)
			}
		}
	})
	if n := s3.count("/embudo-files/files/"); n != 6 {
		t.Errorf("%d files written to the bucket, want 6 (three originals, the forward's .eml and PDF, the 10 MiB PDF)", n)
	}
}
