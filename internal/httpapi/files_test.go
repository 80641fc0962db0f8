package httpapi_test

// Files through the API: a file is announced (POST on its contact or
// opportunity, which answers a signed upload URL), its bytes are PUT to
// that URL, and POST .../complete makes it visible once the bytes are
// there with the declared size. Only then is it listed and downloadable.
// The blob store of the test env is a blob.Dir served by its own server.

import (
	"bytes"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embudo/embudo/internal/blob"
	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/httpapi"
)

// fileContent is n bytes that are not text, so that a download that
// changed them (a charset conversion, a trimmed line end) shows.
func fileContent(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// str returns m[k] as a string, failing the test if it is not a non-empty one.
func str(t *testing.T, m map[string]any, k string) string {
	t.Helper()
	s, _ := m[k].(string)
	if s == "" {
		t.Fatalf("no %s in %v", k, m)
	}
	return s
}

// rawSend sends a request to an absolute URL (a blob URL: no API token).
func rawSend(t *testing.T, method, url string, body []byte, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// uploadHeaders returns the headers a new file's response says to send.
func uploadHeaders(t *testing.T, f map[string]any) map[string]string {
	t.Helper()
	raw, ok := f["uploadHeaders"].(map[string]any)
	if !ok {
		t.Fatalf("no uploadHeaders in %v", f)
	}
	out := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("upload header %s is %T, not a string", k, v)
		}
		out[k] = s
	}
	return out
}

// upload PUTs body to the upload URL of a new file, with its upload
// headers, and returns the blob server's status.
func upload(t *testing.T, f map[string]any, body []byte) int {
	t.Helper()
	return rawSend(t, http.MethodPut, str(t, f, "uploadUrl"), body, uploadHeaders(t, f)).Status
}

// attach announces a file on parent ("/v1/contacts/<id>" or
// "/v1/opportunities/<id>") as token, uploads content and completes it,
// and returns the completed file.
func (e *env) attach(token, parent, name, contentType string, content []byte) map[string]any {
	e.t.Helper()
	f := e.createdAs(token, parent+"/files", map[string]any{"name": name, "contentType": contentType, "size": len(content)})
	if code := upload(e.t, f, content); code != http.StatusOK {
		e.t.Fatalf("upload of %s: status %d", name, code)
	}
	res := e.do(http.MethodPost, "/v1/files/"+id(f)+"/complete", token, nil)
	wantStatus(e.t, res, http.StatusOK)
	return res.json(e.t)
}

