package webapp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/webapp/webtest"
)

// TestBrowserAdminSourceAndReport walks the admin's journey in Chromium:
// the new-source page asked for signed out leads to signing in and back;
// creating a source with a form webhook shows its URL once with a copy
// button that copies it, and the HTML form to paste; the source's page
// does not show the URL again. The report then draws its charts with
// bars as long as their figures. Every admin page and the report fit a
// 360 px phone without scrolling sideways (tables scroll inside their
// box).
func TestBrowserAdminSourceAndReport(t *testing.T) {
	f := newReportFixture(t)
	env := f.env
	ctx := webtest.Browser(t)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	get := func(a chromedp.Action[string]) string {
		t.Helper()
		s, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do("sign in",
		chromedp.Navigate(env.URL+"/app/admin/sources/new"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), env.Admin.Email),
		chromedp.Submit(chromedp.CSS("#email")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	)
	do("open the link", chromedp.Navigate(env.SignInLink(t, env.Admin.Email)), chromedp.WaitVisible(chromedp.CSS("#s-name")))

	do("create a source",
		chromedp.SendKeys(chromedp.CSS("#s-name"), "Formulario web"),
		chromedp.SendKeys(chromedp.CSS("#s-cost"), "1.500,00"),
		chromedp.SetValue(chromedp.CSS("#s-kind"), "form"),
		chromedp.Click(chromedp.CSS(`form.admin-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#webhook-url")),
	)
	url, form := get(chromedp.Value(chromedp.CSS("#webhook-url"))), get(chromedp.Value(chromedp.CSS("#webhook-form")))
	if !strings.HasPrefix(url, env.URL+"/hooks/whk_") {
		t.Fatalf("webhook URL %q", url)
	}
	if !strings.Contains(form, `action="`+url+`"`) || !strings.Contains(form, `<input name="email" type="email">`) {
		t.Errorf("the form to paste does not post to the URL:\n%s", form)
	}
	do("copy the URL",
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="webhook-url"]`)),
		chromedp.Click(chromedp.CSS(`button[data-copy="webhook-url"]`)),
		chromedp.WaitReady(chromedp.CSS(`button[data-copy="webhook-url"][data-copy-result]`)),
	)
	copied, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`button[data-copy="webhook-url"]`), "data-copy-result"))
	if err != nil {
		t.Fatal(err)
	}
	if status := get(chromedp.TextContent(chromedp.CSS("[data-copy-status]"))); copied.Value != "ok" || status != "Copiado" {
		t.Errorf("the copy button: result %q, status %q", copied.Value, status)
	}
	token := strings.TrimPrefix(url, env.URL+"/hooks/")
	do("the source's page",
		chromedp.Click(chromedp.CSS(`main a[href^="/app/admin/sources/0"]`)),
		chromedp.WaitVisible(chromedp.CSS("#s-name")),
	)
	if page := get(chromedp.OuterHTML(chromedp.CSS("html"))); strings.Contains(page, token) || !strings.Contains(page, "Formulario web") {
		t.Error("the source's page shows the webhook URL again, or not the source")
	}
	fitsPhone(t, ctx, "the source's page")
	ana := env.User(t, crm.RoleStaff, "ana@example.com")
	if _, _, err := env.Svc.IssueToken(t.Context(), ana.ID, "portátil"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/app/admin", "/app/admin/sources", "/app/admin/sources/new", "/app/admin/interests", "/app/admin/states",
		"/app/admin/users", "/app/admin/users/" + ana.ID, "/app/admin/notifications"} {
		do(path, chromedp.Navigate(env.URL+path), chromedp.WaitVisible(chromedp.CSS(".subnav, .admin-menu")))
		fitsPhone(t, ctx, path)
	}

	do("the report",
		chromedp.Navigate(env.URL+"/app/report?from=2026-01&to=2026-03"),
		chromedp.WaitVisible(chromedp.CSS(`svg[data-chart="funnel"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg[data-chart="money"]`)),
	)
	// Feria's bars, as drawn: 15 leads, 6 opportunities, 2 won.
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('svg[data-chart="funnel"] rect[data-bar]')).slice(0, 3).map(r => r.getBoundingClientRect().width)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 3 || w[0] < 300 || w[0]/w[1] < 2.4 || w[0]/w[1] > 2.6 || w[0]/w[2] < 7.2 || w[0]/w[2] > 7.9 {
		t.Errorf("Feria's funnel bars are %v px wide, want the first over 300 px and 15:6:2 (to whole units of the chart)", w)
	}
	fitsPhone(t, ctx, "the report")
}

// fitsPhone checks that the page, shown 360 px wide, needs no scrolling
// sideways.
func fitsPhone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitReady(chromedp.CSS("main")),
	)
	if err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	if width > 360 {
		t.Errorf("%s is %d px wide on a 360 px phone", what, width)
	}
}
