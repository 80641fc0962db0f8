package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Store is what the notifications read (the records an e-mail names and
// its recipients) and the markers that send each e-mail once; the
// adapters' crm.Store satisfies it.
type Store interface {
	GetUser(ctx context.Context, id string) (crm.User, error)
	ListUsers(ctx context.Context, o crm.ListOptions) (crm.Page[crm.User], error)
	GetAgent(ctx context.Context, id string) (crm.Agent, error)
	GetContact(ctx context.Context, id string) (crm.Contact, error)
	GetOpportunity(ctx context.Context, id string) (crm.Opportunity, error)
	// ClaimOnce records key before an e-mail is sent, false when it was
	// recorded before; Release forgets it when sending failed, so that a
	// retry sends it (crm.EffectStore).
	ClaimOnce(ctx context.Context, key string) (bool, error)
	Release(ctx context.Context, key string) error
}

// Settings gives the notification settings in force (on or off, template
// overrides); *crm.Service satisfies it, reading them at most every few
// seconds.
type Settings interface {
	CurrentSettings(ctx context.Context) ([]crm.NotificationSetting, error)
}

// Service sends the notification e-mails, each once: the change-driven
// ones (Changed) and a note's reminder (Reminder). Store, Settings and
// Mailer are required.
type Service struct {
	Store    Store
	Settings Settings
	Mailer   crm.Mailer
	AppURL   string         // links in e-mails: AppURL + path ("" for no link)
	TimeZone *time.Location // the company time zone a reminder's time is written in (nil: UTC)
	Log      *slog.Logger   // nil: slog's default
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Changed sends the e-mails a change calls for (Rules): each skipped when
// its setting is off or its recipient is the one who caused it, inactive
// or without an e-mail; one per address and notification even when a user
// is also the agent; each guarded by a marker keyed by the change's ID, so
// that a change delivered again sends nothing twice. Errors: those of the
// store and the mailer (the caller retries the change); an address the
// mailer refuses is logged and skipped.
func (s *Service) Changed(ctx context.Context, c crm.Change) error {
	var opp *crm.Opportunity
	parent := ""
	switch n := c.New.(type) {
	case crm.Note:
		if c.Old == nil && n.ParentKind == crm.ParentOpportunity && n.Visibility == crm.VisibilityTeam {
			parent = n.ParentID
		}
	case crm.File:
		if n.ParentKind == crm.ParentOpportunity && n.Status == crm.FileComplete {
			parent = n.ParentID
		}
	}
	if parent != "" {
		o, err := s.Store.GetOpportunity(ctx, parent)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		opp = &o
	}
	intents := Rules(c.Old, c.New, opp)
	if len(intents) == 0 {
		return nil
	}
	settings, err := s.Settings.CurrentSettings(ctx)
	if err != nil {
		return err
	}
	sent := map[string]bool{} // one e-mail per address, even when a user is also the agent
	for _, in := range intents {
		if err := s.send(ctx, c.ID, in, settings, sent); err != nil {
			return err
		}
	}
	return nil
}

// Reminder sends the notify-note e-mail of a note whose aviso time has
// come: to its author, or to every active user with an e-mail when a team
// note reminds everyone; nothing when the setting is off. It names the
// note's author and, for a note on an opportunity, the opportunity, and
// links to it. Each recipient's e-mail is guarded by a marker of the note,
// its aviso time and the user, so that a reminder fired again sends
// nothing twice. Whether the note is still due is the caller's (the
// reminders, internal/remind). Errors: those of the store and the mailer.
func (s *Service) Reminder(ctx context.Context, n crm.Note) error {
	settings, err := s.Settings.CurrentSettings(ctx)
	if err != nil {
		return err
	}
	set := settingOf(settings, crm.NotifyNote)
	in := Intent{Key: crm.NotifyNote, ContactID: n.ContactID, Note: &n, Actor: n.CreatedBy}
	if n.ParentKind == crm.ParentOpportunity {
		o, err := s.Store.GetOpportunity(ctx, n.ParentID)
		if err != nil && crm.ErrorCode(err) != crm.CodeNotFound {
			return err
		}
		if err == nil {
			in.Opportunity = &o
		}
	}
	to, err := s.reminded(ctx, n)
	if err != nil {
		return err
	}
	if !set.Enabled {
		return nil
	}
	for _, u := range to {
		if !u.Active || u.Email == "" {
			continue
		}
		r := recipient{UserID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang, Active: true}
		m, err := s.message(ctx, in, r)
		if err != nil {
			return err
		}
		m.AvisoAt = *n.AvisoAt
		key := "remind#" + n.ID + "#" + n.AvisoAt.Format(time.RFC3339) + "#" + u.ID
		if err := s.deliver(ctx, key, m, r, set, about(in, r)); err != nil {
			return err
		}
	}
	return nil
}

// send sends one intent's e-mail once: skipped when the key is disabled,
// the recipient is its actor, inactive or has no e-mail; guarded by a
// marker so that a redelivered record does not send it again.
func (s *Service) send(ctx context.Context, eventID string, in Intent, settings []crm.NotificationSetting, sent map[string]bool) error {
	set := settingOf(settings, in.Key)
	if !set.Enabled {
		return nil
	}
	r, err := s.resolve(ctx, in.Kind, in.RecipientID)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		s.log().WarnContext(ctx, "notification recipient is gone; skipped", "key", in.Key, "recipient", in.RecipientID)
		return nil
	}
	if err != nil {
		return err
	}
	if r.UserID != "" && r.UserID == in.Actor {
		return nil // never the person who caused it
	}
	if !r.Active || r.Email == "" {
		s.log().InfoContext(ctx, "notification recipient inactive or without e-mail; skipped", "key", in.Key, "recipient", in.RecipientID)
		return nil
	}
	if sent[in.Key+" "+r.Email] {
		return nil
	}
	sent[in.Key+" "+r.Email] = true
	msg, err := s.message(ctx, in, r)
	if err != nil {
		return err
	}
	return s.deliver(ctx, "mail#"+eventID+"#"+in.Key+"#"+string(in.Kind)+"#"+in.RecipientID, msg, r, set, about(in, r))
}

// deliver renders and sends an e-mail once under key: the marker is
// claimed before sending and released when sending fails, so that the
// retry sends it.
func (s *Service) deliver(ctx context.Context, key string, m Message, r recipient, set crm.NotificationSetting, ab crm.EmailAbout) error {
	var o *crm.TemplateOverride
	if ov, ok := set.Overrides[m.Lang]; ok {
		o = &ov
	}
	out, err := Render(m, o)
	if err != nil {
		return err
	}
	first, err := s.Store.ClaimOnce(ctx, key)
	if err != nil || !first {
		return err
	}
	err = s.Mailer.Send(ctx, crm.Email{To: r.Email, ToName: r.Name, Subject: out.Subject, Text: out.Text, HTML: out.HTML, Key: m.Key, About: ab})
	if crm.ErrorCode(err) == crm.CodeInvalid {
		s.log().WarnContext(ctx, "e-mail refused; not retried", "key", m.Key, "to", r.Email, "err", err)
		return nil // one bad recipient does not block the others
	}
	if err != nil {
		if rerr := s.Store.Release(ctx, key); rerr != nil {
			return fmt.Errorf("%w (and releasing its marker: %v)", err, rerr)
		}
		return err
	}
	return nil
}

// message fills what the template needs: names, the opportunity, the link.
func (s *Service) message(ctx context.Context, in Intent, r recipient) (Message, error) {
	m := Message{Key: in.Key, Lang: r.Lang, Recipient: r.Name, TimeZone: s.TimeZone}
	if in.Actor != "" {
		if u, err := s.Store.GetUser(ctx, in.Actor); err == nil {
			m.Actor = u.Name
		}
	}
	if in.ContactID != "" {
		c, err := s.Store.GetContact(ctx, in.ContactID)
		if err != nil && crm.ErrorCode(err) != crm.CodeNotFound {
			return m, err
		}
		m.Contact = c.FullName()
	}
	path := "/contacts/" + in.ContactID
	if o := in.Opportunity; o != nil {
		m.Opportunity = fmt.Sprintf("#%d %s", o.Number, o.Description)
		path = "/opportunities/" + o.ID
	}
	if in.Note != nil {
		m.NoteText = in.Note.Text
	}
	if in.File != nil {
		m.FileName = in.File.Name
	}
	if s.AppURL != "" {
		m.Link = strings.TrimRight(s.AppURL, "/") + path
	}
	return m, nil
}

// settingOf is the setting of key: enabled without overrides when none is
// stored.
func settingOf(all []crm.NotificationSetting, key string) crm.NotificationSetting {
	for _, s := range all {
		if s.Key == key {
			return s
		}
	}
	return crm.NotificationSetting{Key: key, Enabled: true}
}
