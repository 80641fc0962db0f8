package leads

// MaxBody is the largest body any lead endpoint reads: 64 KiB. The HTTP
// layer enforces it (answering too_large); the parsers accept whatever
// they are given.
const MaxBody = 64 << 10

// Control is what a form post says about itself rather than about the lead.
// ParseForm removes these fields from the lead.
type Control struct {
	// Honeypot is true when _gotcha (or the configured honeypot field) was
	// filled: a bot. The caller answers as on success and stores nothing.
	Honeypot bool
	// Next is where to redirect after success (_next, else _redirect). The
	// caller must check its host against the source's allowlist.
	Next string
	// IdempotencyKey is the _idempotency_key field. The caller prefers the
	// Idempotency-Key header when both are present.
	IdempotencyKey string
}

// Bounds on Lead.Extra, the fields a parser did not recognise.
const (
	MaxExtraFields   = 50   // at most this many distinct fields; later ones are dropped
	MaxExtraKeyLen   = 100  // field names are cut to this many characters
	MaxExtraValueLen = 1000 // values (repeated values joined with ", ") are cut to this many characters
)

// DefaultHoneypot is the honeypot field every form endpoint checks, also
// when the source configures another name.
const DefaultHoneypot = "_gotcha"

// the control fields a form post may carry; all are removed from the lead.
const (
	ctlGotcha      = DefaultHoneypot
	ctlNext        = "_next"
	ctlRedirect    = "_redirect"
	ctlIdempotency = "_idempotency_key"
	ctlSubject     = "_subject"
	ctlCC          = "_cc"
)
