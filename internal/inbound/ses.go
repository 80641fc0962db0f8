package inbound

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/embudo/embudo/internal/crm"
)

// RawStore reads the message an SES receipt rule stored (blob.S3).
// Errors: not_found, invalid (larger than max), internal.
type RawStore interface {
	Get(ctx context.Context, key string, max int64) ([]byte, error)
}

// SESMaxBytes is the largest message SES receives (40 MB).
const SESMaxBytes = 40 << 20

// SES handles the receipt events of an SES rule that first stores each
// message under Prefix+messageId (its S3 action) and then invokes the
// function (its Lambda action).
type SES struct {
	Handler *Handler
	Raw     RawStore
	Prefix  string // the S3 action's object key prefix, "inbound/"
}

// Handle receives every message of the event. Errors: those worth a retry
// (the message is not stored yet, the store failed); Lambda then invokes
// again, and what was done already is done once.
func (s SES) Handle(ctx context.Context, e events.SimpleEmailEvent) ([]Result, error) {
	out := make([]Result, 0, len(e.Records))
	for _, rec := range e.Records {
		m, r := rec.SES.Mail, rec.SES.Receipt
		key := s.Prefix + m.MessageID
		raw, err := s.Raw.Get(ctx, key, SESMaxBytes+1<<20)
		if err != nil {
			return out, fmt.Errorf("inbound: reading %s: %w", key, err)
		}
		env := Envelope{From: m.Source, To: r.Recipients, RawKey: key, Verdicts: Verdicts{SPF: r.SPFVerdict.Status,
			DKIM: r.DKIMVerdict.Status, DMARC: r.DMARCVerdict.Status, Spam: r.SpamVerdict.Status, Virus: r.VirusVerdict.Status}}
		res, err := s.Handler.Receive(ctx, env, raw)
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

var _ RawStore = rawStoreFunc(nil)

// rawStoreFunc adapts a function to RawStore (tests).
type rawStoreFunc func(ctx context.Context, key string, max int64) ([]byte, error)

func (f rawStoreFunc) Get(ctx context.Context, key string, max int64) ([]byte, error) {
	if f == nil {
		return nil, crm.NotFound("object")
	}
	return f(ctx, key, max)
}
