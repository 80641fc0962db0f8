package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/embudo/embudo/internal/crm"
)

// handlerFunc is an API handler: it gets the authenticated user (zero for
// public routes) and returns an error to be written as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request, u crm.User) error

// wrap adds authentication, the role check, idempotency keys on POST and
// error writing around h.
func (a *API) wrap(who access, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u crm.User
		err := func() error {
			if who == public {
				return h(w, r, u)
			}
			var err error
			if u, err = a.authenticate(r, who == admin); err != nil {
				return err
			}
			if who == admin && !u.IsAdmin() {
				return crm.Forbidden("this endpoint is for admins")
			}
			r = r.WithContext(crm.WithActor(r.Context(), u))
			if r.Method == http.MethodPost && r.Header.Get("Idempotency-Key") != "" {
				return a.idempotent(w, r, u, h)
			}
			return h(w, r, u)
		}()
		if err != nil {
			if crm.ErrorCode(err) == crm.CodeUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="embudo"`)
			}
			writeError(w, r, a.log, err)
		}
	})
}

// idempotent runs a POST once per (user, Idempotency-Key): the first
// request claims the key, and its successful response is stored and replayed
// to every retry with the same body. A retry while the first is running, or
// with another body, gets 409. A failed request releases the key.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, u crm.User, h handlerFunc) error {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return crm.InvalidField("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return crm.InvalidField("body", "could not be read")
	}
	if len(body) > MaxBodyBytes {
		return tooLarge()
	}
	sum := sha256.Sum256([]byte(r.Method + " " + r.URL.RequestURI() + "\n" + string(body)))
	// A claim whose request never finished (the process died) expires
	// after pendingTTL, so the key is not blocked for long.
	rec := crm.IdempotencyRecord{UserID: u.ID, Key: key, RequestHash: hex.EncodeToString(sum[:]), ExpiresAt: a.now().Add(pendingTTL)}
	if a.idem == nil {
		return crm.Internal(errors.New("httpapi: an Idempotency-Key needs Options.Idempotency"))
	}
	prev, claimed, err := a.idem.ClaimIdempotency(r.Context(), rec)
	if err != nil {
		return err
	}
	if !claimed {
		switch {
		case prev.RequestHash != rec.RequestHash:
			return crm.Conflict("this Idempotency-Key was used for a different request")
		case !prev.Done:
			return crm.Conflict("a request with this Idempotency-Key is still in progress; retry later")
		}
		if prev.Location != "" {
			w.Header().Set("Location", prev.Location)
		}
		if prev.ETag != "" {
			w.Header().Set("ETag", prev.ETag)
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.Header().Set("Content-Type", replayType(prev.Status))
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
		return nil
	}
	r.Body = readCloser{bytes.NewReader(body)}
	cw := &capture{ResponseWriter: w, status: http.StatusOK}
	ctx := context.WithoutCancel(r.Context())
	release := func() {
		if rerr := a.idem.ReleaseIdempotency(ctx, u.ID, key); rerr != nil {
			a.log.WarnContext(ctx, "could not release idempotency key", "err", rerr)
		}
	}
	defer func() {
		if v := recover(); v != nil {
			release()
			panic(v)
		}
	}()
	err = h(cw, r, u)
	if err != nil || cw.status >= 300 {
		release()
		return err
	}
	rec.Status, rec.Location, rec.ETag, rec.Body = cw.status, cw.Header().Get("Location"), cw.Header().Get("ETag"), cw.buf.Bytes()
	if cw.replay != nil { // the response holds a secret shown once (secretShown)
		replayRecord(&rec, *cw.replay)
	}
	rec.ExpiresAt = a.now().Add(a.idemTT)
	if err := a.idem.CompleteIdempotency(ctx, rec); err != nil {
		a.log.WarnContext(ctx, "could not store idempotent response", "err", err)
	}
	return nil
}

// pendingTTL is how long a claimed key whose request has not finished
// blocks retries.
const pendingTTL = time.Minute

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// capture passes a response through while keeping its status and body.
type capture struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
	replay *problem // what a replay answers instead of the response (secretShown)
}

func (c *capture) WriteHeader(code int) { c.status = code; c.ResponseWriter.WriteHeader(code) }
func (c *capture) Write(b []byte) (int, error) {
	c.buf.Write(b)
	return c.ResponseWriter.Write(b)
}
