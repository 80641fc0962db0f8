package webapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// TestBrowserSignInAndPipeline walks the first journey in Chromium: a
// signed-out visit goes to the sign-in page; the link asked for there
// arrives in the outbox; opening it signs in (its page posts itself) and
// lands on the page first asked for, the pipeline with its tabs and
// counts; ticking an opportunity and moving it changes both tabs' counts;
// signing out goes back to the sign-in page, and the pipeline is closed
// again.
func TestBrowserSignInAndPipeline(t *testing.T) {
	env := webtest.New(t)
	ctx := webtest.Browser(t)
	b := &board{env: env, states: map[string]crm.State{}}
	sts, err := env.Svc.PipelineStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		b.states[s.Name] = s
	}
	if b.contact, err = env.Svc.CreateContact(t.Context(), env.Admin, crm.Contact{Name: "José", Surname: "Pérez", Company: "Talleres Pérez"}); err != nil {
		t.Fatal(err)
	}
	o := b.opportunity(t, crm.Opportunity{Description: "Tienda online", ApproxAmountCents: 350000})
	b.opportunity(t, crm.Opportunity{Description: "Hosting y correo", ApproxAmountCents: 90000})
	b.opportunity(t, crm.Opportunity{Description: "Mantenimiento anual", ApproxAmountCents: 120000, StateID: b.states["En negociación"].ID})
	nuevo, neg := b.states["Nuevo"].ID, b.states["En negociación"].ID
	count := func(stateID string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`a[data-state="`+stateID+`"] .count`)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(env.URL+"/app/pipeline?state="+nuevo),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), env.Admin.Email),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	link := env.SignInLink(t, env.Admin.Email)
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("ul.tabs"))); err != nil {
		t.Fatal(err)
	}
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if where != env.URL+"/app/pipeline?state="+nuevo {
		t.Fatalf("signed in at %s, want the page first asked for", where)
	}
	if got, want := count(nuevo)+"/"+count(neg), "2/1"; got != want {
		t.Fatalf("tab counts %s, want %s", got, want)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[value="`+o.ID+`"]`)),
		chromedp.SetValue(chromedp.CSS("#move-state"), neg),
	)
	if err == nil {
		err = clickToLoad(ctx, `#move button[type="submit"]`, `p.notice[role="status"]`)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, want := count(nuevo)+"/"+count(neg), "1/2"; got != want {
		t.Fatalf("tab counts after the move %s, want %s", got, want)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.signout button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.Navigate(env.URL+"/app/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	if err != nil {
		t.Fatal(err)
	}
}
