package crm

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// FormatEmail is a message that reached the inbound address (a BCC, a
// forward, or a reply to a notification). Its lead records deduplicate by
// Message-ID, so that a redelivery or a second colleague's BCC of the same
// message writes nothing.
const FormatEmail LeadFormat = "email"

// The outcomes of an inbound e-mail besides OutcomeCreated (its contact was
// created from it).
const (
	OutcomeNoted    LeadOutcome = "noted"    // it became a note on an existing contact or opportunity
	OutcomeRejected LeadOutcome = "rejected" // it was refused; the record keeps the reason for an admin
)

// The source of contacts created from e-mail: one fixed ID, so that two
// messages at the same moment cannot create two sources.
const (
	EmailSourceID   = "00000000000000000000000EMA"
	EmailSourceName = "E-mail"
)

// Keys of a rejected e-mail's record (LeadRecord.Extra).
const (
	RejectReason    = "reason"    // why it was refused, in words an admin reads
	RejectFrom      = "from"      // the sender's address
	RejectTo        = "to"        // the recipient it was sent to
	RejectSubject   = "subject"   // its subject
	RejectMessageID = "messageId" // its Message-ID
	RejectRaw       = "raw"       // the blob key of the message as received ("" when it was not kept)
)

// NotedContact is the key of LeadRecord.Extra that names the contact of a
// noted e-mail's note. A noted record has no ContactID: an e-mail about a
// known contact is no lead of it (the contact's leads, the source report
// and the timeline's lead entries leave it out).
const NotedContact = "contactId"

// EmailContact returns the contact an e-mail's record is about: its
// ContactID (a contact the e-mail created), else NotedContact.
func (r LeadRecord) EmailContact() string {
	if r.ContactID != "" {
		return r.ContactID
	}
	return r.Extra[NotedContact]
}

// MaxEmailFiles bounds the files one e-mail adds (the original and its
// attachments); the inbound parser refuses messages with more.
const MaxEmailFiles = 20

// InboundEmail is a message to turn into a note: by an author (a staff
// user), on a parent or on the contact holding ContactEmail (created when
// nobody holds it), with its files already stored under their BlobKey.
type InboundEmail struct {
	// MessageID identifies the message (its Message-ID header, or a hash of
	// its bytes): the same ID makes one note, however often it arrives.
	MessageID string
	// ParentKind and ParentID name the record of a reply to a notification
	// (a contact or an opportunity); empty for a BCC or forward.
	ParentKind ParentKind
	ParentID   string
	// ContactEmail and ContactName are the person a BCC or forward is about.
	ContactEmail string
	ContactName  string
	Text         string // the note's text
	Private      bool
	// Original is the message as received (Name, ContentType, Size; its
	// bytes stored under BlobKey(Original.ID)); it goes on the contact.
	Original *File
	// Attachments go on the note's parent (files are refused on other
	// kinds of parent; they then go on its contact).
	Attachments []File
	ReceivedAt  time.Time
	From        string // the sender's address, for the record
	Subject     string // for the record
}

// EmailKey is the lead-record key of a message with this Message-ID.
func EmailKey(messageID string) string {
	sum := sha256.Sum256([]byte(messageID))
	return EmailSourceID + "#" + string(FormatEmail) + "#" + hex.EncodeToString(sum[:16])
}
