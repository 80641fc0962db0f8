//go:build screenshots

package webapp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embudo/embudo/internal/webapp/webtest"
)

// shotsDir is where TestScreenshots writes: the repository's docs/img,
// from this package's directory (where go test runs it).
const shotsDir = "../../docs/img"

// TestScreenshots writes the README's screenshots of the web app into
// docs/img: the pipeline, a contact's page and the source report of the
// demo (seedDemo), each as a desktop (1280×800) and a phone (360×740)
// show it, cropped to the screen. It is behind the screenshots build tag,
// so that no other test run rewrites the images:
//
//	make screenshots
//	go test -tags screenshots -run TestScreenshots -count=1 ./internal/webapp/
func TestScreenshots(t *testing.T) {
	env := webtest.New(t, webtest.WithChangeFeed(), webtest.WithFiles())
	d := seedDemo(t, env)
	ctx := webtest.Browser(t)
	browserSignIn(t, ctx, env, env.Admin.Email, "/app/", "ul.tabs")
	shots := []struct{ name, path, ready string }{
		{"pipeline", "/app/pipeline?state=" + d.states["Nuevo"].ID, "ul.tabs"},
		{"contact", "/app/contacts/" + d.featured.ID, "main h1"},
		{"report", "/app/report", "main h1"},
	}
	views := []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"desktop", 1280, 800, false}, {"phone", 360, 740, true}}
	for _, s := range shots {
		for _, v := range views {
			var opts []chromedp.EmulateViewportOption
			if v.mobile {
				opts = append(opts, chromedp.EmulateMobile)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.w, v.h, opts...)); err != nil {
				t.Fatal(err)
			}
			res, err := chromedp.RunResponse(ctx, chromedp.Navigate(env.URL+s.path))
			if err != nil || res.Status != 200 {
				t.Fatalf("%s (%s): %v %v", s.name, v.suffix, res, err)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(s.ready))); err != nil {
				t.Fatalf("%s (%s): %v", s.name, v.suffix, err)
			}
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(shotsDir, s.name+"-"+v.suffix+".png")
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d KB", file, len(png)/1024)
		}
	}
}
