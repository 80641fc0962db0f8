package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// The checks of values with a syntax: each returns an error saying what
// it wants.

var (
	tableNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	regionRE    = regexp.MustCompile(`^[A-Z]{2}$`)
)

var errNoRegion = errors.New("want two capital letters, an ISO 3166-1 region such as ES")

// tableName takes a DynamoDB table name or a table's ARN.
func tableName(v string) error {
	if tableNameRE.MatchString(v) || (arn(v) == nil && strings.Contains(v, ":table/")) {
		return nil
	}
	return fmt.Errorf("%q is no DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -) or table ARN", v)
}

// region takes an ISO 3166-1 alpha-2 code, as the template's PhoneRegion.
func region(v string) error {
	if regionRE.MatchString(v) {
		return nil
	}
	return fmt.Errorf("%q: %w", v, errNoRegion)
}

// httpURL takes an absolute http or https URL.
func httpURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is no absolute http(s) URL", v)
	}
	return nil
}

// address takes what the mailer sends from: "no-reply@example.com" or
// "Embudo <no-reply@example.com>".
func address(v string) error {
	a, err := mail.ParseAddress(strings.TrimSpace(v))
	if err != nil || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("%q is no e-mail address (no-reply@example.com or Embudo <no-reply@example.com>)", v)
	}
	return nil
}

// arn takes an Amazon Resource Name: arn:partition:service:region:account:resource.
func arn(v string) error {
	p := strings.SplitN(v, ":", 6)
	if len(p) < 6 || p[0] != "arn" || p[1] == "" || p[2] == "" || p[5] == "" {
		return fmt.Errorf("%q is no ARN (arn:aws:service:region:account:resource)", v)
	}
	return nil
}

var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// domain checks a lower-case DNS domain such as in.example.com.
func domain(v string) error {
	if domainRE.MatchString(v) {
		return nil
	}
	return fmt.Errorf("%q is no lower-case domain such as in.example.com", v)
}

// replyKey checks an HMAC key of 32 characters or more.
func replyKey(v string) error {
	if len(v) >= 32 {
		return nil
	}
	return fmt.Errorf("has %d characters; it needs 32 or more (openssl rand -hex 32)", len(v))
}