// blobFiles lists what the blob store holds, as paths under its root.
func (e *env) blobFiles() []string {
	e.t.Helper()
	var out []string
	err := filepath.WalkDir(e.blobs.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(e.blobs.Root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// blobPath is where the blob store keeps a file's bytes.
func (e *env) blobPath(fileID string) string {
	return filepath.Join(e.blobs.Root, filepath.FromSlash(crm.BlobKey(fileID)))
}

// uploadPath is where the blob store keeps a file's upload until it is
// completed.
func (e *env) uploadPath(fileID string) string {
	return filepath.Join(e.blobs.Root, filepath.FromSlash(crm.UploadKey(fileID)))
}

// untouched fails the test if the table or the blob store differs from before.
func (e *env) untouched(t *testing.T, table, blobs []string) {
	t.Helper()
	e.unchanged(t, table)
	if after := e.blobFiles(); !slices.Equal(after, blobs) {
		t.Fatalf("the blob store holds %v, it held %v", after, blobs)
	}
}

// expiresSoon checks that m[k] is a time in the next blob.URLTTL.
func expiresSoon(t *testing.T, m map[string]any, k string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, str(t, m, k))
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	if now := time.Now(); !at.After(now) || at.After(now.Add(blob.URLTTL+time.Minute)) {
		t.Errorf("%s = %v: want a time in the next %v", k, at, blob.URLTTL)
	}
}

// fileParent is something a file can go on: its collection (contacts or
// opportunities), the files' parentKind, its ID and the contact its files
// concern.
type fileParent struct {
	collection, kind, id, contactID string
}

func (p fileParent) path() string  { return "/v1/" + p.collection + "/" + p.id }
func (p fileParent) files() string { return p.path() + "/files" }

// fileParents creates, as staff, a contact, and an opportunity of another
// contact.
func fileParents(e *env) []fileParent {
	e.t.Helper()
	contact := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Fátima", "surname": "Archivos"})
	buyer := e.createdAs(e.staffToken, "/v1/contacts", map[string]any{"name": "Bruno", "surname": "Planos"})
	opp := e.createdAs(e.staffToken, "/v1/opportunities", map[string]any{"contactId": id(buyer), "description": "Reforma de cocina"})
	return []fileParent{
		{"contacts", "contact", id(contact), id(contact)},
		{"opportunities", "opportunity", id(opp), id(buyer)},
	}
}

func TestFileLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	staffID := e.staffUser().ID
	names := map[string]string{"contacts": `Presupuesto año "2026" (v2).pdf`, "opportunities": "plano cocina.dwg"}
	types := map[string]string{"contacts": "application/pdf", "opportunities": "application/acad"}
	for i, p := range fileParents(e) {
		t.Run(p.collection, func(t *testing.T) {
			name, ctype := names[p.collection], types[p.collection]
			content := fileContent(3000 + i)

			// Announced: pending, with where and how to upload it.
			res := e.staff_(http.MethodPost, p.files(), map[string]any{"name": name, "contentType": ctype, "size": len(content)})
			wantStatus(t, res, http.StatusCreated)
			f := res.json(t)
			fid := id(f)
			if loc := res.Header.Get("Location"); loc != "/v1/files/"+fid {
				t.Errorf("Location %q, want /v1/files/%s", loc, fid)
			}
			if tag := res.Header.Get("ETag"); tag != `"1"` {
				t.Errorf("ETag %q, want \"1\"", tag)
			}
			want := map[string]any{"parentKind": p.kind, "parentId": p.id, "contactId": p.contactID, "name": name,
				"contentType": ctype, "size": float64(len(content)), "status": "pending", "uploadedBy": staffID, "version": float64(1)}
			for k, v := range want {
				if f[k] != v {
					t.Errorf("%s = %#v, want %#v: %s", k, f[k], v, res.Body)
				}
			}
			if !crm.ValidID(fid) {
				t.Errorf("id %q is not an ID", fid)
			}
			if u := str(t, f, "uploadUrl"); !strings.HasPrefix(u, e.blobs.BaseURL+"/blobs/pending/"+fid+"?") {
				t.Errorf("uploadUrl %q is not the blob store's URL of the file's upload", u)
			}
			if h := uploadHeaders(t, f); h["Content-Type"] != ctype {
				t.Errorf("uploadHeaders %v, want Content-Type %s", h, ctype)
			}
			expiresSoon(t, f, "uploadExpiresAt")

			// Pending: not listed, not readable.
			if items := e.listAll(e.staffToken, p.files()); len(items) != 0 {
				t.Errorf("a pending file is listed: %v", items)
			}
			wantProblem(t, e.staff_(http.MethodGet, "/v1/files/"+fid, nil), http.StatusNotFound, crm.CodeNotFound)

			// Uploaded but not completed: still pending.
			if code := upload(t, f, content); code != http.StatusOK {
				t.Fatalf("upload: status %d", code)
			}
			if items := e.listAll(e.staffToken, p.files()); len(items) != 0 {
				t.Errorf("an uploaded file not completed is listed: %v", items)
			}
			wantProblem(t, e.staff_(http.MethodGet, "/v1/files/"+fid, nil), http.StatusNotFound, crm.CodeNotFound)

			// Completed: listed and readable, by anyone.
			done := e.admin_(http.MethodPost, "/v1/files/"+fid+"/complete", nil)
			wantStatus(t, done, http.StatusOK)
			c := done.json(t)
			if c["status"] != "complete" || c["version"] != float64(2) || c["uploadedBy"] != staffID || c["name"] != name || done.Header.Get("ETag") != `"2"` {
				t.Errorf("completed file: %v %s", done.Header, done.Body)
			}
			for _, k := range []string{"uploadUrl", "uploadHeaders", "uploadExpiresAt", "downloadUrl"} {
				if _, ok := c[k]; ok {
					t.Errorf("the completed file shows %s: %s", k, done.Body)
				}
			}
			// Completing again changes nothing.
			before := e.snapshot()
			again := e.staff_(http.MethodPost, "/v1/files/"+fid+"/complete", nil)
			wantStatus(t, again, http.StatusOK)
			if !bytes.Equal(again.Body, done.Body) || again.Header.Get("ETag") != `"2"` {
				t.Errorf("completing twice: %v %s, first %s", again.Header, again.Body, done.Body)
			}
			e.unchanged(t, before)

			items := e.listAll(e.staffToken, p.files())
			if len(items) != 1 || !reflect.DeepEqual(items[0], c) {
				t.Errorf("list %v, want just %v", items, c)
			}
			got := e.admin_(http.MethodGet, "/v1/files/"+fid, nil)
			wantStatus(t, got, http.StatusOK)
			g := got.json(t)
			if got.Header.Get("ETag") != `"2"` {
				t.Errorf("GET ETag %q", got.Header.Get("ETag"))
			}
			for k, v := range c {
				if g[k] != v {
					t.Errorf("GET %s = %#v, the completed file had %#v", k, g[k], v)
				}
			}
			expiresSoon(t, g, "downloadExpiresAt")
			if _, ok := g["uploadUrl"]; ok {
				t.Errorf("GET shows an upload URL: %s", got.Body)
			}

			// The download URL serves the same bytes, as the file's name.
			downloadURL := str(t, g, "downloadUrl")
			dl := rawSend(t, http.MethodGet, downloadURL, nil, nil)
			if dl.Status != http.StatusOK || !bytes.Equal(dl.Body, content) {
				t.Fatalf("download: status %d, %d bytes (want %d, the same)", dl.Status, len(dl.Body), len(content))
			}
			disp, params, err := mime.ParseMediaType(dl.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != name {
				t.Errorf("Content-Disposition %q: want an attachment named %q", dl.Header.Get("Content-Disposition"), name)
			}
			// The URL is the credential: changed, it serves nothing.
			if r := rawSend(t, http.MethodGet, strings.Replace(downloadURL, "sig=", "sig=0", 1), nil, nil); r.Status != http.StatusForbidden {
				t.Errorf("a download URL with another signature: status %d", r.Status)
			}

			// Deleted: bytes and record gone, the URL serves nothing.
			wantStatus(t, e.staff_(http.MethodDelete, "/v1/files/"+fid, nil), http.StatusNoContent)
			wantProblem(t, e.staff_(http.MethodGet, "/v1/files/"+fid, nil), http.StatusNotFound, crm.CodeNotFound)
			wantProblem(t, e.staff_(http.MethodDelete, "/v1/files/"+fid, nil), http.StatusNotFound, crm.CodeNotFound)
			wantProblem(t, e.staff_(http.MethodPost, "/v1/files/"+fid+"/complete", nil), http.StatusNotFound, crm.CodeNotFound)
			if items := e.listAll(e.staffToken, p.files()); len(items) != 0 {
				t.Errorf("a deleted file is listed: %v", items)
			}
			if r := rawSend(t, http.MethodGet, downloadURL, nil, nil); r.Status != http.StatusNotFound || bytes.Contains(r.Body, content[:64]) {
				t.Errorf("the download URL of a deleted file: status %d", r.Status)
			}
			if _, err := os.Stat(e.blobPath(fid)); !os.IsNotExist(err) {
				t.Errorf("the bytes of a deleted file are still stored: %v", err)
			}
			for _, s := range e.snapshot() {
				if strings.Contains(s, fid) {
					t.Errorf("an item still names the deleted file: %s", s)
				}
			}
		})
	}
}

func TestFileListNewestFirstInPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, p := range fileParents(e) {
		t.Run(p.collection, func(t *testing.T) {
			a := e.attach(e.staffToken, p.path(), "a.txt", "text/plain", []byte("primero"))
			b := e.attach(adminToken, p.path(), "b.txt", "text/plain; charset=utf-8", []byte("segundo"))
			pending := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "c.txt", "size": 3})
			want := []string{id(b), id(a)}
			if got := ids(e.listAll(e.staffToken, p.files())); !slices.Equal(got, want) {
				t.Errorf("list %v, want %v (newest first, pending %s left out)", got, want, id(pending))
			}
			first := e.staff_(http.MethodGet, p.files()+"?limit=1", nil)
			wantStatus(t, first, http.StatusOK)
			if c, _ := first.json(t)["nextCursor"].(string); c == "" {
				t.Errorf("limit=1 of 2 files: no nextCursor: %s", first.Body)
			}
			if got := ids(e.listAll(e.staffToken, p.files()+"?limit=1")); !slices.Equal(got, want) {
				t.Errorf("paged list %v, want %v", got, want)
			}
			if b["contentType"] != "text/plain; charset=utf-8" {
				t.Errorf("contentType with a parameter: %v", b["contentType"])
			}
			for _, q := range []string{"limit=0", "limit=201", "status=pending", "cursor=nope"} {
				field, _, _ := strings.Cut(q, "=")
				wantProblem(t, e.staff_(http.MethodGet, p.files()+"?"+q, nil), http.StatusBadRequest, crm.CodeInvalid, field)
			}
		})
	}
	// One parent's files are not another's.
	ps := fileParents(e)
	e.attach(e.staffToken, ps[0].path(), "solo.txt", "", []byte("x"))
	if items := e.listAll(e.staffToken, ps[1].files()); len(items) != 0 {
		t.Errorf("an opportunity lists another parent's file: %v", items)
	}
	// An opportunity's files are not its contact's.
	if items := e.listAll(e.staffToken, "/v1/contacts/"+ps[1].contactID+"/files"); len(items) != 0 {
		t.Errorf("a contact lists its opportunity's files: %v", items)
	}
}

func TestFileCompleteChecksTheUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	content := fileContent(10)
	f := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "diez.bin", "size": len(content)})
	fid := id(f)
	complete := func() response { return e.staff_(http.MethodPost, "/v1/files/"+fid+"/complete", nil) }
	stillPending := func() {
		t.Helper()
		wantProblem(t, e.staff_(http.MethodGet, "/v1/files/"+fid, nil), http.StatusNotFound, crm.CodeNotFound)
		if items := e.listAll(e.staffToken, p.files()); len(items) != 0 {
			t.Errorf("a file never completed is listed: %v", items)
		}
	}

	// Nothing uploaded: 400 naming file, nothing written.
	table, blobs := e.snapshot(), e.blobFiles()
	wantProblem(t, complete(), http.StatusBadRequest, crm.CodeInvalid, "file")
	e.untouched(t, table, blobs)
	stillPending()

	// The upload URL takes the declared size only, and that one file only.
	other := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "otro.bin", "size": len(content)})
	table = e.snapshot()
	for _, body := range [][]byte{content[:9], append(slices.Clone(content), 'x'), {}} {
		if code := upload(t, f, body); code == http.StatusOK {
			t.Errorf("an upload of %d bytes for %d declared was taken", len(body), len(content))
		}
	}
	swapped := strings.Replace(str(t, other, "uploadUrl"), id(other), fid, 1)
	if r := rawSend(t, http.MethodPut, swapped, content, uploadHeaders(t, other)); r.Status != http.StatusForbidden {
		t.Errorf("another file's upload URL, pointed at this file: status %d", r.Status)
	}
	e.untouched(t, table, blobs)
	wantProblem(t, complete(), http.StatusBadRequest, crm.CodeInvalid, "file")
	stillPending()

	// Bytes of another size in the store (a store that does not hold the
	// client to the signed size): 400 naming size, nothing written.
	if err := os.MkdirAll(filepath.Dir(e.uploadPath(fid)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.uploadPath(fid), content[:7], 0o600); err != nil {
		t.Fatal(err)
	}
	table = e.snapshot()
	wantProblem(t, complete(), http.StatusBadRequest, crm.CodeInvalid, "size")
	e.unchanged(t, table)
	stillPending()

	// The right upload replaces them, and then it completes.
	if code := upload(t, f, content); code != http.StatusOK {
		t.Fatalf("upload: status %d", code)
	}
	wantStatus(t, complete(), http.StatusOK)
	if items := e.listAll(e.staffToken, p.files()); len(items) != 1 || id(items[0]) != fid {
		t.Errorf("list %v, want the completed file", items)
	}
	// The other file, never uploaded, stays pending and unlisted.
	wantProblem(t, e.staff_(http.MethodGet, "/v1/files/"+id(other), nil), http.StatusNotFound, crm.CodeNotFound)
}

