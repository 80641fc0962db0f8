package remind

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Store is what the reminders read; the adapters' crm.Store satisfies it.
type Store interface {
	GetNote(ctx context.Context, id string) (crm.Note, error)
	// PendingReminders lists pending reminders soonest first (owner
	// "PENDING": every one), those due by until when it is not zero.
	PendingReminders(ctx context.Context, owner string, until time.Time, limit int) ([]crm.Note, error)
}

// Notifier sends a note's reminder e-mail, each recipient's once
// (notify.Service).
type Notifier interface {
	Reminder(ctx context.Context, n crm.Note) error
}

// Marker records that a note's reminder went out, unless the note changed
// meanwhile (*crm.Service).
type Marker interface {
	MarkNotified(ctx context.Context, n crm.Note, at time.Time) error
}

// Service is the reminders' logic. Store, Notifier and Notes are
// required; Scheduler too, but for a runtime that only reminds and sweeps
// (the reminder function), which never calls Changed.
type Service struct {
	Store     Store
	Scheduler crm.Scheduler
	Notifier  Notifier
	Notes     Marker
	Now       func() time.Time // nil: time.Now
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Changed arms, moves or drops a note's reminder as the note changes: a
// new pending aviso time arms it, a cleared one or a deleted note disarms
// it, and a reminder whose time has already come when saved is sent at
// once. Other changes do nothing. Errors: those of the scheduler, and
// Remind's.
func (s *Service) Changed(ctx context.Context, c crm.Change) error {
	n, isNote := c.New.(crm.Note)
	o, wasNote := c.Old.(crm.Note)
	if !isNote && !wasNote {
		return nil
	}
	switch {
	case !isNote || n.AvisoAt == nil:
		if wasNote && o.Pending() {
			return s.Scheduler.Disarm(ctx, o.ID)
		}
	case n.Pending() && (!wasNote || !o.Pending() || !o.AvisoAt.Equal(*n.AvisoAt)):
		if !n.AvisoAt.After(s.now()) {
			return s.Remind(ctx, n.ID, *n.AvisoAt)
		}
		return s.Scheduler.Arm(ctx, n.ID, *n.AvisoAt)
	}
	return nil
}

// Remind sends the notify-note reminder of a note for its aviso time at
// (Notifier: to its author, or to everyone when it reminds everyone), then
// marks it notified. It does nothing for a note that is gone, whose aviso
// moved to another time, or that was notified already, so a late or
// repeated schedule sends nothing twice. Errors: internal.
func (s *Service) Remind(ctx context.Context, noteID string, at time.Time) error {
	n, err := s.Store.GetNote(ctx, noteID)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if n.AvisoAt == nil || !n.AvisoAt.Equal(at.UTC().Truncate(time.Second)) || n.NotifiedAt != nil {
		return nil
	}
	if err := s.Notifier.Reminder(ctx, n); err != nil {
		return err
	}
	return s.Notes.MarkNotified(ctx, n, s.now())
}

// Sweep sends every reminder that is due and still pending: the safety net
// for a schedule that was lost. It returns how many it sent. Errors: internal.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	due, err := s.Store.PendingReminders(ctx, "PENDING", s.now(), crm.MaxLimit)
	if err != nil {
		return 0, err
	}
	for _, n := range due {
		if err := s.Remind(ctx, n.ID, *n.AvisoAt); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// ArmPending arms every pending reminder (the first thousand, soonest
// first), for a scheduler that keeps them in memory only (Timer) when the
// runtime starts. A reminder the scheduler refuses is left to the sweep.
// Errors: internal (the store).
func (s *Service) ArmPending(ctx context.Context) error {
	pending, err := s.Store.PendingReminders(ctx, "PENDING", time.Time{}, 1000)
	if err != nil {
		return err
	}
	for _, n := range pending {
		_ = s.Scheduler.Arm(ctx, n.ID, *n.AvisoAt)
	}
	return nil
}
