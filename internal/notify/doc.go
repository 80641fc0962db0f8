// Package notify is the one home of the notification e-mails: which change
// calls for which e-mail and to whom (Rules, pure), who the recipients are
// and in which language (recipients.go), how each e-mail reads in Spanish
// and English and with an admin's overrides (Render, templates/), and
// sending each once, honouring the settings (Service, which the change core
// calls for every change and the reminders for a note's aviso).
//
// It imports the domain only: the e-mail goes out through a crm.Mailer
// (internal/mail's SES or Outbox, wrapped by internal/inbound/reply for the
// Reply-To), and what it reads and the markers that keep an e-mail from
// going out twice come from a Store (the adapter's crm.Store).
package notify
