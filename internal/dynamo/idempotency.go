package dynamo

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

func idemKey(userID, idemKeyValue string) map[string]types.AttributeValue {
	return key(kindIdem+"#"+userID+"#"+idemKeyValue, kindIdem)
}

func idemToItem(r crm.IdempotencyRecord) idemItem {
	k := idemKey(r.UserID, r.Key)
	return idemItem{
		keys:   keys{PK: k[attrPK].(*types.AttributeValueMemberS).Value, SK: kindIdem, Type: kindIdem},
		UserID: r.UserID, Key: r.Key, RequestHash: r.RequestHash, Done: r.Done,
		Status: r.Status, Location: r.Location, ETag: r.ETag, Body: r.Body, TTL: r.ExpiresAt.Unix(),
	}
}

// ClaimIdempotency implements crm.IdempotencyStore with a conditional
// PutItem (an expired record counts as absent) and, when it is taken, one
// GetItem.
func (s *Store) ClaimIdempotency(ctx context.Context, r crm.IdempotencyRecord) (crm.IdempotencyRecord, bool, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      marshal(idemToItem(r)),
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #ttl <= :now"),
		ExpressionAttributeNames:  map[string]string{"#ttl": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(strconv.FormatInt(s.now().Unix(), 10))},
	})
	if err == nil {
		return r, true, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return crm.IdempotencyRecord{}, false, crm.Internal(err)
	}
	it, err := get[idemItem](ctx, s, idemKey(r.UserID, r.Key), "idempotency record")
	if err != nil {
		return crm.IdempotencyRecord{}, false, err
	}
	return crm.IdempotencyRecord{UserID: it.UserID, Key: it.Key, RequestHash: it.RequestHash, Done: it.Done,
		Status: it.Status, Location: it.Location, ETag: it.ETag, Body: it.Body}, false, nil
}

// CompleteIdempotency implements crm.IdempotencyStore with one PutItem.
func (s *Store) CompleteIdempotency(ctx context.Context, r crm.IdempotencyRecord) error {
	r.Done = true
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: marshal(idemToItem(r))}); err != nil {
		return crm.Internal(err)
	}
	return nil
}

// ReleaseIdempotency implements crm.IdempotencyStore with one DeleteItem.
func (s *Store) ReleaseIdempotency(ctx context.Context, userID, k string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.table), Key: idemKey(userID, k)}); err != nil {
		return crm.Internal(err)
	}
	return nil
}

var _ crm.Store = (*Store)(nil)
