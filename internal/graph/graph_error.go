package graph

import (
	"encoding/json"
	"fmt"
)

// graphError is the error object of a Graph API answer:
// {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}.
type graphError struct {
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
}

// parseGraphError returns the Graph error in body, or nil.
func parseGraphError(body []byte) *graphError {
	var env struct {
		Error *graphError `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return nil
	}
	return env.Error
}

// transient reports whether Graph says to try again: unknown or
// temporary errors (1, 2) and throttling (4, 17, 32, 341, 613).
func (e *graphError) transient() bool {
	if e == nil {
		return false
	}
	switch e.Code {
	case 1, 2, 4, 17, 32, 341, 613:
		return true
	}
	return false
}

// err describes an unsuccessful answer for logs, without the token.
func (e *graphError) err(status int, token string) error {
	if e == nil {
		return fmt.Errorf("graph: status %d", status)
	}
	return scrub(fmt.Errorf("status %d, Graph error %d/%d (%s, trace %s): %s", status, e.Code, e.Subcode, e.Type, e.FBTraceID, e.Message), token)
}
