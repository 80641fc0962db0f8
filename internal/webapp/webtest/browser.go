package webtest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browsers are the names a Chromium goes by on PATH, in the order tried.
var browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// FindBrowser returns the path of a Chromium on PATH ("" for none).
func FindBrowser() string {
	for _, b := range browsers {
		if p, err := exec.LookPath(b); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns the context
// chromedp drives it with (a new tab), closed when the test ends. Without a
// Chromium on PATH the test is skipped with a message, but under CI=true,
// where it fails: CI installs one (.ci/run), so none is a broken CI.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := FindBrowser()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium on PATH (chromium, chromium-browser, google-chrome): CI must have one (.ci/run installs Debian's chromium)")
		}
		t.Skip("no Chromium on PATH (chromium, chromium-browser, google-chrome): the browser tests skip; apt-get install chromium to run them")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	// Each step of a browser test waits for what it needs; this bounds a
	// test that waits for something that never comes.
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}
