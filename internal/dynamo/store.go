// Package dynamo is the single-table DynamoDB store of Embudo: key design,
// item converters, conditional writes and transactions, and the mapping of
// DynamoDB failures to crm error codes. See docs/data-model.md.
package dynamo

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// API is the part of the DynamoDB client the store uses; *dynamodb.Client
// implements it, and so do wrappers that count or capture requests.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store implements crm.Store on one DynamoDB table.
type Store struct {
	db    API
	table string
	now   func() time.Time
	// shard is the tab counts shard the next transaction that moves
	// opportunities adds to (countOps): each instance goes round them
	// from a random one, so that the shards take the writes evenly.
	shard atomic.Uint32
}

// New returns a Store on table through db.
func New(db API, table string) *Store {
	s := &Store{db: db, table: table, now: time.Now}
	s.shard.Store(rand.Uint32())
	return s
}
