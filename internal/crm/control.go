package crm

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// MsgControlCharacters is the problem of a text field that holds a control
// character other than tab and newline.
const MsgControlCharacters = "must not contain control characters (only tab and newline are allowed)"

// forbiddenControl reports whether r is a control character a text field
// may not hold: C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F), except tab
// and newline. They are what terminal escapes are made of (ESC, BEL, CSI),
// and nothing a person types into a form.
func forbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n'
}

// hasControls reports whether s holds a forbidden control character.
func hasControls(s string) bool {
	return strings.ContainsFunc(s, forbiddenControl)
}

// newlines turns CRLF line breaks (what a browser's textarea and Windows
// send) into newlines.
func newlines(s string) string {
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// StripControls returns s with CRLF line breaks made newlines and every other
// control character but tab and newline removed: what a web lead keeps of
// a field sent with them, rather than being refused.
func StripControls(s string) string {
	s = newlines(s)
	if !hasControls(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if forbiddenControl(r) {
			return -1
		}
		return r
	}, s)
}

// stripLeadControls applies StripControls to every text of a lead, its
// Extra's names and values included: a web lead is kept without them
// rather than refused.
func stripLeadControls(l *Lead) {
	for _, p := range []*string{&l.ExternalID, &l.Name, &l.Surname, &l.Email, &l.Phone, &l.Mobile, &l.TaxID, &l.Company,
		&l.JobTitle, &l.Web, &l.Message, &l.Address.Street, &l.Address.PostalCode, &l.Address.City, &l.Address.Province,
		&l.Address.Country, &l.Attribution.UTMSource, &l.Attribution.UTMMedium, &l.Attribution.UTMCampaign,
		&l.Attribution.UTMTerm, &l.Attribution.UTMContent, &l.Attribution.GCLID, &l.Attribution.FBCLID,
		&l.Attribution.LandingPage, &l.Attribution.Referrer} {
		*p = StripControls(*p)
	}
	for i, in := range l.Interests {
		l.Interests[i] = StripControls(in)
	}
	if len(l.Extra) == 0 {
		return
	}
	extra := make(map[string]string, len(l.Extra))
	for _, k := range slices.Sorted(maps.Keys(l.Extra)) {
		v := StripControls(l.Extra[k])
		k = strings.TrimSpace(StripControls(k))
		if k == "" {
			continue
		}
		if old, ok := extra[k]; ok && old != "" {
			v = old + ", " + v
		}
		extra[k] = v
	}
	l.Extra = extra
}
