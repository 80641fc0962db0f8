package inbound

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // windows-1252, ISO-8859-*, and the other charsets of x/text
	"github.com/emersion/go-message/mail"

	"github.com/embudo/embudo/internal/crm"
)

// Errors of Parse; each is a reason to reject the message, and its text
// says which limit it passed.
var (
	// ErrTooLarge: the message is larger than Limits.MaxMessageBytes.
	ErrTooLarge = errors.New("the message is larger than the inbound limit")
	// ErrTooManyAttachments: more attachments than Limits.MaxAttachments.
	ErrTooManyAttachments = errors.New("the message has more attachments than the inbound limit")
	// ErrAttachmentTooLarge: an attachment is larger than
	// Limits.MaxAttachmentBytes.
	ErrAttachmentTooLarge = errors.New("an attachment is larger than the file limit")
	// ErrMalformed: the message is not MIME that can be read (no header,
	// a broken multipart, a body that does not decode).
	ErrMalformed = errors.New("the message cannot be read as MIME")
)

// Limits bound what one message may bring in.
type Limits struct {
	MaxMessageBytes    int64 // the raw message, headers and encoding included
	MaxAttachments     int   // attachments (the original is kept besides them)
	MaxAttachmentBytes int64 // one attachment, decoded
	MaxParts           int   // MIME parts read, text and attachments alike
}

// DefaultLimits: SES accepts messages of up to 40 MB; a 25 MiB file (the
// file limit, crm.MaxFileSize) is about 34 MB in base64.
var DefaultLimits = Limits{MaxMessageBytes: 36 << 20, MaxAttachments: crm.MaxEmailFiles - 1, MaxAttachmentBytes: crm.MaxFileSize, MaxParts: 200}

// Address is a mailbox: a lower-case address and its display name.
type Address struct {
	Name  string
	Email string
}

// Attachment is a file of a message, decoded.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Message is what Parse reads of a message.
type Message struct {
	MessageID   string // without angle brackets; a hash of the bytes when the header is missing
	From        Address
	To, Cc      []Address
	Subject     string
	Date        time.Time
	Text        string // the text part, or the HTML part as text; quotes not yet trimmed
	Attachments []Attachment
	// Forwarded is the message forwarded as an attachment
	// (message/rfc822), parsed, when there is one.
	Forwarded *Message
}

// Parse reads a raw RFC 5322 message: headers with RFC 2047 words and
// their charsets, multipart bodies, quoted-printable and base64, text in
// any charset x/text knows, HTML-only messages (turned into text), and a
// message/rfc822 forward. Errors: ErrTooLarge, ErrTooManyAttachments,
// ErrAttachmentTooLarge, ErrMalformed (each wrapped with details).
func Parse(raw []byte, lim Limits) (*Message, error) {
	if int64(len(raw)) > lim.MaxMessageBytes {
		return nil, fmt.Errorf("%w (%s, the limit is %s)", ErrTooLarge, size(int64(len(raw))), size(lim.MaxMessageBytes))
	}
	parts := 0
	return parse(raw, lim, &parts, true)
}

func parse(raw []byte, lim Limits, parts *int, top bool) (*Message, error) {
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	defer r.Close()
	m := &Message{}
	readHeader(m, r.Header, raw)
	var text, html string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if (err != nil && !message.IsUnknownCharset(err)) || p == nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if *parts++; *parts > lim.MaxParts {
			return nil, fmt.Errorf("%w: more than %d MIME parts", ErrMalformed, lim.MaxParts)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			b, err := readLimited(p.Body, lim.MaxMessageBytes)
			if err != nil {
				return nil, err
			}
			if !strings.HasPrefix(ct, "text/") && ct != "" {
				// An inline file: kept unless the HTML shows it (a Content-ID:
				// signature logos and pasted images).
				if h.Get("Content-Id") != "" {
					continue
				}
				_, params, _ := h.ContentDisposition()
				if err := m.attach(lim, params["filename"], ct, b); err != nil {
					return nil, err
				}
				continue
			}
			switch {
			case ct == "text/html" && html == "":
				html = string(b)
			case (ct == "text/plain" || ct == "") && text == "":
				text = string(b)
			}
		case *mail.AttachmentHeader:
			ct, _, _ := h.ContentType()
			name, _ := h.Filename()
			b, err := readLimited(p.Body, lim.MaxAttachmentBytes)
			if err != nil {
				return nil, fmt.Errorf("%w (%q, the limit is %s)", ErrAttachmentTooLarge, name, size(lim.MaxAttachmentBytes))
			}
			if ct == "message/rfc822" && top && m.Forwarded == nil {
				if fwd, err := parse(b, lim, parts, false); err == nil {
					m.Forwarded = fwd
				}
			}
			if err := m.attach(lim, name, ct, b); err != nil {
				return nil, err
			}
		}
	}
	m.Text = text
	if strings.TrimSpace(text) == "" && html != "" {
		m.Text = htmlText(html)
	}
	return m, nil
}

// readHeader fills m from the message header.
func readHeader(m *Message, h mail.Header, raw []byte) {
	if id, err := h.MessageID(); err == nil && id != "" {
		m.MessageID = id
	} else {
		readHeaderless(m, raw)
	}
	m.Subject, _ = h.Subject()
	m.Date, _ = h.Date()
	if from := addresses(h, "From"); len(from) > 0 {
		m.From = from[0]
	}
	m.To = addresses(h, "To")
	m.Cc = addresses(h, "Cc")
}

// addresses reads an address list header, skipping what does not parse.
func addresses(h mail.Header, key string) []Address {
	list, err := h.AddressList(key)
	if err != nil {
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		if e, ok := crm.NormalizeEmail(a.Address); ok && e != "" {
			out = append(out, Address{Name: strings.TrimSpace(a.Name), Email: e})
		}
	}
	return out
}

// readLimited reads r up to max bytes. Errors: ErrAttachmentTooLarge past
// max (the caller rewords it), ErrMalformed for a body that does not
// decode.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if int64(len(b)) > max {
		return nil, ErrAttachmentTooLarge
	}
	return b, nil
}

// size writes a byte count for people.
func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}

// attach adds a non-empty file. Errors: ErrTooManyAttachments.
func (m *Message) attach(lim Limits, name, ct string, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if len(m.Attachments) >= lim.MaxAttachments {
		return fmt.Errorf("%w (%d)", ErrTooManyAttachments, lim.MaxAttachments)
	}
	m.Attachments = append(m.Attachments, Attachment{Name: name, ContentType: ct, Data: b})
	return nil
}

// parseHeader reads only the header of a message. Errors: ErrMalformed.
func parseHeader(raw []byte) (*Message, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	m := &Message{}
	readHeader(m, mail.Header{Header: e.Header}, raw)
	return m, nil
}

// readHeaderless fills the ID of a message without a readable header.
func readHeaderless(m *Message, raw []byte) {
	sum := sha256.Sum256(raw)
	m.MessageID = "sha256-" + hex.EncodeToString(sum[:]) + "@embudo.invalid"
}
