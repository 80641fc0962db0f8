package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound/reply"
)

// Storage keeps the bytes of the files an e-mail brings, under
// crm.BlobKey(id) (blob.Dir locally, blob.S3 on AWS). Errors: internal.
type Storage interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Delete(ctx context.Context, key string) error
}

// Verdicts are the receiving server's checks of a message (SES's receipt
// verdicts): "PASS", "FAIL", "GRAY", "PROCESSING_FAILED", or "" when not
// checked (the local listener). Any FAIL rejects the message.
type Verdicts struct {
	SPF, DKIM, DMARC, Spam, Virus string
}

// failed names the first failed verdict, or "".
func (v Verdicts) failed() string {
	for _, c := range []struct{ name, v string }{{"virus", v.Virus}, {"spam", v.Spam}, {"DMARC", v.DMARC}, {"SPF", v.SPF}, {"DKIM", v.DKIM}} {
		if strings.EqualFold(c.v, "FAIL") {
			return c.name
		}
	}
	return ""
}

// Envelope is how a message arrived: the SMTP envelope and the verdicts.
type Envelope struct {
	From     string   // MAIL FROM (for the log; the note's author is the From header, which DMARC vouches for)
	To       []string // RCPT TO: the inbound address, or a reply address
	Verdicts Verdicts
	// RawKey is where the message is kept already (the SES receipt rule
	// stores it under inbound/); "" makes Receive keep a rejected message
	// itself, under a files/ key.
	RawKey string
}

// Result is what Receive did with a message.
type Result struct {
	Outcome   crm.LeadOutcome `json:"outcome"` // created (its contact too), noted, or rejected
	Duplicate bool            `json:"duplicate,omitempty"`
	RecordID  string          `json:"recordId,omitempty"`
	ContactID string          `json:"contactId,omitempty"`
	Reason    string          `json:"reason,omitempty"` // why it was rejected
}

// Handler receives inbound messages.
type Handler struct {
	Svc    *crm.Service
	Files  Storage
	Tokens *reply.Tokens // reply addresses; nil refuses every reply
	Limits Limits        // DefaultLimits when zero
	Log    *slog.Logger

	mu        sync.Mutex
	team      map[string]crm.User // active users by e-mail
	teamUntil time.Time
}

// teamTTL is how long the handler trusts the users it read.
const teamTTL = 30 * time.Second

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

func (h *Handler) limits() Limits {
	if h.Limits.MaxMessageBytes == 0 {
		return DefaultLimits
	}
	return h.Limits
}

// Receive turns one raw message into a note, or keeps it aside as
// rejected with its reason (Result.Reason): a failed verdict, a message
// over a limit or unreadable, a sender that is not an active user's
// address, a reply address that is forged, expired or a colleague's, a
// message about nobody outside the team. The same message again (same
// Message-ID) does nothing and says Duplicate. Errors: only those worth a
// retry (the store or the file storage failed: internal, unavailable);
// nothing is half written then.
func (h *Handler) Receive(ctx context.Context, env Envelope, raw []byte) (Result, error) {
	lim := h.limits()
	head := peek(raw)
	if done, res, err := h.seen(ctx, head.MessageID); done || err != nil {
		return res, err
	}
	if v := env.Verdicts.failed(); v != "" {
		return h.reject(ctx, env, raw, head, fmt.Sprintf("the %s check failed (%s verdict FAIL)", v, v))
	}
	m, err := Parse(raw, lim)
	if err != nil {
		return h.reject(ctx, env, raw, head, err.Error())
	}
	team, err := h.users(ctx)
	if err != nil {
		return Result{}, err
	}
	author, ok := team[m.From.Email]
	if !ok {
		return h.reject(ctx, env, raw, head, fmt.Sprintf("the sender %q is not the address of an active user", m.From.Email))
	}
	in := crm.InboundEmail{MessageID: m.MessageID, From: m.From.Email, ReceivedAt: time.Now()}
	subject, priv := private(m.Subject)
	in.Private, in.Subject = priv, m.Subject
	if to := replyAddress(env, m); to != "" {
		ref, err := h.Tokens.ParseReply(to)
		if err == nil {
			err = h.Tokens.Verify(ref, author.ID, ids(team))
		}
		switch {
		case errors.Is(err, reply.ErrTokenExpired):
			return h.reject(ctx, env, raw, head, fmt.Sprintf("the reply address expired on %s; forward the message to the inbound address instead", ref.Expires.Format(time.DateOnly)))
		case errors.Is(err, reply.ErrTokenRecipient):
			return h.reject(ctx, env, raw, head, "the reply address was sent to another user, not to "+m.From.Email)
		case err != nil:
			return h.reject(ctx, env, raw, head, "the reply address is not one Embudo signed (forged or damaged)")
		}
		in.ParentKind, in.ParentID = ref.Kind, ref.ID
		in.Text = firstText(ownText(m.Text), cleanSubject(subject))
	} else {
		who, text := h.about(m, subject, team, env)
		if len(who) == 0 {
			return h.reject(ctx, env, raw, head, "the message names no address outside the team to file it under")
		}
		c, err := h.pick(ctx, who)
		if err != nil {
			return Result{}, err
		}
		in.ContactEmail, in.ContactName, in.Text = c.Email, c.Name, text
	}
	return h.write(ctx, env, raw, head, m, author, in)
}

