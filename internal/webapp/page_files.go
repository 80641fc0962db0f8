package webapp

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/embudo/embudo/internal/crm"
)

func init() {
	addRoutes(
		route{"POST /app/files", signedIn, (*app).createFile},
		route{"POST /app/files/{id}/complete", signedIn, (*app).completeFile},
		route{"GET /app/files/{id}", signedIn, (*app).downloadFile},
	)
}

// An upload is three requests of static/files.js: POST /app/files records
// the file (pending) and answers where to put its bytes (the domain's
// presigned URL: S3 on AWS, /blobs/ locally), the browser PUTs them there
// with a progress bar, and POST /app/files/{id}/complete makes the file
// appear. The bytes never pass through the app.

// uploadAnswer is the answer to POST /app/files: the file's ID, the URL to
// PUT its bytes to and the headers to send with them.
type uploadAnswer struct {
	ID      string            `json:"id"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Done    string            `json:"done"` // where to POST once the bytes are there
	Back    string            `json:"back"` // the parent's page, to show the file
}

// uploadProblem is a refused upload step: a sentence for the person, and
// the field problems (name, size, contentType) in the page's language.
type uploadProblem struct {
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// createFile records a file on the parent the form names (parentKind,
// parentId) from its name, size and type, and answers its upload URL as
// JSON (201); a refused one answers its problem as JSON with the status
// of its code.
func (a *app) createFile(w http.ResponseWriter, r *http.Request, p *Page) {
	k, id := crm.ParentKind(r.PostFormValue("parentKind")), r.PostFormValue("parentId")
	f := crm.File{Name: r.PostFormValue("name"), ContentType: r.PostFormValue("contentType")}
	size, err := strconv.ParseInt(r.PostFormValue("size"), 10, 64)
	if err != nil {
		a.uploadFailed(w, r, p, crm.InvalidField("size", "must be between 1 byte and 25 MiB"))
		return
	}
	f.Size = size
	out, up, err := a.svc.CreateFile(r.Context(), p.User, k, id, f)
	if err != nil {
		a.uploadFailed(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusCreated, uploadAnswer{ID: out.ID, URL: up.URL, Headers: up.Headers,
		Done: "/app/files/" + out.ID + "/complete", Back: parentPath(out.ParentKind, out.ParentID, out.ContactID)})
}

// completeFile makes an uploaded file appear once its bytes are stored
// with the size declared, and answers as JSON.
func (a *app) completeFile(w http.ResponseWriter, r *http.Request, p *Page) {
	f, err := a.svc.CompleteFile(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		a.uploadFailed(w, r, p, err)
		return
	}
	writeJSON(w, http.StatusOK, uploadAnswer{ID: f.ID, Back: parentPath(f.ParentKind, f.ParentID, f.ContactID)})
}

// uploadFailed answers an upload step's error as JSON: its code's status
// and a sentence in the page's language, with the field problems of an
// invalid one; an internal one is logged.
func (a *app) uploadFailed(w http.ResponseWriter, r *http.Request, p *Page, err error) {
	var e *crm.Error
	if !errors.As(err, &e) {
		e = crm.Internal(err)
	}
	s, ok := statusOf[e.Code]
	if !ok {
		s = statusOf[crm.CodeInternal]
	}
	if s.status >= 500 {
		a.log.ErrorContext(r.Context(), "webapp: upload failed", "path", r.URL.Path, "err", err)
	}
	pr := uploadProblem{Message: p.T(s.key)}
	if len(e.Fields) > 0 {
		pr.Message, pr.Fields = p.T("files.refused"), fieldProblems(p, e.Fields)
	}
	writeJSON(w, s.status, pr)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// downloadFile sends the browser to the domain's download URL of a
// complete file (short-lived and signed; served as an attachment).
func (a *app) downloadFile(w http.ResponseWriter, r *http.Request, p *Page) {
	_, u, _, err := a.svc.FileDownload(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}
