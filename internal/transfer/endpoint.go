package transfer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// DBFile is the database's file name inside a data directory.
const DBFile = "embudo.db"

// Endpoint is one side of a copy: a DynamoDB table, or an SQLite database
// file with its local files directory.
type Endpoint struct {
	Table string // the DynamoDB table; "" for SQLite
	DB    string // the SQLite database file
	Files string // the SQLite side's files directory (files/ beside DB)
}

// ParseEndpoint reads a side of a copy: "dynamodb:TABLE"; a file name
// ending in .db, or an existing file, for an SQLite file (its files are in
// files/ beside it); anything else is a data directory, as `embudo serve
// --data` takes it (DIR/embudo.db and DIR/files). Errors: an empty name or
// table.
func ParseEndpoint(s string) (Endpoint, error) {
	if table, ok := strings.CutPrefix(s, "dynamodb:"); ok {
		if table == "" {
			return Endpoint{}, errors.New("dynamodb: needs a table name (dynamodb:TABLE)")
		}
		return Endpoint{Table: table}, nil
	}
	if s == "" {
		return Endpoint{}, errors.New("no data directory, database file or dynamodb:TABLE given")
	}
	if st, err := os.Stat(s); strings.HasSuffix(s, ".db") || (err == nil && !st.IsDir()) {
		return Endpoint{DB: s, Files: filepath.Join(filepath.Dir(s), "files")}, nil
	}
	return Endpoint{DB: filepath.Join(s, DBFile), Files: filepath.Join(s, "files")}, nil
}

// DynamoDB reports whether the endpoint is a DynamoDB table.
func (e Endpoint) DynamoDB() bool { return e.Table != "" }

// String names the endpoint as ParseEndpoint reads it.
func (e Endpoint) String() string {
	if e.DynamoDB() {
		return "dynamodb:" + e.Table
	}
	return e.DB
}

// same reports whether two endpoints are one store.
func same(a, b Endpoint) bool {
	if a.DynamoDB() || b.DynamoDB() {
		return a.Table == b.Table
	}
	pa, ea := filepath.Abs(a.DB)
	pb, eb := filepath.Abs(b.DB)
	return ea == nil && eb == nil && pa == pb
}
