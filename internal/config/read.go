package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
	_ "time/tzdata" // Lambda images need not ship zone data
)

// kind says who sets a variable and whether a function needs it.
type kind int

const (
	optional kind = iota // the template sets it, possibly empty
	required             // the template sets it; the function does not start without it
	byLambda             // Lambda sets it
)

// reader reads variables through lookup, recording each one it reads and
// each problem it finds.
type reader struct {
	lookup   func(string) (string, bool)
	vars     []Var
	problems []string
}

// get returns the variable name, recording a problem when it is required
// and empty, or set and refused by check (nil for any value).
func (r *reader) get(name string, k kind, check func(string) error) string {
	r.vars = append(r.vars, Var{Name: name, Required: k == required, ByLambda: k == byLambda})
	v, _ := r.lookup(name)
	switch {
	case v == "" && k == required:
		r.problems = append(r.problems, name+" is not set")
	case v != "" && check != nil:
		if err := check(v); err != nil {
			r.fail(name, err)
		}
	}
	return v
}

// fail records that the variable name is malformed.
func (r *reader) fail(name string, err error) {
	r.problems = append(r.problems, name+": "+err.Error())
}

// location reads an optional IANA time zone: nil when unset.
func (r *reader) location(name string) *time.Location {
	v := r.get(name, optional, nil)
	if v == "" {
		return nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		r.fail(name, err)
		return nil
	}
	return loc
}

// logLevel reads the minimum log level: the variable lambda, which Lambda
// sets from the function's ApplicationLogLevel (the template's LogLevel),
// else local (local runs), else info. Lambda's TRACE is debug and its FATAL
// is error.
func (r *reader) logLevel(lambda, local string) slog.Level {
	name, v := lambda, r.get(lambda, byLambda, nil)
	if l := r.get(local, optional, nil); v == "" {
		name, v = local, l // read either way: the template sets it
	}
	if v == "" {
		return slog.LevelInfo
	}
	l, err := parseLevel(v)
	if err != nil {
		r.fail(name, err)
	}
	return l
}

// parseLevel parses a Lambda or slog level name, in any case: info on error.
func parseLevel(v string) (slog.Level, error) {
	var l slog.Level
	switch s := strings.ToUpper(strings.TrimSpace(v)); s {
	case "TRACE":
		return slog.LevelDebug, nil
	case "FATAL":
		return slog.LevelError, nil
	default:
		if err := l.UnmarshalText([]byte(s)); err != nil {
			return slog.LevelInfo, fmt.Errorf("%q is no log level (DEBUG, INFO, WARN, ERROR)", v)
		}
		return l, nil
	}
}
