package stream

import (
	"context"
	"fmt"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/notify"
)

// recipient is who an e-mail goes to.
type recipient struct {
	UserID string // the user behind it ("" for an agent without one)
	Name   string
	Email  string
	Lang   string
	Active bool
}

// resolve finds an intent's recipient: a user, or an agent (whose language
// is its user's, if it has one).
func (h *Handler) resolve(ctx context.Context, k notify.RecipientKind, id string) (recipient, error) {
	if k == notify.ToUser {
		u, err := h.Svc.Store().GetUser(ctx, id)
		if err != nil {
			return recipient{}, err
		}
		return recipient{UserID: u.ID, Name: u.Name, Email: u.Email, Lang: u.Lang, Active: u.Active}, nil
	}
	a, err := h.Svc.Store().GetAgent(ctx, id)
	if err != nil {
		return recipient{}, err
	}
	r := recipient{UserID: a.UserID, Name: a.Name, Email: a.Email, Lang: crm.LangES, Active: a.Active}
	if a.UserID != "" {
		if u, err := h.Svc.Store().GetUser(ctx, a.UserID); err == nil {
			r.Lang = u.Lang
			if r.Email == "" {
				r.Email = u.Email
			}
		}
	}
	return r, nil
}

// notify sends the change-driven e-mails of a change.
func (h *Handler) notify(ctx context.Context, eventID string, old, new crm.Entity) error {
	var opp *crm.Opportunity
	parent := ""
	switch n := new.(type) {
	case crm.Note:
		if old == nil && n.ParentKind == crm.ParentOpportunity && n.Visibility == crm.VisibilityTeam {
			parent = n.ParentID
		}
	case crm.File:
		if n.ParentKind == crm.ParentOpportunity && n.Status == crm.FileComplete {
			parent = n.ParentID
		}
	}
	if parent != "" {
		o, err := h.Svc.Store().GetOpportunity(ctx, parent)
		if crm.ErrorCode(err) == crm.CodeNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		opp = &o
	}
	intents := notify.Rules(old, new, opp)
	if len(intents) == 0 {
		return nil
	}
	settings, err := h.Svc.CurrentSettings(ctx)
	if err != nil {
		return err
	}
	sent := map[string]bool{} // one e-mail per address, even when a user is also the agent
	for _, in := range intents {
		if err := h.send(ctx, eventID, in, settings, sent); err != nil {
			return err
		}
	}
	return nil
}

// send sends one intent's e-mail once: skipped when the key is disabled,
// the recipient is its actor, inactive or has no e-mail; guarded by a
// marker so that a redelivered record does not send it again.
func (h *Handler) send(ctx context.Context, eventID string, in notify.Intent, settings []crm.NotificationSetting, sent map[string]bool) error {
	set := settingOf(settings, in.Key)
	if !set.Enabled {
		return nil
	}
	r, err := h.resolve(ctx, in.Kind, in.RecipientID)
	if crm.ErrorCode(err) == crm.CodeNotFound {
		h.log().WarnContext(ctx, "notification recipient is gone; skipped", "key", in.Key, "recipient", in.RecipientID)
		return nil
	}
	if err != nil {
		return err
	}
	if r.UserID != "" && r.UserID == in.Actor {
		return nil // never the person who caused it
	}
	if !r.Active || r.Email == "" {
		h.log().InfoContext(ctx, "notification recipient inactive or without e-mail; skipped", "key", in.Key, "recipient", in.RecipientID)
		return nil
	}
	if sent[in.Key+" "+r.Email] {
		return nil
	}
	sent[in.Key+" "+r.Email] = true
	msg, err := h.message(ctx, in, r)
	if err != nil {
		return err
	}
	return h.deliver(ctx, "mail#"+eventID+"#"+in.Key+"#"+string(in.Kind)+"#"+in.RecipientID, msg, r, set, about(in, r))
}

// about names the record an e-mail is about (its opportunity, else its
// contact) and its recipient user, for the reply address; zero when the
// recipient is no user (an agent without one can write no note).
func about(in notify.Intent, r recipient) crm.EmailAbout {
	switch {
	case r.UserID == "":
		return crm.EmailAbout{}
	case in.Opportunity != nil:
		return crm.EmailAbout{Kind: crm.ParentOpportunity, ID: in.Opportunity.ID, UserID: r.UserID}
	case in.ContactID != "":
		return crm.EmailAbout{Kind: crm.ParentContact, ID: in.ContactID, UserID: r.UserID}
	}
	return crm.EmailAbout{}
}

// deliver renders and sends an e-mail once under key.
func (h *Handler) deliver(ctx context.Context, key string, m notify.Message, r recipient, set crm.NotificationSetting, ab crm.EmailAbout) error {
	var o *crm.TemplateOverride
	if ov, ok := set.Overrides[m.Lang]; ok {
		o = &ov
	}
	out, err := notify.Render(m, o)
	if err != nil {
		return err
	}
	first, err := h.Svc.Store().ClaimOnce(ctx, key)
	if err != nil || !first {
		return err
	}
	err = h.Mailer.Send(ctx, crm.Email{To: r.Email, ToName: r.Name, Subject: out.Subject, Text: out.Text, HTML: out.HTML, Key: m.Key, About: ab})
	if crm.ErrorCode(err) == crm.CodeInvalid {
		h.log().WarnContext(ctx, "e-mail refused; not retried", "key", m.Key, "to", r.Email, "err", err)
		return nil // one bad recipient does not block the others
	}
	if err != nil {
		if rerr := h.Svc.Store().Release(ctx, key); rerr != nil {
			return fmt.Errorf("%w (and releasing its marker: %v)", err, rerr)
		}
		return err
	}
	return nil
}

// message fills what the template needs: names, the opportunity, the link.
func (h *Handler) message(ctx context.Context, in notify.Intent, r recipient) (notify.Message, error) {
	m := notify.Message{Key: in.Key, Lang: r.Lang, Recipient: r.Name, TimeZone: h.Svc.TimeZone()}
	if in.Actor != "" {
		if u, err := h.Svc.Store().GetUser(ctx, in.Actor); err == nil {
			m.Actor = u.Name
		}
	}
	if in.ContactID != "" {
		c, err := h.Svc.Store().GetContact(ctx, in.ContactID)
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
	if h.AppURL != "" {
		m.Link = strings.TrimRight(h.AppURL, "/") + path
	}
	return m, nil
}

func settingOf(all []crm.NotificationSetting, key string) crm.NotificationSetting {
	for _, s := range all {
		if s.Key == key {
			return s
		}
	}
	return crm.NotificationSetting{Key: key, Enabled: true}
}
