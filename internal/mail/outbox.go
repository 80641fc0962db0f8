package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// Outbox writes each message as one RFC 5322 .eml file under Dir, for the
// local runtime: multipart/alternative (text, then HTML), UTF-8,
// quoted-printable, with an encoded Subject, Date, Message-ID, From and To.
// Files are named <UTC time>-<key>-<hash>.eml, so a directory listing is in
// sending order, and appear atomically (written to a temporary file, then
// renamed), so a reader never sees half a message. Each message is logged as
// one line with its recipient, subject and file. Dir is created when missing.
// An Outbox is safe for concurrent use.
type Outbox struct {
	Dir    string
	From   string       // "no-reply@example.com" or "Embudo <no-reply@example.com>"
	Logger *slog.Logger // nil means slog.Default()
}

// HeaderNotification names the header that carries Email.Key in outbox
// files.
const HeaderNotification = "X-Embudo-Notification"

// Send writes e to the outbox.
//
// Errors: invalid (e has no valid recipient, subject or body); internal (the
// outbox has no directory or valid From address, the file could not be
// written, or ctx is done).
func (o *Outbox) Send(ctx context.Context, e Email) error {
	if err := ctx.Err(); err != nil {
		return crm.Internal(err)
	}
	c, err := check(e)
	if err != nil {
		return err
	}
	from, ok := parseFrom(o.From)
	if o.Dir == "" || !ok {
		return crm.Internal(fmt.Errorf("mail: outbox needs a directory and a valid From address (From=%q)", o.From))
	}
	now := time.Now()
	msg, err := buildMessage(from, c, now)
	if err != nil {
		return crm.Internal(err)
	}
	sum := sha256.Sum256(msg)
	key := c.Key
	if key == "" {
		key = "mail"
	}
	name := fmt.Sprintf("%s-%s-%s.eml", now.UTC().Format("20060102T150405.000000000Z"), key, hex.EncodeToString(sum[:6]))
	path := filepath.Join(o.Dir, name)
	if err := writeAtomic(o.Dir, path, msg); err != nil {
		return crm.Internal(err)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "mail written to outbox", "to", c.To.Address, "subject", c.Subject, "key", c.Key, "file", path)
	return nil
}

// writeAtomic writes data to a temporary file in dir and renames it to path.
func writeAtomic(dir, path string, data []byte) (err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	f, err := os.CreateTemp(dir, ".outbox-*.tmp")
	if err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("mail: outbox: %w", err)
	}
	return nil
}

// buildMessage writes the whole RFC 5322 message, with CRLF line endings.
func buildMessage(from mail.Address, c checked, now time.Time) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ mediaType, content string }{{"text/plain", c.Text}, {"text/html", c.HTML}} {
		if p.content == "" {
			continue
		}
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.mediaType + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(p.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var msg bytes.Buffer
	header := func(name, value string) {
		msg.WriteString(name)
		msg.WriteString(": ")
		msg.WriteString(value)
		msg.WriteString("\r\n")
	}
	header("From", formatAddress(from))
	header("To", formatAddress(c.To))
	if c.ReplyTo != "" {
		header("Reply-To", c.ReplyTo)
	}
	header("Subject", encodeHeader(c.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address, now))
	header("MIME-Version", "1.0")
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	if c.Key != "" {
		header(HeaderNotification, c.Key)
	}
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// encodeHeader encodes a non-ASCII header value as RFC 2047 encoded words,
// one folded line each, so no line grows past the 78-character guideline.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

// messageID returns a unique Message-ID in the sender's domain.
func messageID(fromAddr string, now time.Time) string {
	domain := "embudo.invalid"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 && i < len(fromAddr)-1 {
		domain = fromAddr[i+1:]
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	return "<" + strconv.FormatInt(now.UnixNano(), 36) + "." + hex.EncodeToString(r[:]) + "@" + domain + ">"
}
