package mail

import (
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"testing"

	"github.com/embudo/embudo/internal/crm"
)

// A notification's reply address is its Reply-To header; a bad one is
// refused like a bad recipient, so that it cannot inject headers.
func TestOutboxReplyTo(t *testing.T) {
	dir := t.TempDir()
	o := &Outbox{Dir: dir, From: "Embudo <no-reply@acme.example>"}
	e := crm.Email{To: "marta@acme.example", Subject: "Nueva nota", Text: "x", Key: "new-opportunity-note", ReplyTo: "n+abc@in.acme.example"}
	if err := o.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Reply-To"); got != e.ReplyTo {
		t.Fatalf("Reply-To %q", got)
	}
	e.ReplyTo = "n+abc@in.acme.example\r\nBcc: x@evil.example"
	if err := o.Send(context.Background(), e); crm.ErrorCode(err) != crm.CodeInvalid {
		t.Fatalf("a Reply-To with a line break: %v", err)
	}
}
