package inbound

import (
	"regexp"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// Reply headers mail clients write above the quoted history.
var (
	wroteLine    = regexp.MustCompile(`(?i)(wrote|escribió|a écrit|schrieb|ha scritto|escreveu):\s*$`)
	wroteStart   = regexp.MustCompile(`^(On|El|Le|Am|Il|Em) `)
	outlookSep   = regexp.MustCompile(`(?i)^(-{3,} ?(original message|mensaje original|message d'origine) ?-{3,}|_{20,})\s*$`)
	headerStart  = regexp.MustCompile(`(?i)^\*?(from|de|von):\*? `)
	sentHeader   = regexp.MustCompile(`(?i)^\*?(sent|enviado|enviado el|date|fecha|gesendet):\*? `)
	signatureCut = regexp.MustCompile(`(?i)^(sent from my |enviado desde mi |get outlook for |obtener outlook para |descargar outlook para )`)
	emailInText  = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
)

// Markers of an inline forward. The forward-only ones are enough; the
// Outlook separators, which replies also use, count only when the subject
// says it is a forward.
var (
	forwardMarker  = regexp.MustCompile(`(?i)^\s*(-{5,} ?(forwarded message|mensaje reenviado|message transféré) ?-{5,}|-{5,} ?(forwarded message|mensaje reenviado) ?-{5,}|(begin forwarded message|inicio del mensaje reenviado|comienzo del mensaje reenviado):)\s*$`)
	forwardSubject = regexp.MustCompile(`(?i)^\s*(fwd?|rv|reenv(iar)?|tr|wg)\s*:`)
	replySubject   = regexp.MustCompile(`(?i)^\s*(re|aw|sv|rv|fwd?|tr|wg|reenv(iar)?)\s*:\s*`)
)

// lines splits text into lines without carriage returns.
func lines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
}

// ownText returns the writer's own words of a body: it cuts the quoted
// history (at "On ... wrote:", "El ... escribió:", Outlook's "Original
// Message" separator or header block), drops quoted lines ("> ...") and
// cuts the signature ("-- " and "Sent from my ..." lines).
func ownText(s string) string {
	ls := lines(s)
	var out []string
	for i := 0; i < len(ls); i++ {
		l := strings.TrimRight(ls[i], " \t")
		t := strings.TrimSpace(l)
		if historyStarts(ls, i) || l == "--" || l == "-- " || signatureCut.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, l)
	}
	return tidyText(strings.Join(out, "\n"))
}

// historyStarts reports whether the quoted history starts at line i.
func historyStarts(ls []string, i int) bool {
	t := strings.TrimSpace(ls[i])
	if outlookSep.MatchString(t) || forwardMarker.MatchString(t) {
		return true
	}
	if wroteStart.MatchString(t) {
		for j := i; j < len(ls) && j < i+3; j++ {
			if wroteLine.MatchString(strings.TrimSpace(ls[j])) {
				return true
			}
		}
	}
	if headerStart.MatchString(t) {
		for j := i + 1; j < len(ls) && j < i+4; j++ {
			if sentHeader.MatchString(strings.TrimSpace(ls[j])) {
				return true
			}
		}
	}
	return false
}

// inlineForward is a message forwarded in the body.
type inlineForward struct {
	Comment string // what the forwarder wrote above it
	From    Address
	To      []Address
	Subject string
	Body    string
}

// findForward finds a message forwarded inline: a forward marker (or an
// Outlook separator when subject says it is a forward) followed by a
// header block with a From line.
func findForward(body, subject string) (inlineForward, bool) {
	ls := lines(body)
	for i, l := range ls {
		t := strings.TrimSpace(unquote(l))
		if !forwardMarker.MatchString(t) && !(outlookSep.MatchString(t) && forwardSubject.MatchString(subject)) {
			continue
		}
		f := inlineForward{Comment: ownText(strings.Join(ls[:i], "\n"))}
		j := i + 1
		for j < len(ls) && strings.TrimSpace(unquote(ls[j])) == "" {
			j++
		}
		started := false
		for ; j < len(ls); j++ {
			h := strings.TrimSpace(unquote(ls[j]))
			if h == "" {
				if started {
					break
				}
				continue
			}
			key, val, ok := strings.Cut(h, ":")
			key = strings.ToLower(strings.Trim(key, "* "))
			if !ok || strings.Contains(key, " ") && key != "enviado el" {
				break
			}
			started = true
			val = strings.TrimSpace(strings.Trim(val, "* "))
			switch key {
			case "from", "de", "von":
				if as := textAddresses(val); len(as) > 0 {
					f.From = as[0]
				}
			case "to", "para", "an", "cc":
				f.To = append(f.To, textAddresses(val)...)
			case "subject", "asunto", "betreff":
				f.Subject = val
			}
		}
		if f.From.Email == "" {
			continue
		}
		var rest []string
		for _, l := range ls[j:] {
			rest = append(rest, unquote(l))
		}
		f.Body = ownText(strings.Join(rest, "\n"))
		return f, true
	}
	return inlineForward{}, false
}

// unquote removes one level of "> " quoting.
func unquote(l string) string {
	if s, ok := strings.CutPrefix(l, "> "); ok {
		return s
	}
	if s, ok := strings.CutPrefix(l, ">"); ok {
		return s
	}
	return l
}

// textAddresses reads the addresses of a header line written as text:
// "Ana <ana@x.com>", "Ana [mailto:ana@x.com]", "ana@x.com; Luis <l@y.es>".
func textAddresses(s string) []Address {
	var out []Address
	for _, loc := range emailInText.FindAllStringIndex(s, -1) {
		e, ok := crm.NormalizeEmail(s[loc[0]:loc[1]])
		if !ok || e == "" {
			continue
		}
		name := s[:loc[0]]
		if i := strings.LastIndexAny(name, ",;"); i >= 0 {
			name = name[i+1:]
		}
		name = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(name), "<[("))
		name = strings.TrimSpace(strings.TrimSuffix(name, "mailto:"))
		name = strings.Trim(name, `"' `)
		if strings.Contains(name, "@") {
			name = ""
		}
		out = append(out, Address{Name: name, Email: e})
	}
	return out
}

// cleanSubject removes the reply and forward prefixes of a subject.
func cleanSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		loc := replySubject.FindStringIndex(s)
		if loc == nil {
			return s
		}
		s = s[loc[1]:]
	}
}

// privateTags make a note private when its subject starts with one.
var privateTags = []string{"[privado]", "[private]"}

// private reports whether subject asks for a private note, and returns the
// subject without the tag.
func private(subject string) (string, bool) {
	s := strings.TrimSpace(subject)
	for {
		rest := cleanSubject(s)
		lower := strings.ToLower(rest)
		for _, tag := range privateTags {
			if strings.HasPrefix(lower, tag) {
				return strings.TrimSpace(rest[len(tag):]), true
			}
		}
		if rest == s {
			return subject, false
		}
		s = rest
	}
}
