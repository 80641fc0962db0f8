package httpapi_test

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"testing"
)

// TestFileDownloadIsAnAttachmentOfItsType: a download is served with the
// content type the file was declared with, never one guessed from its
// bytes (an HTML page declared text/plain stays text), with nosniff, as
// an attachment named like the file.
func TestFileDownloadIsAnAttachmentOfItsType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	for _, c := range []struct{ name, ctype, content string }{
		{"nota.txt", "text/plain", "<html><script>alert(document.cookie)</script></html>"},
		{"página.html", "text/html; charset=utf-8", "<script>alert(1)</script>"},
		{"datos.bin", "application/octet-stream", "%PDF-1.7 no lo es"},
	} {
		f := e.attach(e.staffToken, p.path(), c.name, c.ctype, []byte(c.content))
		dl := rawSend(t, http.MethodGet, str(t, getOK(e, "/v1/files/"+id(f)), "downloadUrl"), nil, nil)
		if dl.Status != http.StatusOK || string(dl.Body) != c.content {
			t.Fatalf("%s: download %d %q", c.name, dl.Status, dl.Body)
		}
		if got := dl.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want the declared %q", c.name, got, c.ctype)
		}
		if got := dl.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", c.name, got)
		}
		if disp, params, err := mime.ParseMediaType(dl.Header.Get("Content-Disposition")); err != nil || disp != "attachment" || params["filename"] != c.name {
			t.Errorf("%s: Content-Disposition %q, want an attachment named so", c.name, dl.Header.Get("Content-Disposition"))
		}
	}
}

// TestFileUploadURLStopsWorking: the upload URL takes the declared
// content type only, and stops working once its file is completed or
// deleted: a later PUT neither replaces the file nor leaves bytes behind.
func TestFileUploadURLStopsWorking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := fileParents(e)[0]
	content, other := []byte("primera"), []byte("segunda")

	f := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "a.txt", "contentType": "text/plain", "size": len(content)})
	if r := rawSend(t, http.MethodPut, str(t, f, "uploadUrl"), content, map[string]string{"Content-Type": "text/html"}); r.Status == http.StatusOK {
		t.Errorf("an upload with another Content-Type than declared was taken")
	}
	if code := upload(t, f, content); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	wantStatus(t, e.staff_(http.MethodPost, "/v1/files/"+id(f)+"/complete", nil), http.StatusOK)
	blobs := e.blobFiles()
	if code := upload(t, f, other); code == http.StatusOK {
		t.Errorf("the upload URL of a completed file took another body")
	}
	if after := e.blobFiles(); !slices.Equal(after, blobs) {
		t.Errorf("a PUT after completion left %v, the store held %v", after, blobs)
	}
	if dl := rawSend(t, http.MethodGet, str(t, getOK(e, "/v1/files/"+id(f)), "downloadUrl"), nil, nil); !bytes.Equal(dl.Body, content) {
		t.Errorf("the completed file now holds %q, want %q", dl.Body, content)
	}

	for _, uploaded := range []bool{false, true} {
		g := e.createdAs(e.staffToken, p.files(), map[string]any{"name": "b.txt", "contentType": "text/plain", "size": len(other)})
		if uploaded && upload(t, g, other) != http.StatusOK {
			t.Fatal("upload failed")
		}
		wantStatus(t, e.staff_(http.MethodDelete, "/v1/files/"+id(g), nil), http.StatusNoContent)
		if code := upload(t, g, other); code == http.StatusOK {
			t.Errorf("the upload URL of a deleted file (uploaded before: %v) still took a body", uploaded)
		}
		if after := e.blobFiles(); !slices.Equal(after, blobs) {
			t.Errorf("a PUT after deletion left %v, the store held %v", after, blobs)
		}
	}
}
