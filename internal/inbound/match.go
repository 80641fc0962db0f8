package inbound

import (
	"context"
	"mime"
	"path"
	"strings"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound/reply"
)

// about finds whom a BCC or forward is about, in order of preference, and
// the note's text. A forward (as an attachment or inline) is about its
// original sender, or, when a colleague sent it, its recipients; a BCC is
// about the recipients. Addresses of the team and of the inbound domain
// are never candidates.
func (h *Handler) about(m *Message, subject string, team map[string]crm.User, env Envelope) ([]Address, string) {
	ours := func(a Address) bool {
		if _, staff := team[a.Email]; staff || reply.IsReply(a.Email) {
			return true
		}
		for _, r := range env.To {
			if strings.EqualFold(strings.TrimSpace(r), a.Email) {
				return true
			}
		}
		return h.Tokens != nil && h.Tokens.Domain != "" && strings.HasSuffix(a.Email, "@"+strings.ToLower(h.Tokens.Domain))
	}
	keep := func(as ...Address) []Address {
		var out []Address
		for _, a := range as {
			if a.Email != "" && !ours(a) {
				out = append(out, a)
			}
		}
		return out
	}
	subject = cleanSubject(subject)
	var fwd *inlineForward
	if f := m.Forwarded; f != nil {
		fwd = &inlineForward{Comment: ownText(m.Text), From: f.From, To: append(append([]Address{}, f.To...), f.Cc...),
			Subject: f.Subject, Body: ownText(f.Text)}
	} else if f, ok := findForward(m.Text, m.Subject); ok {
		fwd = &f
	}
	if fwd == nil {
		return keep(append(append([]Address{}, m.To...), m.Cc...)...), noteText(subject, ownText(m.Text), "")
	}
	who := keep(fwd.From)
	if len(who) == 0 {
		who = keep(fwd.To...)
	}
	quoted := fwd.Body
	if fwd.From.Email != "" {
		by := fwd.From.Email
		if fwd.From.Name != "" {
			by = fwd.From.Name + " <" + fwd.From.Email + ">"
		}
		quoted = by + ":\n" + fwd.Body
	}
	return who, noteText(firstText(cleanSubject(fwd.Subject), subject), fwd.Comment, quoted)
}

// noteText is a note's text: the subject, then the message's own words,
// then what it forwarded.
func noteText(subject string, parts ...string) string {
	var out []string
	for _, p := range append([]string{subject}, parts...) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return "(e-mail)"
	}
	return strings.Join(out, "\n\n")
}

// pick returns the first candidate a contact holds, else the first.
// Errors: internal.
func (h *Handler) pick(ctx context.Context, who []Address) (Address, error) {
	for _, a := range who {
		owner, err := h.Svc.EmailOwner(ctx, a.Email)
		if err != nil {
			return Address{}, err
		}
		if owner != "" {
			return a, nil
		}
	}
	return who[0], nil
}

// fileName makes an attachment's name a plain file name (no folders, no
// control characters, at most 200 characters), "attachment" when empty.
func fileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	name = path.Base(name)
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "attachment"
	}
	if r := []rune(name); len(r) > 200 {
		ext := path.Ext(name)
		if len(ext) > 20 {
			ext = ""
		}
		name = string(r[:200-len([]rune(ext))]) + ext
	}
	return name
}

// mediaType returns ct when it is a media type, else
// application/octet-stream.
func mediaType(ct string) string {
	if mt, _, err := mime.ParseMediaType(ct); err == nil && strings.Contains(mt, "/") && len(mt) < 200 {
		return mt
	}
	return "application/octet-stream"
}

// peek reads what a rejection records of a message, from its header
// alone: Message-ID, From and Subject.
func peek(raw []byte) *Message {
	if m, err := parseHeader(raw); err == nil {
		return m
	}
	m := &Message{}
	readHeaderless(m, raw)
	return m
}
