package local

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/inbound/inboundtest"
)

// BenchmarkInboundReply measures a reply of 100 KB (a text and a 70 KB
// attachment) to a notification, from the SMTP DATA to the note stored
// and its new-opportunity-note e-mail written to the outbox, on the
// embedded database: p50 and p99 in ms (docs/performance.md).
func BenchmarkInboundReply(b *testing.B) {
	r := start(b)
	ids := r.users(b)
	var agent, contact, opp struct{ ID string }
	r.api(b, "POST", "/v1/agents", map[string]any{"code": "BRUNO", "name": "Bruno Díaz", "email": inboundtest.BrunoEmail, "active": true}, &agent)
	r.api(b, "POST", "/v1/contacts", map[string]any{"name": "Lucía", "email": "lucia@cliente.example"}, &contact)
	r.api(b, "POST", "/v1/opportunities", map[string]any{"contactId": contact.ID, "description": "Tienda online",
		"assigneeId": ids[inboundtest.MartaEmail], "agentId": agent.ID}, &opp)
	outbox := filepath.Join(r.data, "outbox")
	waitFiles(b, outbox, "new-opportunity-assignee", 1)
	notice := mails(b, outbox, "new-opportunity-assignee")[0]
	replyTo := notice.Header.Get("Reply-To")
	text := strings.Repeat("Hablado con Lucía: firma el lunes y quiere el catálogo impreso.\r\n", 450) // 29 KB
	att := make([]byte, 52<<10)
	for i := range att {
		att[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(att)
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	msg := func(i int) []byte {
		return []byte("From: Marta Ruiz <" + inboundtest.MartaEmail + ">\r\nTo: " + replyTo + "\r\nSubject: Re: x\r\n" +
			fmt.Sprintf("Message-ID: <bench-%d-%d@acme.example>\r\n", time.Now().UnixNano(), i) +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			text + "\r\n--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + strings.Join(lines, "\r\n") + "\r\n--b--\r\n")
	}
	if n := len(msg(0)); n < 95<<10 || n > 105<<10 {
		b.Fatalf("the message has %d bytes, not about 100 KB", n)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw := msg(i)
		start := time.Now()
		if err := r.send(inboundtest.MartaEmail, replyTo, raw); err != nil {
			b.Fatal(err)
		}
		waitFiles(b, outbox, "new-opportunity-note", i+1)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// waitFiles waits until the outbox holds n e-mails of key.
func waitFiles(b *testing.B, dir, key string, n int) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*-"+key+"-*.eml"))
		if len(files) >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d %s e-mails in the outbox, want %d", len(files), key, n)
		}
		time.Sleep(time.Millisecond)
	}
}
