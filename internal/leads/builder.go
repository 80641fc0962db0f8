package leads

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/embudo/embudo/internal/crm"
	"golang.org/x/text/encoding/charmap"
)

// candidate is one sender field bound for a lead field.
type candidate struct {
	key    string
	rank   int
	values []string
}

// builder collects a delivery's fields and turns them into a crm.Lead.
// Each lead field takes the best-ranked non-empty value; every other
// non-empty value (a lower-ranked alias, a repeated field) goes to Extra,
// so nothing the sender sent is silently lost.
type builder struct {
	cands   [numSlots][]candidate
	extra   extras
	targets map[string]target // resolved field names, for senders that repeat them
}

// addField routes a sender's field through the field map and the aliases.
func (b *builder) addField(key string, values []string, fm fieldMap) {
	t, ok := b.targets[key]
	if !ok {
		t = resolve(key, fm)
		if b.targets == nil {
			b.targets = map[string]target{}
		}
		b.targets[key] = t
	}
	switch {
	case t.slot != slotNone:
		b.addSlot(t.slot, t.rank, key, values...)
	case t.extra != "":
		b.extra.add(t.extra, values...)
	}
}

// addSlot offers values for a lead field.
func (b *builder) addSlot(s slot, rank int, key string, values ...string) {
	b.cands[s] = append(b.cands[s], candidate{key: key, rank: rank, values: values})
}

// build fills the lead's fields and Extra.
func (b *builder) build(l *crm.Lead) {
	scalars := map[slot]*string{
		slotName: &l.Name, slotSurname: &l.Surname, slotEmail: &l.Email, slotPhone: &l.Phone,
		slotCompany: &l.Company, slotJobTitle: &l.JobTitle, slotMessage: &l.Message, slotWeb: &l.Web,
		slotStreet: &l.Address.Street, slotPostalCode: &l.Address.PostalCode, slotCity: &l.Address.City,
		slotProvince: &l.Address.Province, slotCountry: &l.Address.Country,
		slotUTMSource: &l.Attribution.UTMSource, slotUTMMedium: &l.Attribution.UTMMedium,
		slotUTMCampaign: &l.Attribution.UTMCampaign, slotUTMTerm: &l.Attribution.UTMTerm,
		slotUTMContent: &l.Attribution.UTMContent, slotGCLID: &l.Attribution.GCLID,
		slotFBCLID: &l.Attribution.FBCLID, slotLandingPage: &l.Attribution.LandingPage,
		slotReferrer: &l.Attribution.Referrer,
	}
	for s := slotNone + 1; s < numSlots; s++ {
		cands := slices.Clone(b.cands[s])
		slices.SortStableFunc(cands, func(a, b candidate) int { return a.rank - b.rank })
		switch s {
		case slotInterests:
			l.Interests = interests(cands)
		case slotConsent:
			l.MarketingConsent = consent(cands)
		default:
			dst := scalars[s]
			for _, c := range cands {
				for _, v := range c.values {
					v = clean(v)
					switch {
					case v == "":
					case *dst == "":
						*dst = v
					case c.rank < queryRank:
						b.extra.add(c.key, v)
					}
				}
			}
		}
	}
	l.Extra = b.extra.finish()
}

// interests splits every value on commas, trims and deduplicates.
func interests(cands []candidate) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cands {
		for _, v := range c.values {
			for part := range strings.SplitSeq(v, ",") {
				if part = clean(part); part != "" && !seen[part] {
					seen[part] = true
					out = append(out, part)
				}
			}
		}
	}
	return out
}

// consent is true when any value says yes (on, true, 1, yes, si, sí, in
// any case): a checkbox after a hidden "0" still counts.
func consent(cands []candidate) bool {
	for _, c := range cands {
		for _, v := range c.values {
			if truthy(v) {
				return true
			}
		}
	}
	return false
}

// truthy reports whether a form value means yes.
func truthy(v string) bool {
	switch crm.Fold(clean(v)) {
	case "on", "true", "1", "yes", "si", "y":
		return true
	}
	return false
}

// clean makes a sender's value valid UTF-8 (reading invalid UTF-8 as
// Windows-1252, the usual encoding of a form on a Latin-1 page), removes NUL
// characters and trims white space. It changes nothing else.
func clean(v string) string {
	if !utf8.ValidString(v) {
		if d, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
			v = d
		}
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if strings.IndexByte(v, 0) >= 0 {
		v = strings.ReplaceAll(v, "\x00", "")
	}
	return strings.TrimSpace(v)
}

// extras collects Extra fields in the order they arrive, within the bounds.
type extras struct {
	keys   []string
	values map[string]string
	full   map[string]bool // the value has MaxExtraValueLen characters
}

// add appends the non-empty values of a field (joined with ", "); a field
// beyond MaxExtraFields is dropped, and a value is cut at MaxExtraValueLen.
func (e *extras) add(key string, values ...string) {
	if e.full[key] {
		return
	}
	key = truncate(clean(key), MaxExtraKeyLen)
	if key == "" || e.full[key] || (len(e.keys) >= MaxExtraFields && e.values[key] == "") {
		return
	}
	for _, v := range values {
		v = clean(v)
		if v == "" {
			continue
		}
		old, ok := e.values[key]
		if !ok {
			if e.values == nil {
				e.values, e.full = map[string]string{}, map[string]bool{}
			}
			e.keys = append(e.keys, key)
		} else {
			v = old + ", " + v
		}
		e.values[key] = truncate(v, MaxExtraValueLen)
		if utf8.RuneCountInString(e.values[key]) >= MaxExtraValueLen {
			e.full[key] = true
			return
		}
	}
}

// finish returns Extra, or nil when there is nothing.
func (e *extras) finish() map[string]string {
	if len(e.keys) == 0 {
		return nil
	}
	return e.values
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
