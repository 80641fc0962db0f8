package local

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/inbound"
	"github.com/embudo/embudo/internal/inbound/reply"
)

// DefaultInboundDomain is the domain of the local reply addresses
// (n+<token>@inbound.localhost): mail clients pointed at the SMTP
// listener reach it whatever the domain.
const DefaultInboundDomain = "inbound.localhost"

// replyKeyFile keeps the local reply tokens' key in the data directory, so
// that a notification can be replied to after a restart.
const replyKeyFile = "reply.key"

// replyTokens returns the reply tokens of the local runtime: the key from
// c.ReplyKey, else the data directory's reply.key (made on first start).
// Errors: the key file cannot be read or written, or is too short.
func replyTokens(c Config) (*reply.Tokens, error) {
	domain := c.InboundDomain
	if domain == "" {
		domain = DefaultInboundDomain
	}
	key := c.ReplyKey
	if len(key) == 0 {
		path := filepath.Join(c.Data, replyKeyFile)
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			k := make([]byte, 32)
			if _, err := rand.Read(k); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(c.Data, 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("reply key: %w", err)
			}
			key = k
		case err != nil:
			return nil, fmt.Errorf("reply key: %w", err)
		default:
			if key, err = hex.DecodeString(strings.TrimSpace(string(b))); err != nil {
				return nil, fmt.Errorf("reply key %s: %w", path, err)
			}
		}
	}
	if len(key) < reply.MinKeyLen {
		return nil, fmt.Errorf("the reply key has %d bytes; it needs %d", len(key), reply.MinKeyLen)
	}
	return &reply.Tokens{Key: key, Domain: domain}, nil
}

// smtpMaxFactor: the listener refuses at the SMTP level (552) a message
// twice the inbound limit; up to that, a message over the limit is
// received and kept aside as rejected, with its reason, like on SES.
const smtpMaxFactor = 2

// startSMTP listens for SMTP on addr (loopback: no authentication, no
// TLS) and hands every message to h. It returns the address it listens on
// and the function that stops it. Errors: the address is taken.
func startSMTP(addr string, h *inbound.Handler, log *slog.Logger) (string, func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--smtp-addr: %w", err)
	}
	lim := inbound.DefaultLimits
	if h.Limits.MaxMessageBytes != 0 {
		lim = h.Limits
	}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{h: h, log: log}, nil }))
	s.Domain = "localhost"
	s.MaxMessageBytes = lim.MaxMessageBytes * smtpMaxFactor
	s.MaxRecipients = 50
	s.ReadTimeout = 60 * time.Second
	s.WriteTimeout = 60 * time.Second
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			log.Error("SMTP listener stopped", "err", err)
		}
	}()
	return ln.Addr().String(), func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			return s.Close()
		}
		return nil
	}, nil
}

// session is one SMTP transaction after another on a connection.
type session struct {
	h    *inbound.Handler
	log  *slog.Logger
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data hands the message to the inbound handler: 250 for a note (or a
// message seen before), 550 with the reason for a rejected message (kept
// aside for an admin all the same), 451 when the store failed (the sender
// retries).
func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := s.h.Receive(ctx, inbound.Envelope{From: s.from, To: s.to}, bytes.Clone(raw))
	if err != nil {
		s.log.Error("inbound message not stored; the sender will retry", "from", s.from, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Not stored, try again later"}
	}
	if res.Outcome == crm.OutcomeRejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Rejected: " + oneLine(res.Reason)}
	}
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
