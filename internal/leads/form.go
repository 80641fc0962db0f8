package leads

import (
	"bytes"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// field is one name and its values as a sender posted them, in order.
type field struct {
	key    string
	values []string
}

// ParseForm reads a form post into a lead: an HTML form
// (application/x-www-form-urlencoded, or multipart/form-data with its files
// ignored) or a JSON object (application/json, any +json type, or text/plain
// whose body is a JSON object, as fetch() sends to avoid a CORS preflight)
// of string, number, boolean or array-of-those values.
//
// Each field goes, in this order, through fieldMap (the sender's name → a
// standard name, matched exactly and then ignoring case, accents and
// separators; a name that is not a standard one renames the field in
// Extra; "" drops it), then the standard names and their common aliases
// (name, first_name, full_name, surname, last_name, apellidos, email,
// phone, tel, telefono, mobile, company, empresa, job_title, message,
// mensaje, comments, interests, marketingConsent, web, website, address,
// street, postal_code, city, province, country, the utm_* fields, gclid,
// fbclid, landing_page, referrer, ...). When several fields fill one lead
// field, a mapped field beats an alias and the standard name beats the
// others (first_name beats full_name, phone beats mobile); the values not
// taken go to Extra. interests may repeat and is split on commas;
// marketingConsent is true when any value is on, true, 1, yes, si or sí.
// Attribution fields are also read from query, the query string of the
// POST URL, where the body has none.
//
// The control fields (_gotcha or honeypot, _next, _redirect,
// _idempotency_key, _subject, _cc) are removed from the lead and reported
// in Control; a filled honeypot also sets Lead.Spam. Unrecognised fields go
// to Extra (see MaxExtraFields). Values are trimmed, never normalised. An
// HTML form posted in another encoding than UTF-8 keeps its text: bytes
// that are not UTF-8 are read as Windows-1252, and the numeric character
// references a browser writes for characters that encoding lacks
// (&#321;ukasz) are decoded. Lead.Format is crm.FormatForm or
// crm.FormatJSON.
//
// Errors: invalid, naming "Content-Type" (missing, malformed or
// unsupported), the field whose JSON text is not valid UTF-8 (or "body"),
// or "body" (malformed for its type, or a JSON value that is an object or a
// nested array).
func ParseForm(contentType string, body []byte, query url.Values, fieldMap map[string]string, honeypot string) (crm.Lead, Control, error) {
	fields, format, err := formFields(contentType, body)
	if err != nil {
		return crm.Lead{}, Control{}, err
	}
	fm := newFieldMap(fieldMap)
	honeypot = strings.TrimSpace(honeypot)
	var (
		b        builder
		ctl      Control
		redirect string
	)
	for _, f := range fields {
		key := strings.TrimSpace(f.key)
		name := strings.ToLower(key)
		if t, ok := fm.lookup(key); ok && strings.HasPrefix(t, "_") {
			name = strings.ToLower(t)
		}
		if name == ctlGotcha || (honeypot != "" && (strings.EqualFold(key, honeypot) || name == strings.ToLower(honeypot))) {
			if firstValue(f.values) != "" {
				ctl.Honeypot = true
			}
			continue
		}
		switch name {
		case ctlNext:
			ctl.Next = orFirst(ctl.Next, f.values)
		case ctlRedirect:
			redirect = orFirst(redirect, f.values)
		case ctlIdempotency:
			ctl.IdempotencyKey = orFirst(ctl.IdempotencyKey, f.values)
		case ctlSubject, ctlCC:
		default:
			b.addField(key, f.values, fm)
		}
	}
	if ctl.Next == "" {
		ctl.Next = redirect
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t := resolve(k, fm); t.slot.isAttribution() {
			b.addSlot(t.slot, queryRank+t.rank, k, query[k]...)
		}
	}
	lead := crm.Lead{Format: format, Spam: ctl.Honeypot}
	b.build(&lead)
	return lead, ctl, nil
}

// firstValue returns the first non-empty cleaned value.
func firstValue(values []string) string {
	for _, v := range values {
		if v = clean(v); v != "" {
			return v
		}
	}
	return ""
}

// orFirst keeps cur when it is set, else takes the first non-empty value.
func orFirst(cur string, values []string) string {
	if cur != "" {
		return cur
	}
	return firstValue(values)
}

// formFields decodes a form body by its content type.
func formFields(contentType string, body []byte) ([]field, crm.LeadFormat, error) {
	if strings.TrimSpace(contentType) == "" {
		return nil, "", crm.InvalidField("Content-Type", "is required")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, "", crm.InvalidField("Content-Type", "is not a valid media type")
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		f, err := urlencodedFields(body)
		return f, crm.FormatForm, err
	case mt == "multipart/form-data":
		f, err := multipartFields(params["boundary"], body)
		return f, crm.FormatForm, err
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		f, err := jsonFields(body)
		return f, crm.FormatJSON, err
	case mt == "text/plain" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")):
		f, err := jsonFields(body)
		return f, crm.FormatJSON, err
	}
	return nil, "", crm.InvalidField("Content-Type", "must be application/x-www-form-urlencoded, multipart/form-data or application/json")
}
