// Package stream is the change core: it turns every change of a stored
// entity into its side effects — the change-driven notification e-mails,
// reminder schedules, the contact timeline and the per-source monthly
// counters. It takes typed changes (crm.Change) and imports no AWS code:
// the stream Lambda converts DynamoDB stream records into changes
// (dynamo.StreamHandler), and the embedded store's outbox feed hands over
// the same changes under `embudo serve`.
package stream

import (
	"context"
	"log/slog"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Handler applies the effects of changes.
type Handler struct {
	Svc       *crm.Service
	Mailer    crm.Mailer
	Scheduler crm.Scheduler
	AppURL    string // links in e-mails: AppURL + path ("" for no link)
	Log       *slog.Logger
	Now       func() time.Time
}

// New returns the change core over svc: e-mails sent through mailer with
// links to appURL ("" for none), reminders armed through scheduler, lines
// logged on log (nil for slog's default). Every runtime builds it here: the
// stream function (SES, EventBridge Scheduler), the reminder function,
// which only reminds and sweeps and so passes no scheduler, and `embudo
// serve` (the outbox or an SES emulator, a local timer).
func New(svc *crm.Service, mailer crm.Mailer, scheduler crm.Scheduler, appURL string, log *slog.Logger) *Handler {
	return &Handler{Svc: svc, Mailer: mailer, Scheduler: scheduler, AppURL: appURL, Log: log}
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// Apply applies one change's effects: the reminder schedule, the timeline
// entries and counter changes (written once, under a marker of the change's
// ID), then the e-mails (each guarded by its own marker). A change
// delivered again therefore sends no e-mail twice and counts nothing twice.
// Errors: those of the store, mailer and scheduler; the caller retries the
// change.
func (h *Handler) Apply(ctx context.Context, c crm.Change) error {
	if c.Old == nil && c.New == nil {
		return nil
	}
	if err := h.schedule(ctx, c.Old, c.New); err != nil {
		return err
	}
	items, stats, err := h.history(ctx, c.ID, c.Old, c.New)
	if err != nil {
		return err
	}
	if len(items)+len(stats) > 0 {
		if _, err := h.Svc.Store().ApplyOnce(ctx, "rec#"+c.ID, items, stats); err != nil {
			return err
		}
	}
	return h.notify(ctx, c.ID, c.Old, c.New)
}
