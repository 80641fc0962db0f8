package dynamo

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// tokenItem is an API token as stored: keyed by the SHA-256 of its secret
// (the lookup of every request), and listed by user on GSI2 (TOKEN#USER#<userId>,
// sorted by the token's ID).
type tokenItem struct {
	keys
	UserID     string     `dynamodbav:"userId"`
	Name       string     `dynamodbav:"name,omitempty"`
	Prefix     string     `dynamodbav:"prefix,omitempty"`
	CreatedAt  time.Time  `dynamodbav:"createdAt"`
	LastUsedAt *time.Time `dynamodbav:"lastUsedAt,omitempty"`
	Kind       string     `dynamodbav:"kind,omitempty"` // "": an API token, as every item written before kinds
	ExpiresAt  *time.Time `dynamodbav:"expiresAt,omitempty"`
	// TTL is ExpiresAt in Unix seconds, the table's time-to-live
	// attribute: DynamoDB deletes an expired session or sign-in token
	// (within days; reads check ExpiresAt themselves).
	TTL int64 `dynamodbav:"ttl,omitempty"`
}

// userTokens is the GSI2 partition of a user's tokens.
func userTokens(userID string) string { return kindToken + "#USER#" + userID }

func tokenKey(hash string) map[string]types.AttributeValue { return key(kindToken+"#"+hash, kindToken) }

func tokenToItem(t crm.Token) tokenItem {
	it := tokenItem{keys: keys{PK: kindToken + "#" + t.Hash, SK: kindToken, Type: kindToken, GSI2PK: userTokens(t.UserID), GSI2SK: t.ID()},
		UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, Kind: string(t.Kind)}
	if !t.LastUsedAt.IsZero() {
		at := t.LastUsedAt
		it.LastUsedAt = &at
	}
	if !t.ExpiresAt.IsZero() {
		at := t.ExpiresAt
		it.ExpiresAt, it.TTL = &at, at.Unix()
	}
	return it
}

func tokenFromItem(it tokenItem) crm.Token {
	t := crm.Token{Hash: strings.TrimPrefix(it.PK, kindToken+"#"), UserID: it.UserID, Name: it.Name, Prefix: it.Prefix,
		CreatedAt: it.CreatedAt, Kind: crm.TokenKind(it.Kind)}
	if it.LastUsedAt != nil {
		t.LastUsedAt = *it.LastUsedAt
	}
	if it.ExpiresAt != nil {
		t.ExpiresAt = *it.ExpiresAt
	}
	return t
}

// CreateToken implements crm.UserStore: the token item is keyed by the hash
// of its secret, and its user must exist (a ConditionCheck).
func (s *Store) CreateToken(ctx context.Context, tk crm.Token) error {
	t := s.tx()
	t.putNew(marshal(tokenToItem(tk)), failExists("token"))
	t.check(entityKey(kindUser, tk.UserID), "attribute_exists(PK)", func(context.Context) error { return crm.NotFound("user") })
	return t.run(ctx)
}

// GetToken implements crm.UserStore with one GetItem.
func (s *Store) GetToken(ctx context.Context, hash string) (crm.Token, error) {
	it, err := get[tokenItem](ctx, s, tokenKey(hash), "token")
	if err != nil {
		return crm.Token{}, err
	}
	return tokenFromItem(it), nil
}

// ListTokens implements crm.UserStore: a Query of GSI2 under the user's
// partition, oldest first.
func (s *Store) ListTokens(ctx context.Context, userID string, o crm.ListOptions) (crm.Page[crm.Token], error) {
	decode := func(m map[string]types.AttributeValue) (crm.Token, error) {
		it, err := unmarshal[tokenItem](m)
		return tokenFromItem(it), err
	}
	return page(ctx, s, query{index: gsi2, pk: userTokens(userID), forward: true}, "tokens:"+userID, o, nil, decode, nil)
}

// DeleteToken implements crm.UserStore: a Query of GSI2 for the token's ID
// under the user's partition, then a DeleteItem guarded by the item's
// existence. (The index is eventually consistent: a token issued a moment
// ago may not be found yet.)
func (s *Store) DeleteToken(ctx context.Context, userID, tokenID string) (crm.Token, error) {
	out, err := s.db.Query(ctx, s.queryInput(query{index: gsi2, pk: userTokens(userID), prefix: tokenID}, 1, nil))
	if err != nil {
		return crm.Token{}, crm.Internal(err)
	}
	if len(out.Items) == 0 {
		return crm.Token{}, crm.NotFound("token")
	}
	it, err := unmarshal[tokenItem](out.Items[0])
	if err != nil {
		return crm.Token{}, err
	}
	tk := tokenFromItem(it)
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: tokenKey(tk.Hash),
		ConditionExpression: aws.String("attribute_exists(PK)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return crm.Token{}, crm.NotFound("token")
	}
	if err != nil {
		return crm.Token{}, crm.Internal(err)
	}
	return tk, nil
}

// TakeToken implements crm.UserStore with one DeleteItem guarded by the
// item's existence, returning the item it deleted: of two at once,
// DynamoDB lets one delete it and fails the other's condition.
func (s *Store) TakeToken(ctx context.Context, hash string) (crm.Token, error) {
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: tokenKey(hash),
		ConditionExpression: aws.String("attribute_exists(PK)"), ReturnValues: types.ReturnValueAllOld})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return crm.Token{}, crm.NotFound("token")
	}
	if err != nil {
		return crm.Token{}, crm.Internal(err)
	}
	it, err := unmarshal[tokenItem](out.Attributes)
	if err != nil {
		return crm.Token{}, err
	}
	return tokenFromItem(it), nil
}

// TouchToken implements crm.UserStore with one UpdateItem guarded by the
// item's existence.
func (s *Store) TouchToken(ctx context.Context, hash string, at time.Time) error {
	v, err := attributevalue.Marshal(at) // as the item's struct writes it
	if err != nil {
		return crm.Internal(err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: tokenKey(hash),
		UpdateExpression:          aws.String("SET lastUsedAt = :at"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": v}})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return crm.NotFound("token")
	}
	if err != nil {
		return crm.Internal(err)
	}
	return nil
}
