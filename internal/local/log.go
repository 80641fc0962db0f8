package local

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// changeLog is the durable, append-only log of change records in the data
// directory: one JSON record a line. A write is acknowledged only after its
// records are on disk (fsync); concurrent writers share one fsync (group
// commit).
type changeLog struct {
	path string

	mu      sync.Mutex // guards f, written
	f       *os.File
	written uint64 // highest sequence number written to f
	count   int    // records in the file

	syncMu sync.Mutex // one fsync at a time
	synced uint64     // highest sequence number known on disk
	synMu  sync.Mutex // guards synced
}

const logName = "changes.log"

// openLog opens (creating) the log in dir and returns the records it holds.
// A torn last line, left by a crash in the middle of a write, is cut off.
func openLog(dir string) (*changeLog, []Record, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, logName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	recs, good, err := readRecords(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	l := &changeLog{path: path, f: f, count: len(recs)}
	if n := len(recs); n > 0 {
		l.written, l.synced = recs[n-1].Seq(), recs[n-1].Seq()
	}
	return l, recs, nil
}

// readRecords reads whole lines from r; it returns the records and the
// offset after the last good line.
func readRecords(r io.Reader) ([]Record, int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var recs []Record
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return recs, off, nil // a line without '\n' is torn: ignore it
		}
		if err != nil {
			return nil, 0, err
		}
		var rec Record
		if jerr := json.Unmarshal(bytes.TrimSpace(line), &rec); jerr != nil || rec.Change.SequenceNumber == "" {
			return recs, off, nil // garbage from a torn write: cut here
		}
		recs = append(recs, rec)
		off += int64(len(line))
	}
}

// append writes records to the file (not yet synced).
func (l *changeLog) append(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		return err
	}
	l.written = recs[len(recs)-1].Seq()
	l.count += len(recs)
	return nil
}

// sync returns once every record up to seq is on disk.
func (l *changeLog) sync(seq uint64) error {
	if l.isSynced(seq) {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.isSynced(seq) {
		return nil // another writer's fsync covered us
	}
	l.mu.Lock()
	upTo, f := l.written, l.f
	l.mu.Unlock()
	if err := f.Sync(); err != nil {
		return err
	}
	l.synMu.Lock()
	l.synced = max(l.synced, upTo)
	l.synMu.Unlock()
	return nil
}

func (l *changeLog) isSynced(seq uint64) bool {
	l.synMu.Lock()
	defer l.synMu.Unlock()
	return l.synced >= seq
}

// rewrite replaces the log with recs (a snapshot of the table), atomically.
func (l *changeLog) rewrite(recs []Record) error {
	tmp := l.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			f.Close()
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := os.Rename(tmp, l.path); err != nil {
		f.Close()
		return err
	}
	if d, err := os.Open(filepath.Dir(l.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	l.mu.Lock()
	old := l.f
	l.f, l.count = f, len(recs)
	l.mu.Unlock()
	return old.Close()
}

func (l *changeLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		return fmt.Errorf("sync change log: %w", err)
	}
	return l.f.Close()
}
