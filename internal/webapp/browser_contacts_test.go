package webapp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// TestBrowserContactNotes walks the contacts journey in Chromium: Ana
// signs in through the link from the outbox and lands on the new contact
// form she asked for, creates a contact, adds a private note and a team
// note with an aviso day and time (reminding everyone), and uploads a
// file, whose progress bar fills; every request of those pages goes to
// the app's own origin. Beto, another staff user, then signs in on the
// same browser and sees the team note and not the private one, on the
// contact's page and in its timeline.
func TestBrowserContactNotes(t *testing.T) {
	w := newPeople(t, webtest.WithChangeFeed(), webtest.WithFiles())
	ctx := webtest.Browser(t)
	signIn := func(u crm.User, path string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(w.env.URL+path),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
			chromedp.Submit(chromedp.CSS("#email")),
			chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(w.env.SignInLink(t, u.Email)), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		where, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || where != w.env.URL+path {
			t.Fatalf("signed in at %s (%v), want %s", where, err, path)
		}
	}
	// sameOrigin fails the test when the page loaded anything from
	// another origin.
	sameOrigin := func() {
		t.Helper()
		urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name)`))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, w.env.URL+"/") {
				t.Errorf("the page requested %s, another origin", u)
			}
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}

	signIn(w.ana, "/app/contacts/new")
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#c-name"), "Lucía"),
		chromedp.SendKeys(chromedp.CSS("#c-surname"), "Martín"),
		chromedp.SendKeys(chromedp.CSS("#c-email"), "lucia@example.com"),
		chromedp.SendKeys(chromedp.CSS("#c-phone"), "622 33 44 55"),
		chromedp.SendKeys(chromedp.CSS("#c-company"), "Clínica Dental Martín"),
		chromedp.SetValue(chromedp.CSS("#c-sourceId"), w.source.ID),
		chromedp.SetValue(chromedp.CSS("#c-agentId"), w.agent.ID),
		chromedp.Click(chromedp.CSS(`input[name="interestIds"][value="`+w.interest.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`.contact-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#notes")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if h := text("main h1"); h != "Lucía Martín" {
		t.Fatalf("after creating the contact the page shows %q", h)
	}
	for _, s := range []string{"Clínica Dental Martín", "+34622334455", "Google Ads", "Marta Agente", "Hosting gestionado"} {
		if !strings.Contains(text("dl.data"), s) {
			t.Errorf("the new contact's data lack %q", s)
		}
	}
	contactURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	sameOrigin()

	addNote := func(text string, private bool, count int) { // count: the notes there will be
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#note-text"), text)}
		if private {
			steps = append(steps, chromedp.Click(chromedp.CSS("#note-private")))
		} else {
			steps = append(steps, chromedp.Click(chromedp.CSS("#note-all")))
		}
		steps = append(steps,
			chromedp.SetValue(chromedp.CSS("#note-date"), "2030-03-02"),
			chromedp.SetValue(chromedp.CSS("#note-time"), "10:15"),
			chromedp.Click(chromedp.CSS(`.note-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`ul.notes > li.note:nth-child(%d)`, count))),
		)
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	addNote("Solo para Ana: prefiere que la llamen por la tarde", true, 1)
	addNote("Para el equipo: pidió presupuesto de hosting", false, 2)
	notes := text("ul.notes")
	for _, s := range []string{"Solo para Ana", "Para el equipo", "Aviso: 02/03/2030 10:15", "Privada", "Avisa a todos"} {
		if !strings.Contains(notes, s) {
			t.Errorf("Ana's notes lack %q: %s", s, notes)
		}
	}

	file := filepath.Join(t.TempDir(), "presupuesto.txt")
	if err := os.WriteFile(file, []byte(strings.Repeat("línea del presupuesto\n", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{file}),
		chromedp.Click(chromedp.CSS("[data-upload-button]")),
		chromedp.WaitVisible(chromedp.CSS(`ul.files a[href^="/app/files/"], [data-upload-error]:not([hidden])`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text("[data-upload-error]"); msg != "" {
		t.Fatalf("the upload failed: %s", msg)
	}
	if got := text("ul.files"); !strings.Contains(got, "presupuesto.txt") || !strings.Contains(got, "46 KB") {
		t.Errorf("the files after the upload: %q", got)
	}
	sameOrigin()

	w.env.Drain(t) // the timeline entries of the notes
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.signout button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	if err != nil {
		t.Fatal(err)
	}
	signIn(w.beto, strings.TrimPrefix(contactURL, w.env.URL))
	page := text("main")
	if !strings.Contains(text("ul.notes"), "Para el equipo: pidió presupuesto") {
		t.Errorf("Beto does not see the team note")
	}
	if !strings.Contains(text("ol.timeline"), "Nota: Para el equipo") {
		t.Errorf("Beto does not see the team note in the timeline: %s", text("ol.timeline"))
	}
	if strings.Contains(page, "Solo para Ana") || strings.Contains(page, "prefiere que la llamen") {
		t.Errorf("Beto sees Ana's private note: %s", page)
	}
	if !strings.Contains(text("ul.files"), "presupuesto.txt") {
		t.Errorf("Beto does not see the file")
	}
}