func TestFileDeletePending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[1]
	blobs := e.blobFiles()
	// Announced only: the record goes.
	f := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "nunca.pdf", "size": 5})
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/files/"+id(f), nil), http.StatusNoContent)
	wantProblem(t, e.staff_(http.MethodPost, "/v1/files/"+id(f)+"/complete", nil), http.StatusNotFound, crm.CodeNotFound)
	// Uploaded, not completed: the record and the bytes go.
	g := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "subido.pdf", "size": 5})
	if code := upload(t, g, []byte("12345")); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	wantStatus(t, e.admin_(http.MethodDelete, "/v1/files/"+id(g), nil), http.StatusNoContent)
	wantProblem(t, e.staff_(http.MethodPost, "/v1/files/"+id(g)+"/complete", nil), http.StatusNotFound, crm.CodeNotFound)
	if after := e.blobFiles(); !slices.Equal(after, blobs) {
		t.Errorf("the blob store holds %v after the deletes, it held %v", after, blobs)
	}
	for _, s := range e.snapshot() {
		if strings.Contains(s, id(f)) || strings.Contains(s, id(g)) {
			t.Errorf("an item still names a deleted file: %s", s)
		}
	}
}

func TestFileBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	huge := float64(1 << 62)
	cases := []struct {
		name   string
		body   any
		fields []string
	}{
		{"size 25 MiB + 1", map[string]any{"name": "grande.zip", "size": 25<<20 + 1}, []string{"size"}},
		{"size 2^62", map[string]any{"name": "grande.zip", "size": huge}, []string{"size"}},
		{"size 0", map[string]any{"name": "vacio.txt", "size": 0}, []string{"size"}},
		{"size negative", map[string]any{"name": "x.txt", "size": -1}, []string{"size"}},
		{"size missing", map[string]any{"name": "x.txt"}, []string{"size"}},
		{"size is a fraction", map[string]any{"name": "x.txt", "size": 1.5}, []string{"size"}},
		{"size is a string", map[string]any{"name": "x.txt", "size": "10"}, []string{"size"}},
		{"name ../x", map[string]any{"name": "../x", "size": 1}, []string{"name"}},
		{"name in a folder", map[string]any{"name": "docs/x.pdf", "size": 1}, []string{"name"}},
		{"name in a Windows folder", map[string]any{"name": `C:\docs\x.pdf`, "size": 1}, []string{"name"}},
		{"name ..", map[string]any{"name": "..", "size": 1}, []string{"name"}},
		{"name .", map[string]any{"name": ".", "size": 1}, []string{"name"}},
		{"name /", map[string]any{"name": "/", "size": 1}, []string{"name"}},
		{"name missing", map[string]any{"size": 1}, []string{"name"}},
		{"name blank", map[string]any{"name": "  ", "size": 1}, []string{"name"}},
		{"name over 255", map[string]any{"name": long(252) + ".pdf", "size": 1}, []string{"name"}},
		{"name with NUL", map[string]any{"name": "a\x00.pdf", "size": 1}, []string{"name"}},
		{"name is a number", map[string]any{"name": 7, "size": 1}, []string{"name"}},
		{"contentType without subtype", map[string]any{"name": "x.pdf", "contentType": "pdf", "size": 1}, []string{"contentType"}},
		{"contentType text/", map[string]any{"name": "x.pdf", "contentType": "text/", "size": 1}, []string{"contentType"}},
		{"contentType a/b/c", map[string]any{"name": "x.pdf", "contentType": "a/b/c", "size": 1}, []string{"contentType"}},
		{"contentType with a header after it", map[string]any{"name": "x.pdf", "contentType": "application/pdf\r\nX-Evil: 1", "size": 1}, []string{"contentType"}},
		{"contentType with a bad parameter", map[string]any{"name": "x.txt", "contentType": "text/plain; charset", "size": 1}, []string{"contentType"}},
		{"contentType is a number", map[string]any{"name": "x.pdf", "contentType": 1, "size": 1}, []string{"contentType"}},
		{"every field bad", map[string]any{"name": "a/b", "contentType": "nope", "size": 0}, []string{"name", "contentType", "size"}},
		{"empty object", map[string]any{}, []string{"name", "size"}},
		{"status is not writable", map[string]any{"name": "x.pdf", "size": 1, "status": "complete"}, []string{"status"}},
		{"parentId is not writable", map[string]any{"name": "x.pdf", "size": 1, "parentId": unknownID()}, []string{"parentId"}},
		{"uploadUrl is not writable", map[string]any{"name": "x.pdf", "size": 1, "uploadUrl": "http://example.com/x"}, []string{"uploadUrl"}},
		{"id is not writable", map[string]any{"name": "x.pdf", "size": 1, "id": unknownID()}, []string{"id"}},
		{"unknown field", map[string]any{"name": "x.pdf", "size": 1, "path": "/tmp"}, []string{"path"}},
		{"not JSON", "name=x.pdf&size=1", []string{"body"}},
		{"empty body", "", []string{"body"}},
	}
	for _, p := range fileParents(e) {
		for _, c := range cases {
			t.Run(p.collection+"/"+c.name, func(t *testing.T) {
				table, blobs := e.snapshot(), e.blobFiles()
				wantProblem(t, e.staff_(http.MethodPost, p.files(), c.body), http.StatusBadRequest, crm.CodeInvalid, c.fields...)
				e.untouched(t, table, blobs)
			})
		}
	}

	// The limits themselves are allowed; a missing type is octet-stream.
	p := fileParents(e)[0]
	for _, ok := range []map[string]any{
		{"name": long(251) + ".pdf", "contentType": "application/pdf", "size": 25 << 20},
		{"name": "  informe final.docx  ", "size": 1},
		{"name": "..datos", "contentType": "", "size": 1},
	} {
		res := e.staff_(http.MethodPost, p.files(), ok)
		wantStatus(t, res, http.StatusCreated)
		f := res.json(t)
		if f["size"] != float64(ok["size"].(int)) || f["name"] != strings.TrimSpace(ok["name"].(string)) {
			t.Errorf("file %v: %s", ok, res.Body)
		}
		if ct, _ := ok["contentType"].(string); ct == "" && (f["contentType"] != "application/octet-stream" || uploadHeaders(t, f)["Content-Type"] != "application/octet-stream") {
			t.Errorf("a file without contentType: want application/octet-stream: %s", res.Body)
		}
	}
}

func TestFileRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Files go on contacts and opportunities, and nothing else.
	var fileRoutes []string
	for pattern := range httpapi.New(e.svc, httpapi.Options{}).Routes() {
		if strings.Contains(pattern, "/files") {
			fileRoutes = append(fileRoutes, pattern)
		}
	}
	slices.Sort(fileRoutes)
	want := []string{
		"DELETE /v1/files/{id}", "GET /v1/contacts/{id}/files", "GET /v1/files/{id}", "GET /v1/opportunities/{id}/files",
		"POST /v1/contacts/{id}/files", "POST /v1/files/{id}/complete", "POST /v1/opportunities/{id}/files",
	}
	if !slices.Equal(fileRoutes, want) {
		t.Errorf("file routes %v, want %v", fileRoutes, want)
	}

	ps := fileParents(e)
	contact, opp := ps[0], ps[1]
	client := e.createdAs(e.staffToken, "/v1/clients", map[string]any{"name": "Archivos SL"})
	supplier := e.createdAs(e.staffToken, "/v1/suppliers", map[string]any{"name": "Carpetas SL"})
	quote := e.createdAs(e.staffToken, opp.path()+"/quotes", map[string]any{})
	note := e.createdAs(e.staffToken, contact.path()+"/notes", map[string]any{"text": "Con adjunto"})
	f := e.attach(e.staffToken, contact.path(), "ficha.txt", "text/plain", []byte("ficha"))
	body := map[string]any{"name": "x.pdf", "size": 1}

	// No such route: 404 for every method on other parents.
	for _, parent := range []string{"/v1/clients/" + id(client), "/v1/suppliers/" + id(supplier), "/v1/quotes/" + id(quote),
		"/v1/notes/" + id(note), "/v1/files/" + id(f)} {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			table, blobs := e.snapshot(), e.blobFiles()
			wantProblem(t, e.staff_(m, parent+"/files", body), http.StatusNotFound, crm.CodeNotFound)
			e.untouched(t, table, blobs)
		}
	}
	// The route is there, the parent is not of its kind: 404.
	mismatched := []string{"/v1/opportunities/" + contact.id, "/v1/contacts/" + opp.id, "/v1/contacts/" + id(client),
		"/v1/opportunities/" + id(quote), "/v1/contacts/" + id(f)}
	for _, parent := range mismatched {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			table, blobs := e.snapshot(), e.blobFiles()
			wantProblem(t, e.staff_(m, parent+"/files", body), http.StatusNotFound, crm.CodeNotFound)
			e.untouched(t, table, blobs)
		}
	}
	// A file is reached by its own ID only.
	for _, other := range []string{contact.id, opp.id, id(note)} {
		for _, m := range []string{http.MethodGet, http.MethodDelete} {
			wantProblem(t, e.staff_(m, "/v1/files/"+other, nil), http.StatusNotFound, crm.CodeNotFound)
		}
		wantProblem(t, e.staff_(http.MethodPost, "/v1/files/"+other+"/complete", nil), http.StatusNotFound, crm.CodeNotFound)
	}
	// Files are not changed in place, nor uploaded through the API.
	for _, m := range []string{http.MethodPatch, http.MethodPut} {
		table := e.snapshot()
		res := e.staff_(m, "/v1/files/"+id(f), map[string]any{"name": "otro.txt"})
		wantProblem(t, res, http.StatusMethodNotAllowed, "method_not_allowed")
		if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "DELETE") {
			t.Errorf("%s /v1/files/{id}: Allow %q", m, allow)
		}
		e.unchanged(t, table)
	}
	wantStatus(t, e.staff_(http.MethodGet, "/v1/files/"+id(f), nil), http.StatusOK)
}

func TestFileBadIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	e.attach(e.staffToken, p.path(), "existe.txt", "text/plain", []byte("existe"))
	body := map[string]any{"name": "x.pdf", "size": 1}
	for _, c := range []struct {
		name   string
		id     string
		status int
	}{
		{"not an ID", "nope", http.StatusBadRequest},
		{"too long", unknownID() + "0", http.StatusBadRequest},
		{"overflowing ULID", "8" + strings.Repeat("Z", 25), http.StatusBadRequest},
		{"nobody's ID", unknownID(), http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []struct {
				method, path string
				body         any
			}{
				{http.MethodGet, "/v1/files/" + c.id, nil},
				{http.MethodDelete, "/v1/files/" + c.id, nil},
				{http.MethodPost, "/v1/files/" + c.id + "/complete", nil},
				{http.MethodGet, "/v1/contacts/" + c.id + "/files", nil},
				{http.MethodPost, "/v1/contacts/" + c.id + "/files", body},
				{http.MethodGet, "/v1/opportunities/" + c.id + "/files", nil},
				{http.MethodPost, "/v1/opportunities/" + c.id + "/files", body},
			} {
				table, blobs := e.snapshot(), e.blobFiles()
				res := e.staff_(r.method, r.path, r.body)
				if c.status == http.StatusBadRequest {
					wantProblem(t, res, c.status, crm.CodeInvalid, "id")
				} else {
					wantProblem(t, res, c.status, crm.CodeNotFound)
				}
				e.untouched(t, table, blobs)
			}
		})
	}
}

func TestFileIdempotentCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[1]
	body := map[string]any{"name": "oferta.pdf", "contentType": "application/pdf", "size": 4}
	first := e.staff_(http.MethodPost, p.files(), body, "Idempotency-Key", "oferta-1")
	wantStatus(t, first, http.StatusCreated)
	table := e.snapshot()
	again := e.staff_(http.MethodPost, p.files(), body, "Idempotency-Key", "oferta-1")
	wantStatus(t, again, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) ||
		again.Header.Get("Location") != first.Header.Get("Location") {
		t.Errorf("the retry was not replayed: %v %s", again.Header, again.Body)
	}
	e.unchanged(t, table)
	wantProblem(t, e.staff_(http.MethodPost, p.files(), map[string]any{"name": "otra.pdf", "size": 4}, "Idempotency-Key", "oferta-1"),
		http.StatusConflict, crm.CodeConflict)
	// The replayed upload URL is the file's: it uploads and completes.
	f := again.json(t)
	if code := upload(t, f, []byte("%PDF")); code != http.StatusOK {
		t.Fatalf("upload through the replayed URL: %d", code)
	}
	wantStatus(t, e.staff_(http.MethodPost, "/v1/files/"+id(f)+"/complete", nil), http.StatusOK)
	if items := e.listAll(e.staffToken, p.files()); len(items) != 1 || id(items[0]) != id(f) {
		t.Errorf("list %v, want the one file", items)
	}
}

