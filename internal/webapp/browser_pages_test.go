package webapp_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/webapp/webtest"
)

// demoPages are the pages of the demo the browser opens, signed in as its
// admin: every kind of page a person reads.
func demoPages(d *demo) []string {
	return []string{
		"/app/",
		"/app/pipeline?state=" + url.QueryEscape(d.states["Ganado"].ID),
		"/app/contacts",
		"/app/contacts?q=nav",
		"/app/contacts/new",
		"/app/contacts/" + d.featured.ID,
		"/app/contacts/" + d.featured.ID + "/edit",
		"/app/opportunities/" + d.open.ID,
		"/app/opportunities/" + d.won.ID,
		"/app/quotes/" + d.quote.ID,
		"/app/reminders",
		"/app/report",
		"/app/report?from=" + d.env.Clock.Now().AddDate(-1, 0, 0).Format("2006-01"),
		"/app/admin",
		"/app/admin/sources",
		"/app/admin/sources/new",
		"/app/admin/sources/" + d.sources[0].ID,
		"/app/admin/interests",
		"/app/admin/interests/" + d.interests[0].ID,
		"/app/admin/states",
		"/app/admin/states/" + d.states["Perdido"].ID,
		"/app/admin/users",
		"/app/admin/users/" + d.staff.ID,
		"/app/admin/notifications",
	}
}

// TestBrowserPagesStayOnOrigin opens every page of the demo in Chromium
// as its admin (each answering 200), with the cache off, after signing in
// through the link from the outbox,
// and checks that no page requests anything from any other origin (the
// document, its styles, scripts, images and whatever they fetch, as the
// browser's network log lists them) and that the browser logs no error,
// such as a script or style the Content-Security-Policy refused. It logs
// what each page transferred.
func TestBrowserPagesStayOnOrigin(t *testing.T) {
	env := webtest.New(t, webtest.WithChangeFeed(), webtest.WithFiles())
	d := seedDemo(t, env)
	ctx := webtest.Browser(t)
	var (
		mu       sync.Mutex
		requests []string
		received = map[network.RequestID]float64{}
		errs     []string
	)
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *network.EventLoadingFinished:
			received[ev.RequestID] = ev.EncodedDataLength
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				errs = append(errs, string(ev.Entry.Source)+": "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Func(setCacheDisabled)); err != nil {
		t.Fatal(err)
	}
	// check fails the test for what the browser did since the last check
	// on the page named what.
	check := func(what string) {
		t.Helper()
		mu.Lock()
		defer func() { requests, received, errs = nil, map[network.RequestID]float64{}, nil; mu.Unlock() }()
		var sent float64
		for _, n := range received {
			sent += n
		}
		if len(requests) < 3 { // the page, its style sheet and its script at least
			t.Errorf("%s: the browser listed %d requests: %q", what, len(requests), requests)
		}
		for _, u := range requests {
			if !strings.HasPrefix(u, env.URL+"/") && !strings.HasPrefix(u, "data:") {
				t.Errorf("%s requested %s, another origin", what, u)
			}
		}
		for _, e := range errs {
			t.Errorf("%s: the browser logged an error: %s", what, e)
		}
		t.Logf("%s: %d requests, %.1f KB transferred", what, len(requests), sent/1000)
	}
	browserSignIn(t, ctx, env, env.Admin.Email, "/app/", "ul.tabs")
	check("the sign-in pages")
	for _, path := range demoPages(d) {
		res, err := chromedp.RunResponse(ctx, chromedp.Navigate(env.URL+path))
		if err != nil || res.Status != 200 {
			t.Fatalf("%s: %v %v", path, res, err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		check(path)
	}
}

// setCacheDisabled turns the tab's HTTP cache off, so that every page
// loads its styles and scripts as a first visit does.
func setCacheDisabled(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
	return err
}
