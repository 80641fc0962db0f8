package crm

import "time"

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
