package cli

// Where import and export find the API: their --url and --token.

import (
	"flag"
	"time"

	"github.com/embudo/embudo/internal/client"
)

// apiFlags is where import and export find the API: --url and --token,
// or else EMBUDO_URL and EMBUDO_TOKEN, or else what embudo login stored.
type apiFlags struct{ url, token string }

// flags declares --url and --token.
func (a *apiFlags) flags(fs *flag.FlagSet) {
	fs.StringVar(&a.url, "url", "", "API `URL` (default: EMBUDO_URL, or what embudo login stored)")
	fs.StringVar(&a.token, "token", "", "API `token` (default: EMBUDO_TOKEN, or what embudo login stored)")
}

// client returns the API client; an error when there is no token.
func (a *apiFlags) client() (*client.Client, error) {
	cl, err := configClient(a.url, a.token)
	if err != nil {
		return nil, err
	}
	cl.HTTP.Timeout = 10 * time.Minute // a batch of 500 new rows can take a while on the local store
	return cl, nil
}
