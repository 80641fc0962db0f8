package webapp

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded file served under a name holding a hash of its
// content, so that it can be cached for a year: a new version is a new
// name.
type asset struct {
	name string // the fingerprinted name: app.3f9a1c2b7d4e.css
	body []byte
	typ  string
}

// assets are the embedded files by their plain name (app.css), and
// assetsByName by their fingerprinted one.
var assets, assetsByName = loadAssets()

func loadAssets() (map[string]*asset, map[string]*asset) {
	plain, named := map[string]*asset{}, map[string]*asset{}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		base := path.Base(p)
		ext := path.Ext(base)
		a := &asset{name: strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:6]) + ext, body: body,
			typ: mime.TypeByExtension(ext)}
		plain[base], named[a.name] = a, a
		return nil
	})
	if err != nil {
		panic("webapp: reading the embedded assets: " + err.Error())
	}
	return plain, named
}

// assetPath returns the path an embedded file is served at
// (/app/static/app.3f9a1c2b7d4e.css); the template function "asset". It
// panics on a name that is not embedded: a template's mistake, which the
// template tests catch.
func assetPath(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("webapp: no embedded asset " + name)
	}
	return "/app/static/" + a.name
}

// serveAsset serves an embedded file by its fingerprinted name, cached for
// a year and immutable.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := assetsByName[strings.TrimPrefix(r.URL.Path, "/app/static/")]
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if a.typ != "" {
		w.Header().Set("Content-Type", a.typ)
	}
	body := a.body
	if gz, ok := gzippedAsset(r, a.name); ok { // compressed once (gzip.go)
		w.Header().Set("Content-Encoding", "gzip")
		body = gz
	}
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(body))
}
