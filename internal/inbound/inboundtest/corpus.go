// Package inboundtest holds the e-mail corpus of the inbound tests (real
// shapes of Gmail, Outlook and Apple Mail messages, in testdata/corpus of
// package inbound) with what each must become, so that the parser's tests,
// the local SMTP listener's and the inbound Lambda's check the same things.
package inboundtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/embudo/embudo/internal/crm"
)

// The company of the corpus: its users and its inbound address.
const (
	Domain       = "in.acme.example"
	InboundAddr  = "crm@" + Domain
	MartaEmail   = "marta@acme.example"
	BrunoEmail   = "bruno@acme.example"
	LargeFile    = "large-10mb-attachment.eml" // built by Large, not stored
	LargeSize    = 10 << 20
	LargeAttName = "catalogo-2026.pdf"
)

// Case is one message of the corpus and what it must become.
type Case struct {
	File     string
	Verdicts map[string]string // SES verdicts (spf, dkim, dmarc, spam, virus) to send it with; nil: all PASS
	SESOnly  bool              // it needs a verdict, which the local listener has none of
	Outcome  crm.LeadOutcome   // created or noted (both mean a note), or rejected
	Author   string            // the note's author's e-mail
	Contact  string            // the e-mail of the contact the note is on
	Name     string            // the contact's name, when the message created it
	Has      []string          // the note's text contains each
	HasNot   []string          // and none of these (quoted history, signatures, tags)
	Private  bool
	Files    int    // files written: the original and the attachments
	Reason   string // a rejection's reason contains it
}

// Cases is the corpus.
var Cases = []Case{
	{File: "gmail-bcc-alternative.eml", Outcome: crm.OutcomeCreated, Author: MartaEmail, Contact: "lucia.fernandez@cliente.example", Name: "Lucía Fernández",
		Has: []string{"Presupuesto tienda online", "4.800 € con el catálogo incluido"}, HasNot: []string{"¿El precio", "ACME Estudio", "Re:"}, Files: 1},
	{File: "outlook-html-only-windows1252.eml", Outcome: crm.OutcomeCreated, Author: MartaEmail, Contact: "pedro.gomez@proveedor.example", Name: "Pedro Gómez",
		Has: []string{"Reunión del jueves y contraseña del portal", "Llevaré las muestras del catálogo"}, HasNot: []string{"¿Quedamos", "Sent:"}, Files: 1},
	{File: "apple-forward-as-attachment.eml", Outcome: crm.OutcomeCreated, Author: MartaEmail, Contact: "jorge.martin@azulejos.example", Name: "Jorge Martín",
		Has: []string{"Pedido de azulejos", "Jorge pide el presupuesto", "200 m² de azulejo blanco"}, Files: 3},
	{File: "gmail-forward-inline.eml", Outcome: crm.OutcomeCreated, Author: BrunoEmail, Contact: "ana.gil@cliente.example", Name: "Ana Gil",
		Has: []string{"Solicitud de informacion", "Nuevo cliente potencial", "nave de 400 m²"}, HasNot: []string{"Forwarded message"}, Files: 2},
	{File: "apple-private-plain.eml", Outcome: crm.OutcomeNoted, Author: MartaEmail, Contact: "lucia.fernandez@cliente.example", Private: true,
		Has: []string{"Llamada con Lucía", "no presionar"}, HasNot: []string{"[privado]", "iPhone"}, Files: 1},
	{File: "stranger.eml", Outcome: crm.OutcomeRejected, Reason: "not the address of an active user"},
	{File: "spoofed-dmarc-fail.eml", Verdicts: map[string]string{"dmarc": "FAIL", "spf": "FAIL"}, SESOnly: true, Outcome: crm.OutcomeRejected, Reason: "DMARC"},
	{File: LargeFile, Outcome: crm.OutcomeNoted, Author: MartaEmail, Contact: "pedro.gomez@proveedor.example",
		Has: []string{"Catálogo 2026"}, Files: 2},
}

// Dir is the corpus directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "corpus")
}

// Raw returns a case's message.
func Raw(c Case) ([]byte, error) {
	if c.File == LargeFile {
		return Large(), nil
	}
	return os.ReadFile(filepath.Join(Dir(), c.File))
}

