// Package inbound turns e-mail sent to the company's inbound address into
// notes: a BCC or forward becomes a team note on the contact it is about
// (created, source "E-mail", when nobody holds its address), and a reply
// to a notification becomes a note on the notification's record, through a
// signed, expiring Reply-To token. Only staff users' own addresses may
// write; anything else is kept aside as a rejected message with its reason.
//
// It parses MIME with github.com/emersion/go-message (charsets included),
// matches senders and contacts, signs and checks reply tokens, and hands
// the note to crm.Service.IntakeEmail, whose one transaction also records
// the message (so the same Message-ID makes one note). It imports crm and
// no adapter: the SES receipt Lambda (functions/inbound) and the local SMTP
// listener (embudo serve --smtp-addr) feed Handler.Receive the same way.
package inbound
