package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/embudo/embudo/internal/crm"
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the OpenAPI 3.1 document of the API.
func OpenAPI() []byte { return openapiDoc }

func (a *API) healthz(w http.ResponseWriter, _ *http.Request, _ crm.User) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (a *API) openapi(w http.ResponseWriter, _ *http.Request, _ crm.User) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openapiDoc)
	return nil
}
