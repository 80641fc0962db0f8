package dynamo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// ReserveNumbers implements crm.PipelineStore with one UpdateItem of the
// counter (ADD n, the new value returned), outside any transaction: the
// counter is the same item and attribute a CounterStep advances and
// PeekNumber reads.
func (s *Store) ReserveNumbers(ctx context.Context, counter string, n int) (int64, error) {
	if n < 1 {
		return 0, crm.Internal(fmt.Errorf("reserve %d numbers of %s", n, counter))
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.table), Key: key(kindCounter, counter),
		UpdateExpression:          aws.String("SET #t = :t ADD #n :k"),
		ExpressionAttributeNames:  map[string]string{"#n": "n", "#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": num(strconv.Itoa(n)), ":t": str(kindCounter)},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		return 0, crm.Internal(err)
	}
	last, err := counterValue(out.Attributes)
	if err != nil {
		return 0, err
	}
	return last - int64(n) + 1, nil
}
