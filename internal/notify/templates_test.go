package notify

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// base returns a message with every field set, for key and lang.
func base(key, lang string) Message {
	return Message{
		Key:         key,
		Lang:        lang,
		Recipient:   "Ana Ruiz",
		Actor:       "Luis Gómez",
		Contact:     "José Pérez",
		Opportunity: "#12 Tienda online",
		NoteText:    "Llamar el lunes.\nPreguntar por el presupuesto.",
		FileName:    "presupuesto-señal.pdf",
		AvisoAt:     time.Date(2026, 3, 5, 8, 30, 0, 0, time.UTC),
		Link:        "https://crm.example.com/opportunities/01JABC",
		TimeZone:    madrid,
	}
}

var madrid = func() *time.Location {
	tz, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return tz
}()

func TestRenderBuiltIn(t *testing.T) {
	cases := []struct {
		key, lang string
		subject   string
		want      []string // in the text part and, escaped, in the HTML part
		textOnly  []string // only in the text part
	}{
		{crm.NotifyNewContactAgent, "es", "Nuevo contacto a tu cargo: José Pérez",
			[]string{"Hola, Ana Ruiz:", "Luis Gómez", "José Pérez"}, nil},
		{crm.NotifyNewContactAgent, "en", "New contact for you: José Pérez",
			[]string{"Hi Ana Ruiz,", "Luis Gómez", "José Pérez"}, nil},
		{crm.NotifyNote, "es", "Recordatorio: José Pérez (#12 Tienda online)",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "5 de marzo de 2026, 09:30 (CET, Europe/Madrid)", "Preguntar por el presupuesto."},
			[]string{"> Llamar el lunes.\n> Preguntar por el presupuesto."}},
		{crm.NotifyNote, "en", "Reminder: José Pérez (#12 Tienda online)",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "March 5, 2026, 9:30 AM (CET, Europe/Madrid)", "Llamar el lunes."}, nil},
		{crm.NotifyNewOpportunityAgent, "es", "Eres agente de #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "agente"}, nil},
		{crm.NotifyNewOpportunityAgent, "en", "You are the agent for #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "agent"}, nil},
		{crm.NotifyNewOpportunityAssignee, "es", "Te toca: #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "te ha encargado"}, nil},
		{crm.NotifyNewOpportunityAssignee, "en", "Assigned to you: #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "put you in charge"}, nil},
		{crm.NotifyNewOpportunityFile, "es", "Archivo nuevo en #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "«presupuesto-señal.pdf»"}, nil},
		{crm.NotifyNewOpportunityFile, "en", "New file on #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "“presupuesto-señal.pdf”"}, nil},
		{crm.NotifyNewOpportunityNote, "es", "Nota nueva en #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "Llamar el lunes."}, nil},
		{crm.NotifyNewOpportunityNote, "en", "New note on #12 Tienda online",
			[]string{"Luis Gómez", "José Pérez", "#12 Tienda online", "Llamar el lunes."}, nil},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.key+"/"+c.lang, func(t *testing.T) {
			seen[c.key+"/"+c.lang] = true
			r, err := Render(base(c.key, c.lang), nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != c.subject {
				t.Errorf("subject = %q, want %q", r.Subject, c.subject)
			}
			link := "https://crm.example.com/opportunities/01JABC"
			for _, w := range append(c.want, link) {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
				if !strings.Contains(r.HTML, html.EscapeString(w)) {
					t.Errorf("HTML lacks %q:\n%s", html.EscapeString(w), r.HTML)
				}
			}
			for _, w := range c.textOnly {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
			}
			if !strings.Contains(r.HTML, `<a href="`+link+`"`) {
				t.Errorf("HTML has no anchor to the resource:\n%s", r.HTML)
			}
			if !strings.Contains(r.HTML, `<html lang="`+c.lang+`">`) || !strings.Contains(r.HTML, "<title>"+html.EscapeString(c.subject)+"</title>") {
				t.Errorf("HTML frame lacks language or title:\n%s", r.HTML)
			}
			if strings.Contains(r.Text, "\n\n\n") || !strings.HasSuffix(r.Text, "\n") || strings.HasSuffix(r.Text, "\n\n") {
				t.Errorf("text is not tidy:\n%q", r.Text)
			}
			if strings.Contains(r.Text, "<no value>") || strings.Contains(r.HTML, "<no value>") {
				t.Errorf("a field is missing from the templates")
			}
		})
	}
	for _, k := range crm.NotificationKeys() {
		for _, l := range []string{"es", "en"} {
			if !seen[k+"/"+l] {
				t.Errorf("no case for %s/%s", k, l)
			}
		}
	}
}

// With no person behind the change (a web form or the system), every e-mail
// still says who did it, and no sentence starts with an empty name.
func TestRenderWithoutActor(t *testing.T) {
	for _, k := range crm.NotificationKeys() {
		for _, l := range []string{"es", "en"} {
			m := base(k, l)
			m.Actor = ""
			r, err := Render(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Text, "José Pérez") {
				t.Errorf("%s/%s: contact missing", k, l)
			}
			if k != crm.NotifyNote && !strings.Contains(strings.ToLower(r.Text), map[string]string{"es": "automática", "en": "automatically"}[l]) {
				t.Errorf("%s/%s: does not say it was automatic:\n%s", k, l, r.Text)
			}
			if strings.Contains(r.HTML, "<strong></strong>") || strings.Contains(r.Text, "\n te ") || strings.Contains(r.Text, "\n made") {
				t.Errorf("%s/%s: empty actor shows:\n%s", k, l, r.Text)
			}
		}
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	m := base(crm.NotifyNewOpportunityNote, "es")
	m.NoteText = `<script>alert("x")</script> & <b>negrita</b>`
	m.Contact = `Eve <img src=x onerror=alert(1)>`
	m.Actor = `"Mallory" <mallory@example.com>`
	m.Link = `javascript:alert(1)`
	r, err := Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img", "<b>negrita", `href="javascript:`} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML contains %q unescaped:\n%s", bad, r.HTML)
		}
	}
	for _, good := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&amp; &lt;b&gt;negrita&lt;/b&gt;"} {
		if !strings.Contains(r.HTML, good) {
			t.Errorf("HTML lacks %q:\n%s", good, r.HTML)
		}
	}
	// The text part is plain text: the note arrives as written.
	if !strings.Contains(r.Text, `<script>alert("x")</script>`) {
		t.Errorf("text altered the note:\n%s", r.Text)
	}
}

func TestRenderWithoutLink(t *testing.T) {
	for _, k := range crm.NotificationKeys() {
		for _, l := range []string{"es", "en"} {
			m := base(k, l)
			m.Link = ""
			r, err := Render(m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(r.HTML, "<a ") || strings.Contains(r.HTML, "href") {
				t.Errorf("%s/%s: HTML has a link:\n%s", k, l, r.HTML)
			}
			if strings.Contains(r.Text, "Embudo:") || strings.Contains(r.Text, "http") {
				t.Errorf("%s/%s: text has a link line:\n%s", k, l, r.Text)
			}
		}
	}
}

func TestRenderWithoutOpportunityOrAviso(t *testing.T) {
	m := base(crm.NotifyNote, "es")
	m.Opportunity, m.AvisoAt, m.TimeZone = "", time.Time{}, nil
	r, err := Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Recordatorio: José Pérez" {
		t.Errorf("subject = %q", r.Subject)
	}
	if strings.Contains(r.Text, "oportunidad") || strings.Contains(r.Text, "programado") {
		t.Errorf("text mentions a missing opportunity or time:\n%s", r.Text)
	}

	m = base(crm.NotifyNewOpportunityFile, "en")
	m.Opportunity = ""
	if r, err = Render(m, nil); err != nil {
		t.Fatal(err)
	}
	if r.Subject != "New file on an opportunity of José Pérez" {
		t.Errorf("subject = %q", r.Subject)
	}
}

func TestRenderAvisoDefaultsToUTC(t *testing.T) {
	m := base(crm.NotifyNote, "en")
	m.TimeZone = nil
	r, err := Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "March 5, 2026, 8:30 AM (UTC)") {
		t.Errorf("aviso not in UTC:\n%s", r.Text)
	}
}

func TestRenderLanguageFallback(t *testing.T) {
	for _, lang := range []string{"", "fr", "ES", " es "} {
		r, err := Render(base(crm.NotifyNewContactAgent, lang), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Subject, "Nuevo contacto") || !strings.Contains(r.HTML, `lang="es"`) {
			t.Errorf("lang %q: not Spanish: %q", lang, r.Subject)
		}
	}
	if r, _ := Render(base(crm.NotifyNewContactAgent, "EN"), nil); !strings.HasPrefix(r.Subject, "New contact") {
		t.Errorf("EN: not English: %q", r.Subject)
	}
}

func TestRenderUnknownKey(t *testing.T) {
	for _, key := range []string{"", "new-contact", "NEW-CONTACT-AGENT"} {
		_, err := Render(Message{Key: key}, nil)
		if crm.ErrorCode(err) != crm.CodeInvalid {
			t.Errorf("key %q: error %v, want invalid", key, err)
		}
	}
}

func TestRenderOverride(t *testing.T) {
	cases := []struct {
		name        string
		msg         func(*Message)
		override    crm.TemplateOverride
		subject     string
		text        string // whole text part
		htmlContent []string
		htmlAbsent  []string
	}{
		{
			name: "subject and body",
			override: crm.TemplateOverride{
				Subject: "{actor} → {contact} ({opportunity})",
				Body:    "Hola {recipient}:\n{actor} subió {file} a {opportunity} de {contact}.\nNota: {note}\nAviso: {aviso}\nVer: {link}\n{unknown}",
			},
			subject: "Luis Gómez → José Pérez (#12 Tienda online)",
			text: "Hola Ana Ruiz:\nLuis Gómez subió presupuesto-señal.pdf a #12 Tienda online de José Pérez.\n" +
				"Nota: Llamar el lunes.\nPreguntar por el presupuesto.\nAviso: 5 de marzo de 2026, 09:30 (CET, Europe/Madrid)\n" +
				"Ver: https://crm.example.com/opportunities/01JABC\n{unknown}\n",
			htmlContent: []string{
				"Hola Ana Ruiz:<br>\nLuis Gómez subió",
				`Ver: <a href="https://crm.example.com/opportunities/01JABC">https://crm.example.com/opportunities/01JABC</a><br>`,
				"<title>Luis Gómez → José Pérez (#12 Tienda online)</title>",
			},
		},
		{
			name:        "subject only keeps the built-in body",
			override:    crm.TemplateOverride{Subject: "Aviso para {recipient}\r\n: {contact}"},
			subject:     "Aviso para Ana Ruiz : José Pérez",
			htmlContent: []string{"te ha encargado", "<title>Aviso para Ana Ruiz : José Pérez</title>"},
		},
		{
			name:     "body only keeps the built-in subject, appends the missing link, escapes",
			msg:      func(m *Message) { m.Actor = ""; m.NoteText = "<script>alert(1)</script>" },
			override: crm.TemplateOverride{Body: "{actor} dice: {note}"},
			subject:  "Te toca: #12 Tienda online",
			text:     "Embudo dice: <script>alert(1)</script>\n\nÁbrelo en Embudo: https://crm.example.com/opportunities/01JABC\n",
			htmlContent: []string{
				"Embudo dice: &lt;script&gt;alert(1)&lt;/script&gt;<br>\n<br>\nÁbrelo en Embudo: <a href=",
			},
			htmlAbsent: []string{"<script>"},
		},
		{
			name:       "body without link when there is none",
			msg:        func(m *Message) { m.Link = "" },
			override:   crm.TemplateOverride{Body: "Para {recipient}. {link}"},
			subject:    "Te toca: #12 Tienda online",
			text:       "Para Ana Ruiz.\n",
			htmlAbsent: []string{"<a ", "Ábrelo"},
		},
		{
			name:        "blank override is ignored",
			override:    crm.TemplateOverride{Subject: "  ", Body: "\n"},
			subject:     "Te toca: #12 Tienda online",
			htmlContent: []string{"te ha encargado"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base(crm.NotifyNewOpportunityAssignee, "es")
			if c.msg != nil {
				c.msg(&m)
			}
			o := c.override
			r, err := Render(m, &o)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != c.subject {
				t.Errorf("subject = %q, want %q", r.Subject, c.subject)
			}
			if c.text != "" && r.Text != c.text {
				t.Errorf("text =\n%q\nwant\n%q", r.Text, c.text)
			}
			for _, w := range c.htmlContent {
				if !strings.Contains(r.HTML, w) {
					t.Errorf("HTML lacks %q:\n%s", w, r.HTML)
				}
			}
			for _, w := range c.htmlAbsent {
				if strings.Contains(r.HTML, w) {
					t.Errorf("HTML has %q:\n%s", w, r.HTML)
				}
			}
		})
	}
}

// Names never break the one-line subject.
func TestRenderSubjectIsOneLine(t *testing.T) {
	m := base(crm.NotifyNewContactAgent, "en")
	m.Contact = "José\r\nBcc: evil@example.com"
	r, err := Render(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", r.Subject)
	}
}

func BenchmarkRender(b *testing.B) {
	m := base(crm.NotifyNewOpportunityNote, "es")
	for b.Loop() {
		if _, err := Render(m, nil); err != nil {
			b.Fatal(err)
		}
	}
}
