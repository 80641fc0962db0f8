package main

import (
	"errors"
	"strings"

	"github.com/embudo/embudo/internal/inbound/reply"
)

// inboundConfig is what the function reads besides the core.
type inboundConfig struct {
	bucket     string // FILES_BUCKET (required): where SES stored the message, and where files go
	domain     string // INBOUND_DOMAIN (required): the domain of the reply addresses
	key        []byte // REPLY_TOKEN_KEY (required): the HMAC key of the reply addresses, 32 characters or more
	s3Endpoint string // S3_ENDPOINT: an S3-compatible endpoint (tests); "" on AWS
}

// inboundVars are the variables readInbound reads.
var inboundVars = []string{"FILES_BUCKET", "INBOUND_DOMAIN", "REPLY_TOKEN_KEY", "S3_ENDPOINT"}

// readInbound reads them. Errors: one line naming each missing or
// malformed variable.
func readInbound(lookup func(string) (string, bool)) (inboundConfig, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	c := inboundConfig{bucket: get("FILES_BUCKET"), domain: strings.ToLower(get("INBOUND_DOMAIN")), key: []byte(get("REPLY_TOKEN_KEY")),
		s3Endpoint: get("S3_ENDPOINT")}
	var bad []string
	if c.bucket == "" {
		bad = append(bad, "FILES_BUCKET is not set")
	}
	if c.domain == "" || strings.ContainsAny(c.domain, "@ /") || !strings.Contains(c.domain, ".") {
		bad = append(bad, "INBOUND_DOMAIN must be a domain such as in.example.com")
	}
	if len(c.key) < reply.MinKeyLen {
		bad = append(bad, "REPLY_TOKEN_KEY must have at least 32 characters (openssl rand -hex 32)")
	}
	if len(bad) > 0 {
		return c, errors.New(strings.Join(bad, "; "))
	}
	return c, nil
}
