package inbound_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/inboundtest"
	"github.com/embudo/embudo/internal/inbound/reply"
	"github.com/embudo/embudo/internal/sqlite"
)

// memFiles is a Storage in memory.
type memFiles struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (m *memFiles) Put(_ context.Context, key, _ string, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		m.data = map[string][]byte{}
	}
	m.data[key] = b
	return nil
}

func (m *memFiles) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *memFiles) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

type rig struct {
	svc   *crm.Service
	st    crm.Store
	h     *inbound.Handler
	files *memFiles
	team  map[string]crm.User
}

func newRig(t testing.TB) *rig {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "embudo.db"), sqlite.Options{Synchronous: "NORMAL",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := crm.NewService(st, crm.Config{})
	if err := svc.EnsureSeeded(ctx); err != nil {
		t.Fatal(err)
	}
	team, err := inboundtest.Team(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	files := &memFiles{}
	h := &inbound.Handler{Svc: svc, Files: files, Tokens: &reply.Tokens{Key: testKey, Domain: inboundtest.Domain},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return &rig{svc: svc, st: st, h: h, files: files, team: team}
}

func verdicts(m map[string]string) inbound.Verdicts {
	return inbound.Verdicts{SPF: m["spf"], DKIM: m["dkim"], DMARC: m["dmarc"], Spam: m["spam"], Virus: m["virus"]}
}

// TestCorpus runs every message of the corpus through the handler, twice
// (the second is a redelivery: nothing new).
func TestCorpus(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, c := range inboundtest.Cases {
		t.Run(c.File, func(t *testing.T) {
			raw, err := inboundtest.Raw(c)
			if err != nil {
				t.Fatal(err)
			}
			env := inbound.Envelope{From: "bounce@example.com", To: []string{inboundtest.InboundAddr}, Verdicts: verdicts(c.Verdicts)}
			res, err := r.h.Receive(ctx, env, raw)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range inboundtest.Check(ctx, r.st, r.team, c, res.Outcome, res.ContactID, res.Reason) {
				t.Error(p)
			}
			before := r.files.count()
			again, err := r.h.Receive(ctx, env, raw)
			if err != nil || !again.Duplicate || again.RecordID != res.RecordID || r.files.count() != before {
				t.Errorf("redelivery: %+v %v (files %d → %d)", again, err, before, r.files.count())
			}
		})
	}
	admin := crm.User{ID: crm.NewID(time.Now()), Role: crm.RoleAdmin, Active: true}
	p, err := r.svc.RejectedEmails(ctx, admin, crm.ListOptions{})
	if err != nil || len(p.Items) != 2 {
		t.Fatalf("rejected list %+v %v, want the stranger and the DMARC failure", p.Items, err)
	}
	for _, rec := range p.Items {
		if rec.Extra[crm.RejectRaw] == "" || rec.Extra[crm.RejectFrom] == "" || rec.Extra[crm.RejectSubject] == "" {
			t.Errorf("rejected record without what identifies it: %+v", rec.Extra)
		}
	}
}

// TestReplyTokens: a reply to a notification becomes a note on its record;
// a forged, expired or colleague's reply address is rejected.
func TestReplyTokens(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	marta, bruno := r.team[inboundtest.MartaEmail], r.team[inboundtest.BrunoEmail]
	c, err := r.svc.CreateContact(ctx, marta, crm.Contact{Name: "Lucía", Email: "lucia@cliente.example"})
	if err != nil {
		t.Fatal(err)
	}
	opp, err := r.svc.CreateOpportunity(ctx, marta, crm.Opportunity{ContactID: c.ID, Description: "Tienda online"})
	if err != nil {
		t.Fatal(err)
	}
	addr := r.h.Tokens.Address(crm.ParentOpportunity, opp.ID, marta.ID)
	if len(addr) > 64+1+len(inboundtest.Domain) || !strings.HasPrefix(addr, "n+") {
		t.Fatalf("reply address %q (local part over 64 characters?)", addr)
	}
	msg := func(id, from, to, subject, body string) []byte {
		return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + ">\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	}
	body := "De acuerdo, lo cerramos así.\r\n\r\nEl lun, 2 mar 2026, Embudo <no-reply@acme.example> escribió:\r\n> Nueva nota en #1 Tienda online\r\n"
	res, err := r.h.Receive(ctx, inbound.Envelope{To: []string{addr}}, msg("r1@x", inboundtest.MartaEmail, addr, "Re: Nueva nota", body))
	if err != nil || res.Outcome != crm.OutcomeNoted {
		t.Fatalf("reply: %+v %v", res, err)
	}
	notes, _ := r.st.ListNotes(ctx, crm.ParentOpportunity, opp.ID, crm.ListOptions{}, nil)
	if len(notes.Items) != 1 || notes.Items[0].Text != "De acuerdo, lo cerramos así." || notes.Items[0].CreatedBy != marta.ID {
		t.Fatalf("notes on the opportunity: %+v", notes.Items)
	}
	// Upper case (some servers fold it) is the same address.
	res, err = r.h.Receive(ctx, inbound.Envelope{To: []string{strings.ToUpper(addr)}}, msg("r2@x", inboundtest.MartaEmail, addr, "Re: x", "Vale"))
	if err != nil || res.Outcome != crm.OutcomeNoted {
		t.Fatalf("reply in upper case: %+v %v", res, err)
	}
	for _, tc := range []struct {
		name, to, from, reason string
	}{
		{"colleague", addr, inboundtest.BrunoEmail, "sent to another user"},
		{"forged", "n+" + strings.Repeat("a", 52) + "@" + inboundtest.Domain, inboundtest.MartaEmail, "not one Embudo signed"},
		{"tampered", addr[:10] + flip(addr[10]) + addr[11:], inboundtest.MartaEmail, "not one Embudo signed"},
	} {
		res, err := r.h.Receive(ctx, inbound.Envelope{To: []string{tc.to}}, msg("bad-"+tc.name+"@x", tc.from, tc.to, "Re: x", "x"))
		if err != nil || res.Outcome != crm.OutcomeRejected || !strings.Contains(res.Reason, tc.reason) {
			t.Errorf("%s: %+v %v", tc.name, res, err)
		}
	}
	old := &reply.Tokens{Key: testKey, Domain: inboundtest.Domain, Now: func() time.Time { return time.Now().Add(-90 * 24 * time.Hour) }}
	expired := old.Address(crm.ParentOpportunity, opp.ID, bruno.ID)
	res, err = r.h.Receive(ctx, inbound.Envelope{To: []string{expired}}, msg("old@x", inboundtest.BrunoEmail, expired, "Re: x", "x"))
	if err != nil || res.Outcome != crm.OutcomeRejected || !strings.Contains(res.Reason, "expired") {
		t.Errorf("expired: %+v %v", res, err)
	}
}

func flip(b byte) string {
	if b == 'a' {
		return "b"
	}
	return "a"
}

// TestLimits: each limit rejects with its own reason.
func TestLimits(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.h.Limits = inbound.Limits{MaxMessageBytes: 4 << 20, MaxAttachments: 1, MaxAttachmentBytes: 1 << 20, MaxParts: 50}
	large := inboundtest.Large()
	res, err := r.h.Receive(ctx, inbound.Envelope{}, large)
	if err != nil || res.Outcome != crm.OutcomeRejected || !strings.Contains(res.Reason, "larger than the inbound limit") {
		t.Fatalf("too large: %+v %v", res, err)
	}
	r.h.Limits.MaxMessageBytes = 40 << 20
	res, err = r.h.Receive(ctx, inbound.Envelope{}, []byte(strings.Replace(string(large), "LARGE@", "LARGE2@", 1)))
	if err != nil || res.Outcome != crm.OutcomeRejected || !strings.Contains(res.Reason, "attachment is larger") {
		t.Fatalf("attachment too large: %+v %v", res, err)
	}
	raw, _ := inboundtest.Raw(inboundtest.Case{File: "apple-forward-as-attachment.eml"})
	res, err = r.h.Receive(ctx, inbound.Envelope{}, raw)
	if err != nil || res.Outcome != crm.OutcomeRejected || !strings.Contains(res.Reason, "more attachments") {
		t.Fatalf("too many attachments: %+v %v", res, err)
	}
}
