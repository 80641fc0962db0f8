// Package local is the one-process runtime of `embudo serve`: an embedded
// DynamoDB-protocol server (minidyn) on a loopback port reached through the
// real SDK client, and the change-capture layer that makes every write
// durable in a change log in the data directory and replays it at start.
package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/truora/minidyn/server"
)

// rawAPI is the client of the embedded server: API plus Scan, used only to
// snapshot the table when compacting the log.
type rawAPI interface {
	API
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Options configure the local store.
type Options struct {
	DataDir string                     // where the change log lives
	Table   *dynamodb.CreateTableInput // the table to create (from template.yaml)
	Logger  *slog.Logger
}

// Store is a running local store.
type Store struct {
	// DB is the client the application uses: the capture layer over the
	// embedded server's SDK client.
	DB *Capture
	// Endpoint is the embedded server's URL (http://127.0.0.1:port).
	Endpoint string
	srv      *http.Server
	log      *changeLog
	dir      string
	// unhandled are the records of the last run the stream feed had not
	// handled when it stopped (kept before the log was compacted).
	unhandled []Record
}

// Open starts the embedded server on a free loopback port, creates the
// table, replays the change log of DataDir into it, compacts the log to one
// record per live item, and returns the store.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: server.NewServer(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	endpoint := "http://" + ln.Addr().String()
	raw := Client(endpoint)
	s := &Store{Endpoint: endpoint, srv: srv, dir: o.DataDir}
	fail := func(err error) (*Store, error) {
		_ = srv.Close()
		return nil, err
	}
	if _, err := raw.CreateTable(ctx, o.Table); err != nil {
		return fail(fmt.Errorf("create table: %w", err))
	}
	l, recs, err := openLog(o.DataDir)
	if err != nil {
		return fail(fmt.Errorf("open change log: %w", err))
	}
	s.log = l
	table := aws.ToString(o.Table.TableName)
	handled := readCheckpoint(o.DataDir)
	for _, r := range recs {
		if r.Seq() > handled {
			s.unhandled = append(s.unhandled, r)
		}
	}
	live, err := replay(ctx, raw, table, recs)
	if err != nil {
		l.close()
		return fail(fmt.Errorf("replay change log: %w", err))
	}
	// The highest sequence number ever issued: compaction drops the records
	// of deleted items, so the log alone may not hold it, and a number
	// issued twice would be taken for a record already handled.
	high := readHighSeq(o.DataDir)
	if n := len(recs); n > 0 {
		high = max(high, recs[n-1].Seq())
	}
	if err := writeHighSeq(o.DataDir, high); err != nil {
		l.close()
		return fail(fmt.Errorf("record the sequence: %w", err))
	}
	if len(live) < len(recs) {
		if err := l.rewrite(live); err != nil {
			l.close()
			return fail(fmt.Errorf("compact change log: %w", err))
		}
	}
	var keyAttr []string
	for _, k := range o.Table.KeySchema {
		keyAttr = append(keyAttr, aws.ToString(k.AttributeName))
	}
	s.DB = &Capture{db: raw, table: table, keyAttr: keyAttr, log: l, live: len(live), now: time.Now}
	s.DB.seq = high
	o.Logger.Info("local store ready", "data", o.DataDir, "items", len(live), "replayed", len(recs), "dynamodb", endpoint)
	return s, nil
}

// Close stops the embedded server and syncs and closes the change log.
func (s *Store) Close() error {
	s.DB.mu.Lock() // wait for a write in progress
	defer s.DB.mu.Unlock()
	s.DB.broken = errors.New("local store is closed")
	err := errors.Join(s.log.close(), writeHighSeq(s.dir, s.DB.seq))
	return errors.Join(err, s.srv.Close())
}

// Client returns an SDK client for a DynamoDB endpoint on this machine,
// with static credentials (the embedded server checks none).
func Client(endpoint string) *dynamodb.Client {
	// A real region name: the SDK resolves an unknown one by compiling regular
	// expressions on every request (15 % of the CPU of a lead, measured).
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.DisableValidateResponseChecksum = true // minidyn sends no CRC32
	})
}

// replay applies the records to the table in order and returns, for each
// item still present, its last record as an INSERT (the compacted log).
func replay(ctx context.Context, db API, table string, recs []Record) ([]Record, error) {
	last := map[string]int{} // item key -> index in recs of its last record
	for i, r := range recs {
		switch r.EventName {
		case "INSERT", "MODIFY":
			item, err := attributevalue.UnmarshalMapJSON(r.Change.NewImage)
			if err != nil {
				return nil, fmt.Errorf("record %s: %w", r.EventID, err)
			}
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
				return nil, err
			}
		case "REMOVE":
			k, err := attributevalue.UnmarshalMapJSON(r.Change.Keys)
			if err != nil {
				return nil, fmt.Errorf("record %s: %w", r.EventID, err)
			}
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: k}); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("record %s: unknown event %q", r.EventID, r.EventName)
		}
		last[string(r.Change.Keys)] = i
	}
	idx := make([]int, 0, len(last))
	for _, i := range last {
		if recs[i].EventName != "REMOVE" {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	live := make([]Record, len(idx))
	for j, i := range idx {
		r := recs[i]
		r.EventName, r.Change.OldImage = "INSERT", nil
		live[j] = r
	}
	return live, nil
}

// compactEvery: the log is compacted when it holds this many more records
// than four per live item.
const compactEvery = 50_000

// maybeCompact rewrites the log as one record per live item when it has
// grown well past the table. It runs with c.mu held, so no write is in
// flight; it reads the table with Scan, which only this local maintenance
// does.
func (c *Capture) maybeCompact(ctx context.Context) {
	c.log.mu.Lock()
	n := c.log.count
	c.log.mu.Unlock()
	if n < 4*c.live+compactEvery {
		return
	}
	if err := c.log.sync(c.seq); err != nil {
		return
	}
	var recs []Record
	var start map[string]types.AttributeValue
	now := c.now()
	for {
		out, err := c.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(c.table), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return
		}
		for _, item := range out.Items {
			r, _, err := newRecord(c.seq, now, c.keyOf(item), nil, item)
			if err != nil {
				return
			}
			recs = append(recs, r)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if err := c.log.rewrite(recs); err == nil {
		c.live = len(recs)
	}
}

const highSeqName = "changes.seq"

// readHighSeq reads the highest sequence number recorded (0 if none).
func readHighSeq(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, highSeqName))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// writeHighSeq records the highest sequence number issued so far.
func writeHighSeq(dir string, n uint64) error {
	return os.WriteFile(filepath.Join(dir, highSeqName), []byte(strconv.FormatUint(n, 10)), 0o600)
}