// Large builds the message with a 10 MiB attachment (Outlook's shape: a
// multipart/mixed of a text part and a base64 PDF), deterministic, so that
// the repository need not hold 14 MB of base64.
func Large() []byte {
	var b bytes.Buffer
	w := func(s string) { b.WriteString(s + "\r\n") }
	w("MIME-Version: 1.0")
	w("Date: Mon, 9 Mar 2026 12:00:00 +0000")
	w("Message-ID: <AM0PR01MB5555LARGE@AM0PR01MB5555.eurprd01.prod.outlook.com>")
	w("Subject: =?utf-8?B?" + base64.StdEncoding.EncodeToString([]byte("Catálogo 2026")) + "?=")
	w("From: Marta Ruiz <" + MartaEmail + ">")
	w("To: Pedro Gómez <pedro.gomez@proveedor.example>")
	w("Content-Type: multipart/mixed; boundary=\"_004_LARGE_\"")
	w("")
	w("--_004_LARGE_")
	w("Content-Type: text/plain; charset=\"utf-8\"")
	w("Content-Transfer-Encoding: 8bit")
	w("")
	w("Pedro, te adjunto el catálogo completo.")
	w("")
	w("--_004_LARGE_")
	w("Content-Type: application/pdf; name=\"" + LargeAttName + "\"")
	w("Content-Disposition: attachment; filename=\"" + LargeAttName + "\"")
	w("Content-Transfer-Encoding: base64")
	w("")
	data := make([]byte, LargeSize)
	copy(data, "%PDF-1.7\n")
	for i := 9; i < len(data); i++ {
		data[i] = byte('a' + i%26)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w(enc[:76])
		enc = enc[76:]
	}
	w(enc)
	w("--_004_LARGE_--")
	return b.Bytes()
}

// Team creates the corpus's users (Marta, Bruno) and returns them by
// e-mail. Errors: those of CreateUser.
func Team(ctx context.Context, svc *crm.Service) (map[string]crm.User, error) {
	out := map[string]crm.User{}
	for _, u := range []crm.User{{Name: "Marta Ruiz", Email: MartaEmail, Active: true, Lang: crm.LangES},
		{Name: "Bruno Díaz", Email: BrunoEmail, Active: true, Lang: crm.LangES}} {
		made, err := svc.CreateUser(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Email, err)
		}
		out[made.Email] = made
	}
	return out, nil
}

// Records is what Check reads of a store, past any user's view: a contact,
// its notes and its files (crm.Store satisfies it).
type Records interface {
	GetContact(ctx context.Context, id string) (crm.Contact, error)
	ListNotes(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions, accept func(crm.Note) bool) (crm.Page[crm.Note], error)
	ListFiles(ctx context.Context, k crm.ParentKind, parentID string, o crm.ListOptions) (crm.Page[crm.File], error)
}

// Check compares what a case became with what it must: the note (on its
// contact or its parent), its files, as st holds them. It returns the
// problems found.
func Check(ctx context.Context, st Records, team map[string]crm.User, c Case, outcome crm.LeadOutcome, contactID, reason string) []string {
	var bad []string
	if outcome != c.Outcome {
		bad = append(bad, fmt.Sprintf("outcome %q, want %q (reason %q)", outcome, c.Outcome, reason))
	}
	if c.Outcome == crm.OutcomeRejected {
		if !strings.Contains(reason, c.Reason) {
			bad = append(bad, fmt.Sprintf("reason %q, want it to contain %q", reason, c.Reason))
		}
		return bad
	}
	ct, err := st.GetContact(ctx, contactID)
	if err != nil {
		return append(bad, fmt.Sprintf("contact %q: %v", contactID, err))
	}
	if ct.Email != c.Contact || (c.Name != "" && ct.Name != c.Name) {
		bad = append(bad, fmt.Sprintf("contact %s <%s>, want %s <%s>", ct.Name, ct.Email, c.Name, c.Contact))
	}
	notes, err := st.ListNotes(ctx, crm.ParentContact, contactID, crm.ListOptions{Limit: 50}, nil)
	if err != nil {
		return append(bad, err.Error())
	}
	var note *crm.Note
	for i, n := range notes.Items {
		if strings.Contains(n.Text, c.Has[0]) {
			note = &notes.Items[i]
		}
	}
	if note == nil {
		return append(bad, fmt.Sprintf("no note containing %q on the contact", c.Has[0]))
	}
	for _, s := range c.Has {
		if !strings.Contains(note.Text, s) {
			bad = append(bad, fmt.Sprintf("the note lacks %q:\n%s", s, note.Text))
		}
	}
	for _, s := range c.HasNot {
		if strings.Contains(note.Text, s) {
			bad = append(bad, fmt.Sprintf("the note has %q:\n%s", s, note.Text))
		}
	}
	if note.CreatedBy != team[c.Author].ID {
		bad = append(bad, fmt.Sprintf("author %s, want %s", note.CreatedBy, c.Author))
	}
	if (note.Visibility == crm.VisibilityPrivate) != c.Private {
		bad = append(bad, fmt.Sprintf("visibility %s", note.Visibility))
	}
	files, err := st.ListFiles(ctx, crm.ParentContact, contactID, crm.ListOptions{Limit: 50})
	if err != nil {
		return append(bad, err.Error())
	}
	mine := 0
	for _, f := range files.Items {
		if f.CreatedAt.Equal(note.CreatedAt) {
			mine++
		}
	}
	if mine != c.Files {
		bad = append(bad, fmt.Sprintf("%d files with the note, want %d", mine, c.Files))
	}
	return bad
}
