package stream

import (
	"context"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/notify"
)

// schedule arms, moves or drops a note's reminder as the note changes. A
// reminder whose time has already come when saved is sent at once.
func (h *Handler) schedule(ctx context.Context, old, new crm.Entity) error {
	n, isNote := new.(crm.Note)
	o, wasNote := old.(crm.Note)
	if !isNote && !wasNote {
		return nil
	}
	switch {
	case !isNote || n.AvisoAt == nil:
		if wasNote && o.Pending() {
			return h.Scheduler.Disarm(ctx, o.ID)
		}
	case n.Pending() && (!wasNote || !o.Pending() || !o.AvisoAt.Equal(*n.AvisoAt)):
		if !n.AvisoAt.After(h.now()) {
			return h.Remind(ctx, n.ID, *n.AvisoAt)
		}
		return h.Scheduler.Arm(ctx, n.ID, *n.AvisoAt)
	}
	return nil
}

// Remind sends the notify-note reminder of a note for its aviso time at:
// to its author, or to every active user with an e-mail when it reminds
// everyone; then marks it notified. It does nothing for a note that is
// gone, whose aviso moved to another time, or that was notified already,
// so a late or repeated schedule sends nothing twice. Errors: internal.
func (h *Handler) Remind(ctx context.Context, noteID string, at time.Time) error {
	n, err := h.Svc.Store().GetNote(ctx, noteID)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if n.AvisoAt == nil || !n.AvisoAt.Equal(at.UTC().Truncate(time.Second)) || n.NotifiedAt != nil {
		return nil
	}
	settings, err := h.Svc.CurrentSettings(ctx)
	if err != nil {
		return err
	}
	set := settingOf(settings, crm.NotifyNote)
	// The e-mail names the note's author and, for a note on an
	// opportunity, the opportunity, and links to it.
	in := notify.Intent{Key: crm.NotifyNote, ContactID: n.ContactID, Note: &n, Actor: n.CreatedBy}
	if n.ParentKind == crm.ParentOpportunity {
		o, err := h.Svc.Store().GetOpportunity(ctx, n.ParentID)
		if err != nil && crm.ErrorCode(err) != crm.CodeNotFound {
			return err
		}
		if err == nil {
			in.Opportunity = &o
		}
	}
	var to []crm.User
	if n.RemindAll && n.Visibility == crm.VisibilityTeam {
		p, err := h.Svc.Store().ListUsers(ctx, crm.ListOptions{Limit: 1000})
		if err != nil {
			return err
		}
		to = p.Items
	} else if u, err := h.Svc.Store().GetUser(ctx, n.CreatedBy); err == nil {
		to = []crm.User{u}
	} else if crm.ErrorCode(err) != crm.CodeNotFound {
		return err
	}
	if set.Enabled {
		for _, u := range to {
			if !u.Active || u.Email == "" {
				continue
			}
			r := recipient{UserID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang, Active: true}
			m, err := h.message(ctx, in, r)
			if err != nil {
				return err
			}
			m.AvisoAt = *n.AvisoAt
			key := "remind#" + n.ID + "#" + n.AvisoAt.Format(time.RFC3339) + "#" + u.ID
			if err := h.deliver(ctx, key, m, r, set, about(in, r)); err != nil {
				return err
			}
		}
	}
	return h.Svc.MarkNotified(ctx, n, h.now())
}

// Sweep sends every reminder that is due and still pending: the safety net
// for a schedule that was lost. It returns how many it sent. Errors: internal.
func (h *Handler) Sweep(ctx context.Context) (int, error) {
	due, err := h.Svc.Store().PendingReminders(ctx, "PENDING", h.now(), crm.MaxLimit)
	if err != nil {
		return 0, err
	}
	for _, n := range due {
		if err := h.Remind(ctx, n.ID, *n.AvisoAt); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
