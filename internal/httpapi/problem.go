package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[crm.Code]int{
	crm.CodeInvalid:            http.StatusBadRequest,
	crm.CodeNotFound:           http.StatusNotFound,
	crm.CodeConflict:           http.StatusConflict,
	crm.CodeUnauthorized:       http.StatusUnauthorized,
	crm.CodeForbidden:          http.StatusForbidden,
	crm.CodePreconditionFailed: http.StatusPreconditionFailed,
	crm.CodeTooLarge:           http.StatusRequestEntityTooLarge,
	crm.CodeUnprocessable:      http.StatusUnprocessableEntity,
	crm.CodeUnavailable:        http.StatusServiceUnavailable,
	crm.CodeInternal:           http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(c crm.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// problem is an RFC 9457 problem details body with Embudo's extensions.
type problem struct {
	Type       string            `json:"type"`
	Title      string            `json:"title"`
	Status     int               `json:"status"`
	Detail     string            `json:"detail,omitempty"`
	Code       crm.Code          `json:"code"`
	Fields     map[string]string `json:"fields,omitempty"`
	ExistingID string            `json:"existingId,omitempty"`
}

// writeError writes err as application/problem+json. Internal errors are
// logged with their cause and shown without it.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *crm.Error
	if !errors.As(err, &e) {
		e = crm.Internal(err)
	}
	status := Status(e.Code)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", append(requestAttrs(r), "err", err)...)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	p := problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: e.Message,
		Code:   e.Code,
		Fields: e.Fields, ExistingID: e.ExistingID,
	}
	writeProblem(w, p)
}

// requestAttrs names a request in a log line: its method, its route
// pattern and, unless the path holds a secret (a webhook's {token}), its
// path.
func requestAttrs(r *http.Request) []any {
	attrs := []any{"method", r.Method, "route", r.Pattern}
	if r.PathValue("token") == "" {
		attrs = append(attrs, "path", r.URL.Path)
	}
	return attrs
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
