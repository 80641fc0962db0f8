package crm

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an Error. The HTTP layer maps each code to one status in a
// single table; nothing else decides a status.
type Code string

// The error codes every port and service method returns.
const (
	CodeInvalid            Code = "invalid"             // input failed validation; Fields names each problem
	CodeNotFound           Code = "not_found"           // the resource does not exist (or is not visible to the caller)
	CodeConflict           Code = "conflict"            // the write would break a uniqueness or state rule
	CodeUnauthorized       Code = "unauthorized"        // no valid credentials
	CodeForbidden          Code = "forbidden"           // valid credentials, not allowed
	CodePreconditionFailed Code = "precondition_failed" // If-Match did not match the current version
	CodeTooLarge           Code = "too_large"           // the request body is over its limit
	CodeUnprocessable      Code = "unprocessable"       // well-formed, but not something that can be stored (a lead with no way to reach anyone)
	CodeUnavailable        Code = "unavailable"         // the store cannot take the request now (busy, disk full, read-only); the caller may retry later
	CodeInternal           Code = "internal"            // a dependency failed; the caller may retry
)

// Error is the one error type of Embudo. Message is safe to show to the
// caller; Fields maps a field name (the API's JSON name, dotted for nested
// fields) to what is wrong with it; ExistingID names the resource a conflict
// collided with, when there is one.
type Error struct {
	Code       Code
	Message    string
	Fields     map[string]string
	ExistingID string
	Err        error // the underlying cause, never shown to callers
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the Code of err: the code of the first *Error in its
// chain, CodeInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Invalid returns a CodeInvalid error for the given field problems.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: CodeInvalid, Message: "the request has invalid fields", Fields: fields}
}

// InvalidField returns a CodeInvalid error for one field.
func InvalidField(field, problem string) *Error {
	return Invalid(map[string]string{field: problem})
}

// NotFound returns a CodeNotFound error naming the kind of resource.
func NotFound(kind string) *Error {
	return &Error{Code: CodeNotFound, Message: kind + " not found"}
}

// Conflict returns a CodeConflict error.
func Conflict(message string) *Error {
	return &Error{Code: CodeConflict, Message: message}
}

// Internal wraps a dependency failure as CodeInternal.
func Internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// Causes a store reports inside a CodeConflict error, for the use cases to
// tell with errors.Is; callers of the API see only the conflict.
var (
	// ErrConcurrentWrite: a concurrent request won the race for the same
	// data (a sequence number, or any item of a transaction); the use case
	// reads again and starts over.
	ErrConcurrentWrite = errors.New("a concurrent request changed the same data")
	// ErrDuplicateLead: a lead record under the same delivery key exists;
	// this is a redelivery of a lead already stored.
	ErrDuplicateLead = errors.New("this lead was delivered before")
)

// ConcurrentWrite returns the conflict of a write that lost a race (a
// sequence number or an item a concurrent transaction took); it wraps
// ErrConcurrentWrite.
func ConcurrentWrite() *Error {
	return &Error{Code: CodeConflict, Message: "a concurrent request changed the same data; retry", Err: ErrConcurrentWrite}
}

// DuplicateLead returns the conflict of a lead delivered before; it wraps
// ErrDuplicateLead.
func DuplicateLead() *Error {
	return &Error{Code: CodeConflict, Message: "this lead was delivered before", Err: ErrDuplicateLead}
}

// FieldsOf returns the field problems of err (nil when it is no *Error or
// has none).
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Unavailable wraps a store failure the operator can fix (the database is
// busy, its disk is full, its file is read-only) as CodeUnavailable; message
// says what happened, without paths or secrets.
func Unavailable(message string, err error) *Error {
	return &Error{Code: CodeUnavailable, Message: message, Err: err}
}

// Forbidden returns a CodeForbidden error.
func Forbidden(message string) *Error {
	return &Error{Code: CodeForbidden, Message: message}
}

// Unauthorized returns a CodeUnauthorized error.
func Unauthorized(message string) *Error {
	return &Error{Code: CodeUnauthorized, Message: message}
}

// Stale returns the CodePreconditionFailed error for an If-Match that no
// longer matches.
func Stale(kind string) *Error {
	return &Error{Code: CodePreconditionFailed, Message: kind + " was changed by someone else; fetch it again"}
}

// fieldErrors collects field problems during validation.
type fieldErrors map[string]string

func (f fieldErrors) add(field, problem string) {
	if _, dup := f[field]; !dup {
		f[field] = problem
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f)
}
