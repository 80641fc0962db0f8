// Package emulate starts local stand-ins for the AWS services Embudo's
// tests talk to over the real protocol: the SES v2 emulator
// aws-ses-v2-local and a minidyn DynamoDB server holding the table the
// CloudFormation template declares.
//
// It is test support: its functions take a testing.TB, fail the test on any
// setup error and stop what they started when the test ends. Install the
// npm emulators with `make tools`.
package emulate

import (
	"errors"
	"os"
	"path/filepath"
)

// RepoRoot returns the nearest directory at or above the working directory
// that holds a go.mod: the repository root, under which `make tools`
// installs the emulators and the sample events live.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
