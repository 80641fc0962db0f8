package crm

import (
	"context"
	"time"
)

// What the domain knows of notifications: their keys, their settings (on or
// off, template overrides), which the store keeps and the API edits, and the
// port of the adapters that send e-mail. Which change calls for which
// e-mail, to whom, how it reads and that it goes out once is
// internal/notify's.

// The six notification keys.
const (
	NotifyNewContactAgent        = "new-contact-agent"
	NotifyNote                   = "notify-note"
	NotifyNewOpportunityAgent    = "new-opportunity-agent"
	NotifyNewOpportunityAssignee = "new-opportunity-assignee"
	NotifyNewOpportunityFile     = "new-opportunity-file"
	NotifyNewOpportunityNote     = "new-opportunity-note"
)

// NotificationKeys lists the six notification keys in a stable order.
func NotificationKeys() []string {
	return []string{NotifyNewContactAgent, NotifyNote, NotifyNewOpportunityAgent,
		NotifyNewOpportunityAssignee, NotifyNewOpportunityFile, NotifyNewOpportunityNote}
}

// IsNotificationKey reports whether key is one of the six keys.
func IsNotificationKey(key string) bool {
	for _, k := range NotificationKeys() {
		if k == key {
			return true
		}
	}
	return false
}

// TemplateOverride replaces the built-in subject and/or body of one
// notification in one language. Empty fields keep the built-in text.
type TemplateOverride struct {
	Subject string
	Body    string
}

// NotificationSetting is the configuration of one notification key.
type NotificationSetting struct {
	Key       string
	Enabled   bool
	Overrides map[string]TemplateOverride // by language: "es", "en"
	UpdatedAt time.Time
	Version   int
}

// Normalize validates the setting; CodeInvalid names each bad field.
func (s *NotificationSetting) Normalize() error {
	f := fieldErrors{}
	for lang, o := range s.Overrides {
		if lang != LangES && lang != LangEN {
			f.add("overrides."+lang, "language must be \"es\" or \"en\"")
			continue
		}
		cleanText(f, "overrides."+lang+".subject", &o.Subject, 200)
		cleanText(f, "overrides."+lang+".body", &o.Body, 20000)
		if o.Subject == "" && o.Body == "" {
			delete(s.Overrides, lang)
			continue
		}
		s.Overrides[lang] = o
	}
	return f.err()
}

// DefaultNotificationSettings returns the six settings, all enabled, as a new
// installation starts with them.
func DefaultNotificationSettings() []NotificationSetting {
	keys := NotificationKeys()
	out := make([]NotificationSetting, len(keys))
	for i, k := range keys {
		out[i] = NotificationSetting{Key: k, Enabled: true}
	}
	return out
}

// Email is one notification e-mail to one recipient.
type Email struct {
	To      string
	ToName  string
	Subject string
	Text    string
	HTML    string
	Key     string // the notification key, for tags and logs
	// About names the record the e-mail is about and the user it goes to,
	// so that a reply can become a note on that record (zero for none).
	About EmailAbout
	// ReplyTo is the address a reply goes to ("" for none): the inbound
	// address with the signed token of About, set by the inbound package's
	// mailer wrapper.
	ReplyTo string
}

// EmailAbout is the record a notification is about (a contact or an
// opportunity) and the user it is sent to.
type EmailAbout struct {
	Kind   ParentKind
	ID     string
	UserID string
}

// Mailer sends e-mail. Errors: invalid (the address was refused: do not
// retry), internal (retry).
type Mailer interface {
	Send(ctx context.Context, e Email) error
}
