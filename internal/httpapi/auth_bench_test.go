package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/embudo/embudo/internal/crm"
	"github.com/embudo/embudo/internal/dynamo"
	"github.com/embudo/embudo/internal/dynamotest"
	"github.com/embudo/embudo/internal/httpapi"
	"github.com/embudo/embudo/internal/sqlite"
)

// countingDB counts the reads and writes the store sends to DynamoDB.
type countingDB struct {
	dynamo.API
	n atomic.Int64
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.n.Add(1)
	return c.API.GetItem(ctx, in, o...)
}

func (c *countingDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.n.Add(1)
	return c.API.UpdateItem(ctx, in, o...)
}

// BenchmarkAuthentication is what authenticating a request costs: on a
// staff route from the token cache, on an admin route by reading the
// token and the user (two GetItems on DynamoDB, two indexed reads in
// SQLite). Each request is refused right after authentication (a
// malformed ID), so that it measures nothing else.
//
//	go test -run '^$' -bench Authentication -benchtime 2000x ./internal/httpapi/
func BenchmarkAuthentication(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	stores := map[string]func(b *testing.B) (crm.Store, *atomic.Int64){
		"minidyn": func(b *testing.B) (crm.Store, *atomic.Int64) {
			tbl := dynamotest.New(b)
			db := &countingDB{API: tbl.Client}
			return dynamo.New(db, tbl.Name), &db.n
		},
		"sqlite": func(b *testing.B) (crm.Store, *atomic.Int64) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "embudo.db"), sqlite.Options{Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			return st, nil
		},
	}
	for _, name := range []string{"minidyn", "sqlite"} {
		for _, route := range []struct{ name, path string }{
			{"staff route, cached", "/v1/contacts/nope"},
			{"admin route, read", "/v1/users/nope"},
		} {
			b.Run(name+"/"+route.name, func(b *testing.B) {
				st, reads := stores[name](b)
				svc := crm.NewService(st, crm.Config{})
				if _, _, err := svc.BootstrapAdmin(context.Background(), "admin@example.com", adminToken, false); err != nil {
					b.Fatal(err)
				}
				api := httpapi.New(svc, httpapi.Options{Logger: quiet})
				req := httptest.NewRequest(http.MethodGet, route.path, nil)
				req.Header.Set("Authorization", "Bearer "+adminToken)
				serve := func() {
					w := httptest.NewRecorder()
					api.ServeHTTP(w, req)
					if w.Code != http.StatusBadRequest {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
				serve() // warms the cache, records the token's first use
				if reads != nil {
					reads.Store(0)
				}
				b.ResetTimer()
				for range b.N {
					serve()
				}
				if reads != nil {
					b.ReportMetric(float64(reads.Load())/float64(b.N), "ddb-req/op")
				}
			})
		}
	}
}