// TestFileDeleteIfMatch checks the API's rule for DELETE (docs/api.md,
// openapi.json): If-Match with a stale ETag gets 412 and deletes nothing.
func TestFileDeleteIfMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	content := []byte("version dos")
	f := e.attach(e.staffToken, p.path(), "v2.txt", "text/plain", content) // version 2 once complete
	table, blobs := e.snapshot(), e.blobFiles()
	wantProblem(t, e.staff_(http.MethodDelete, "/v1/files/"+id(f), nil, "If-Match", `"1"`), http.StatusPreconditionFailed, crm.CodePreconditionFailed)
	e.untouched(t, table, blobs)
	wantProblem(t, e.staff_(http.MethodDelete, "/v1/files/"+id(f), nil, "If-Match", "latest"), http.StatusBadRequest, crm.CodeInvalid, "If-Match")
	e.untouched(t, table, blobs)
	wantStatus(t, e.staff_(http.MethodGet, "/v1/files/"+id(f), nil), http.StatusOK)
	wantStatus(t, e.staff_(http.MethodDelete, "/v1/files/"+id(f), nil, "If-Match", `"2"`), http.StatusNoContent)
}

// TestFileContentTypeHasALimit checks that the media type, stored with the
// file and sent back as an upload header, is bounded like every other text
// field: RFC 6838 allows at most 127 characters for a subtype, and a
// DynamoDB item at most 400 KB.
func TestFileContentTypeHasALimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	for _, n := range []int{1000, 500_000} {
		table, blobs := e.snapshot(), e.blobFiles()
		body := map[string]any{"name": "x.bin", "contentType": "application/" + strings.Repeat("x", n), "size": 1}
		res := e.staff_(http.MethodPost, p.files(), body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("a contentType of %d characters: status %d, want 400 naming contentType", len("application/")+n, res.Status)
			continue
		}
		wantProblem(t, res, http.StatusBadRequest, crm.CodeInvalid, "contentType")
		e.untouched(t, table, blobs)
	}
}
