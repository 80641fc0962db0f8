// Package stream is the change core: every change of a stored entity
// reaches Handler.Apply as a typed crm.Change, which it dispatches to the
// effects — the note's reminder (internal/remind), the contact timeline and
// the per-source monthly counters (history.go, here), the change-driven
// notification e-mails (internal/notify) — each once. It imports no AWS
// code: the stream Lambda converts DynamoDB stream records into changes
// (dynamo.StreamHandler), and the embedded store's outbox feed hands over
// the same changes under `embudo serve`.
package stream

import (
	"context"
	"log/slog"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/notify"
	"github.com/embudo/embudo/internal/remind"
)

// Store is what the effects read and write in the store, each part
// narrow: the e-mails' reads and once-markers (notify.Store), the notes of
// the reminders (remind.Store), and the timeline's: the names its entries
// show and the one write of a change's entries and counters. The adapters'
// crm.Store satisfies it.
type Store interface {
	notify.Store
	remind.Store
	GetSource(ctx context.Context, id string) (crm.Source, error)
	// ApplyOnce writes timeline items and counter changes once under key,
	// so that a change delivered again applies nothing (crm.EffectStore);
	// a change's items are the same on every delivery (history.go).
	ApplyOnce(ctx context.Context, key string, items []crm.TimelineItem, stats []crm.StatDelta) (bool, error)
}

// Config is what the change core is built from: the use cases it asks
// (pipeline states, notification settings, the time zone, marking a
// reminder sent), the store its effects read and write, and the adapters
// that send e-mail and arm reminders.
type Config struct {
	Service   *crm.Service
	Store     Store
	Mailer    crm.Mailer
	Scheduler crm.Scheduler    // nil for a runtime that only reminds and sweeps (the reminder function)
	AppURL    string           // links in e-mails: AppURL + path ("" for no link)
	Log       *slog.Logger     // nil: slog's default
	Now       func() time.Time // nil: time.Now
}

// Handler applies the effects of changes.
type Handler struct {
	svc    *crm.Service
	store  Store
	notify *notify.Service
	remind *remind.Service
	now    func() time.Time
}

// New returns the change core of c. Every runtime builds it here: the
// stream function (SES, EventBridge Scheduler), the reminder function,
// which only reminds and sweeps and so has no scheduler, and `embudo
// serve` (the outbox or an SES emulator, a local timer).
func New(c Config) *Handler {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	n := &notify.Service{Store: c.Store, Settings: c.Service, Mailer: c.Mailer, AppURL: c.AppURL,
		TimeZone: c.Service.TimeZone(), Log: c.Log}
	return &Handler{svc: c.Service, store: c.Store, notify: n, now: c.Now,
		remind: &remind.Service{Store: c.Store, Scheduler: c.Scheduler, Notifier: n, Notes: c.Service, Now: c.Now}}
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
	if err := h.remind.Changed(ctx, c); err != nil {
		return err
	}
	items, stats, err := h.history(ctx, c.ID, c.Old, c.New)
	if err != nil {
		return err
	}
	if len(items)+len(stats) > 0 {
		if _, err := h.store.ApplyOnce(ctx, "rec#"+c.ID, items, stats); err != nil {
			return err
		}
	}
	return h.notify.Changed(ctx, c)
}

// Remind sends a note's reminder for its aviso time at, when the note is
// still due then (remind.Service.Remind): what the reminder function and
// the local timer call when a reminder fires. Errors: internal.
func (h *Handler) Remind(ctx context.Context, noteID string, at time.Time) error {
	return h.remind.Remind(ctx, noteID, at)
}

// Sweep sends every due reminder still pending and returns how many
// (remind.Service.Sweep). Errors: internal.
func (h *Handler) Sweep(ctx context.Context) (int, error) { return h.remind.Sweep(ctx) }

// ArmPending arms every pending reminder (remind.Service.ArmPending), for
// a scheduler that forgets them when the runtime stops. Errors: internal.
func (h *Handler) ArmPending(ctx context.Context) error { return h.remind.ArmPending(ctx) }
