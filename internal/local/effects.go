package local

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound/reply"
	"github.com/embudo/embudo/internal/mail"
	"github.com/embudo/embudo/internal/remind"
	"github.com/embudo/embudo/internal/sqlite"
	"github.com/embudo/embudo/internal/stream"
)

// sweepEvery is how often the local runtime looks for due reminders that
// no timer fired (the Lambda sweep runs hourly; locally it costs nothing).
const sweepEvery = time.Minute

// newMailer is the mailer of the notifications and the sign-in links: the
// outbox directory, or the SES endpoint of c.
func newMailer(c Config, log *slog.Logger) crm.Mailer {
	if c.SESEndpoint != "" {
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
		return &mail.SES{From: c.MailFrom, Client: sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(c.SESEndpoint) })}
	}
	return &mail.Outbox{Dir: filepath.Join(c.Data, "outbox"), From: c.MailFrom, Logger: log}
}

// startEffects connects the store's change feed to the change core
// (e-mails, reminders, timeline, counters), arms the pending reminders,
// and starts the sweep. It returns the function that stops it all.
func startEffects(ctx context.Context, c Config, svc *crm.Service, st *sqlite.Store, mailer crm.Mailer, tokens *reply.Tokens, log *slog.Logger) (func(), error) {
	mailer = reply.Mailer{Mailer: mailer, Tokens: tokens} // a reply becomes a note
	var h *stream.Handler                                 // set before any timer is armed
	timer := remind.NewTimer(func(ctx context.Context, p remind.Payload) {
		if err := h.Remind(ctx, p.NoteID, p.AvisoAt); err != nil {
			log.Error("reminder failed; the sweep will retry it", "note", p.NoteID, "err", err)
		}
	})
	h = stream.New(stream.Config{Service: svc, Store: st, Mailer: mailer, Scheduler: timer, AppURL: c.AppURL, Log: log})
	feed := st.StartFeed(h.Apply, log)
	if err := h.ArmPending(ctx); err != nil {
		feed.Close()
		timer.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(sweepEvery)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				if n, err := h.Sweep(sctx); err != nil {
					log.Error("reminder sweep", "err", err)
				} else if n > 0 {
					log.Info("reminder sweep sent late reminders", "count", n)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
		feed.Close()
		timer.Close()
	}, nil
}
