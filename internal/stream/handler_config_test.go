package stream_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/stream"
)

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// An e-mail the change core does not send for want of an address is
// logged to the logger its runtime gave it (the Lambda's, the server's),
// naming the recipient: how an operator learns why an agent heard nothing.
func TestSkippedEmailIsLoggedToTheRuntimesLogger(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logged syncBuffer
	h := stream.New(stream.Config{Service: f.svc, Store: f.st, Mailer: f.mail, Scheduler: f.sched,
		Log: slog.New(slog.NewTextHandler(&logged, nil))})
	n := len(f.mail.all())
	f.contact(as(f.admin), f.admin, crm.Contact{Name: "Sin Correo", AgentID: f.agentNoMail.ID})
	if _, err := (dynamo.StreamHandler{Apply: h.Apply}).Handle(bg, f.take()); err != nil {
		t.Fatal(err)
	}
	f.expectMail(n)
	if out := logged.String(); !strings.Contains(out, "without e-mail; skipped") || !strings.Contains(out, f.agentNoMail.ID) {
		t.Errorf("the skipped e-mail to agent %s is not in the runtime's log:\n%s", f.agentNoMail.ID, out)
	}
}

// A change with nothing to record (no timeline entry, no counter, no
// e-mail, no reminder) writes nothing to the store: no marker item, no
// write unit. A change with an entry does write (the check can see
// writes).
func TestChangeWithNothingToRecordWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin
	c := f.contact(as(admin), admin, crm.Contact{Name: "Lucía"})
	f.settle()
	writes := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.pending)
	}

	edited := c
	edited.Company, edited.Version, edited.UpdatedBy = "Cocinas Lucía", c.Version+1, admin.ID
	if err := f.h.Apply(bg, crm.Change{ID: "evt-edit", Old: c, New: edited}); err != nil {
		t.Fatal(err)
	}
	if n := writes(); n != 0 {
		t.Errorf("a change with nothing to record wrote %d items", n)
	}

	client := edited
	client.ClientID, client.Version = "P01ZZZZZZZZZZZZZZZZZZZZZZZ", edited.Version+1
	if err := f.h.Apply(bg, crm.Change{ID: "evt-convert", Old: edited, New: client}); err != nil {
		t.Fatal(err)
	}
	if writes() == 0 {
		t.Error("a change with a timeline entry wrote nothing: the check cannot see writes")
	}
}
