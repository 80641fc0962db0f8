package httpapi

import (
	"net/http"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

type fileFields struct {
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
}

type fileResponse struct {
	ID          string `json:"id"`
	ParentKind  string `json:"parentKind"`
	ParentID    string `json:"parentId"`
	ContactID   string `json:"contactId"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Status      string `json:"status"`
	UploadedBy  string `json:"uploadedBy"`
	meta
}

type fileUploadResponse struct {
	fileResponse
	UploadURL     string            `json:"uploadUrl"`
	UploadHeaders map[string]string `json:"uploadHeaders"`
	UploadExpires time.Time         `json:"uploadExpiresAt"`
}

type fileDownloadResponse struct {
	fileResponse
	DownloadURL     string    `json:"downloadUrl"`
	DownloadExpires time.Time `json:"downloadExpiresAt"`
}

func fileToResponse(f crm.File) fileResponse {
	return fileResponse{ID: f.ID, ParentKind: string(f.ParentKind), ParentID: f.ParentID, ContactID: f.ContactID, Name: f.Name,
		ContentType: f.ContentType, Size: f.Size, Status: string(f.Status), UploadedBy: f.UploadedBy, meta: meta{f.CreatedAt, f.UpdatedAt, f.Version}}
}

func (a *API) createFile(k crm.ParentKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, u crm.User) error {
		var f fileFields
		if err := decodeBody(r, &f); err != nil {
			return err
		}
		out, up, err := a.svc.CreateFile(r.Context(), u, k, r.PathValue("id"), crm.File{Name: f.Name, ContentType: f.ContentType, Size: f.Size})
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/v1/files/"+out.ID)
		w.Header().Set("ETag", etag(out.Version))
		writeJSON(w, http.StatusCreated, fileUploadResponse{fileResponse: fileToResponse(out), UploadURL: up.URL, UploadHeaders: up.Headers, UploadExpires: up.Expires})
		return nil
	}
}

func (a *API) listFiles(k crm.ParentKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ crm.User) error {
		o, err := listOptions(r.URL.Query())
		if err != nil {
			return err
		}
		p, err := a.svc.ListFiles(r.Context(), k, r.PathValue("id"), o)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, listOf(p, fileToResponse))
		return nil
	}
}

func (a *API) completeFile(w http.ResponseWriter, r *http.Request, u crm.User) error {
	f, err := a.svc.CompleteFile(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(f.Version))
	writeJSON(w, http.StatusOK, fileToResponse(f))
	return nil
}

func (a *API) getFile(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	f, url, exp, err := a.svc.FileDownload(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(f.Version))
	writeJSON(w, http.StatusOK, fileDownloadResponse{fileResponse: fileToResponse(f), DownloadURL: url, DownloadExpires: exp})
	return nil
}

func (a *API) deleteFile(w http.ResponseWriter, r *http.Request, _ crm.User) error {
	m, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteFile(r.Context(), r.PathValue("id"), m); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
