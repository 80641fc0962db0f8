// Package leads reads inbound lead deliveries (HTML and JSON form posts,
// Google Ads lead form webhooks, Meta lead ads notifications and the leads
// fetched from the Graph API) into crm.Lead values, and verifies the
// shared secrets and signatures those senders use (Google's google_key,
// Meta's X-Hub-Signature-256, Standard Webhooks).
//
// It is pure: no HTTP server, no AWS, no storage. Callers read the body
// (at most MaxBody bytes), pick the parser for the endpoint and hand the
// lead to the domain, which normalises, validates and deduplicates it.
// Parsers keep values as sent (trimmed, and made valid UTF-8); they never
// normalise e-mails or phone numbers.
//
// Every error is a *crm.Error: parsers return crm.CodeInvalid, verifiers
// crm.CodeUnauthorized.
package leads