// seen reports whether a message with this ID was recorded before.
func (h *Handler) seen(ctx context.Context, messageID string) (bool, Result, error) {
	rec, err := h.Svc.EmailRecord(ctx, messageID)
	switch crm.ErrorCode(err) {
	case crm.CodeNotFound:
		return false, Result{}, nil
	case "":
		return true, Result{Outcome: rec.Outcome, Duplicate: true, RecordID: rec.ID, ContactID: rec.EmailContact(), Reason: rec.Extra[crm.RejectReason]}, nil
	}
	return false, Result{}, err
}

// write stores the files and the note. Errors: internal, unavailable.
func (h *Handler) write(ctx context.Context, env Envelope, raw []byte, head *Message, m *Message, author crm.User, in crm.InboundEmail) (Result, error) {
	var stored []string
	undo := func() {
		for _, k := range stored {
			if err := h.Files.Delete(context.WithoutCancel(ctx), k); err != nil {
				h.log().WarnContext(ctx, "inbound: a file of a message not written stays in storage", "key", k, "err", err)
			}
		}
	}
	put := func(name, ct string, data []byte) (crm.File, error) {
		f := crm.File{ID: crm.NewID(time.Now()), Name: fileName(name), ContentType: mediaType(ct), Size: int64(len(data))}
		if err := h.Files.Put(ctx, crm.BlobKey(f.ID), f.ContentType, data); err != nil {
			return f, err
		}
		stored = append(stored, crm.BlobKey(f.ID))
		return f, nil
	}
	if int64(len(raw)) <= crm.MaxFileSize {
		f, err := put(firstText(cleanSubject(m.Subject), "message")+".eml", "message/rfc822", raw)
		if err != nil {
			undo()
			return Result{}, err
		}
		in.Original = &f
	}
	atts := m.Attachments
	if m.Forwarded != nil {
		atts = append(atts, m.Forwarded.Attachments...) // what the forwarded message carried
	}
	if len(atts) > h.limits().MaxAttachments {
		undo()
		return h.reject(ctx, env, raw, head, fmt.Sprintf("%v (%d)", ErrTooManyAttachments, h.limits().MaxAttachments))
	}
	for _, a := range atts {
		f, err := put(a.Name, a.ContentType, a.Data)
		if err != nil {
			undo()
			return Result{}, err
		}
		in.Attachments = append(in.Attachments, f)
	}
	rec, dup, err := h.Svc.IntakeEmail(ctx, author, in)
	if err != nil || dup {
		undo()
	}
	switch c := crm.ErrorCode(err); c {
	case "":
	case crm.CodeNotFound:
		return h.reject(ctx, env, raw, head, "the record the reply is about no longer exists")
	case crm.CodeInvalid, crm.CodeForbidden:
		return h.reject(ctx, env, raw, head, "the note could not be written: "+err.Error())
	default:
		return Result{}, err
	}
	h.log().InfoContext(ctx, "inbound: note written", "outcome", rec.Outcome, "duplicate", dup, "record", rec.ID,
		"contact", rec.EmailContact(), "author", author.ID, "files", len(in.Attachments))
	return Result{Outcome: rec.Outcome, Duplicate: dup, RecordID: rec.ID, ContactID: rec.EmailContact()}, nil
}

// reject keeps the message aside with its reason. Errors: internal,
// unavailable.
func (h *Handler) reject(ctx context.Context, env Envelope, raw []byte, head *Message, reason string) (Result, error) {
	key := env.RawKey
	if key == "" && h.Files != nil && int64(len(raw)) <= h.limits().MaxMessageBytes {
		key = crm.BlobKey(crm.NewID(time.Now()))
		if err := h.Files.Put(ctx, key, "message/rfc822", raw); err != nil {
			return Result{}, err
		}
	}
	to := strings.Join(env.To, ", ")
	rec, dup, err := h.Svc.RejectEmail(ctx, head.MessageID, map[string]string{crm.RejectReason: reason, crm.RejectFrom: head.From.Email,
		crm.RejectTo: to, crm.RejectSubject: head.Subject, crm.RejectMessageID: head.MessageID, crm.RejectRaw: key})
	if err != nil {
		return Result{}, err
	}
	h.log().WarnContext(ctx, "inbound: message rejected", "reason", reason, "from", head.From.Email, "envelopeFrom", env.From,
		"to", to, "record", rec.ID, "duplicate", dup)
	return Result{Outcome: crm.OutcomeRejected, Duplicate: dup, RecordID: rec.ID, Reason: reason}, nil
}

// users returns the active users by e-mail, read at most every teamTTL.
// Errors: internal.
func (h *Handler) users(ctx context.Context) (map[string]crm.User, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.team != nil && time.Now().Before(h.teamUntil) {
		return h.team, nil
	}
	team := map[string]crm.User{}
	o := crm.ListOptions{Limit: crm.MaxLimit}
	for {
		p, err := h.Svc.ListUsers(ctx, o)
		if err != nil {
			return nil, err
		}
		for _, u := range p.Items {
			if u.Active {
				team[u.Email] = u
			}
		}
		if p.NextCursor == "" {
			break
		}
		o.Cursor = p.NextCursor
	}
	h.team, h.teamUntil = team, time.Now().Add(teamTTL)
	return team, nil
}

func ids(team map[string]crm.User) []string {
	out := make([]string, 0, len(team))
	for _, u := range team {
		out = append(out, u.ID)
	}
	return out
}

// replyAddress finds the reply address a message was sent to: an envelope
// recipient, else a recipient in its header.
func replyAddress(env Envelope, m *Message) string {
	for _, r := range env.To {
		if reply.IsReply(r) {
			return r
		}
	}
	for _, a := range append(append([]Address{}, m.To...), m.Cc...) {
		if reply.IsReply(a.Email) {
			return a.Email
		}
	}
	return ""
}

// firstText returns the first non-blank string.
func firstText(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
