package dynamo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/internal/crm"
)

// The tab counts (how many opportunities each state holds) are spread
// over tabShards items, CONFIG / STATE_COUNTS (shard 0, the one item of
// earlier versions) and CONFIG / STATE_COUNTS#01..#15, each with a number
// attribute c_<stateId> per state. A transaction that moves opportunities
// adds its changes to one shard, each instance taking them in turn from a
// random one, so that concurrent leads do not all write (and conflict on)
// one item: each shard takes a sixteenth of the writes. A state's count is the sum of its attribute
// over the shards, read with one consistent Query; each shard alone may
// be negative (an opportunity counted in on one shard and out on
// another). Every shard has the attribute of every state exactly while
// the state exists (added to all with the state, removed from all with
// it), so the ADD on one shard, conditioned on its attribute, still
// proves that the state exists.
const (
	tabShards   = 16
	tabCountsSK = "STATE_COUNTS"
)

// tabShardKey is the key of shard i.
func tabShardKey(i int) map[string]types.AttributeValue {
	if i == 0 {
		return key(kindConfig, tabCountsSK)
	}
	return key(kindConfig, fmt.Sprintf("%s#%02d", tabCountsSK, i))
}

// isTabShard reports whether a CONFIG item's sort key is a tab shard's.
func isTabShard(sk string) bool {
	return sk == tabCountsSK || strings.HasPrefix(sk, tabCountsSK+"#")
}

func stateCountAttr(stateID string) string { return "c_" + stateID }

// countOps adds the state count changes as one Update of the instance's
// next shard.
// The update is conditioned on the shard's attribute of every state that
// gains opportunities: the check that those states exist.
func (s *Store) countOps(t *tx, deltas map[string]int64) {
	ids := make([]string, 0, len(deltas))
	for id, d := range deltas {
		if d != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	sort.Strings(ids)
	shard := int(s.shard.Add(1) % tabShards)
	k := tabShardKey(shard)
	names := map[string]string{}
	vals := map[string]types.AttributeValue{}
	var adds, conds, gaining []string
	for i, id := range ids {
		n, v := fmt.Sprintf("#c%d", i), fmt.Sprintf(":c%d", i)
		names[n], vals[v] = stateCountAttr(id), num(strconv.FormatInt(deltas[id], 10))
		adds = append(adds, n+" "+v)
		if deltas[id] > 0 {
			conds = append(conds, "attribute_exists("+n+")")
			gaining = append(gaining, id)
		}
	}
	u := &types.Update{TableName: aws.String(s.table), Key: k, UpdateExpression: aws.String("ADD " + strings.Join(adds, ", ")),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals}
	if len(conds) > 0 {
		u.ConditionExpression = aws.String(strings.Join(conds, " AND "))
	}
	t.touch(k)
	t.ops = append(t.ops, op{item: types.TransactWriteItem{Update: u}, onFail: func(ctx context.Context) error {
		return s.mendShard(ctx, shard, gaining)
	}})
}

// mendShard explains a refused count on shard: a state that does not
// exist is invalid; a shard lacking the attribute of a state that does (a
// table of a version with one counts item) gets it, at 0, in a
// transaction that checks the state still exists, and the use case is
// asked to try again (a concurrent write).
func (s *Store) mendShard(ctx context.Context, shard int, ids []string) error {
	missing := crm.InvalidField("stateId", "no state has this ID")
	t := s.tx()
	names := map[string]string{}
	var adds []string
	for i, id := range ids {
		t.check(entityKey(kindState, id), "attribute_exists(PK)", func(context.Context) error { return missing })
		n := fmt.Sprintf("#c%d", i)
		names[n] = stateCountAttr(id)
		adds = append(adds, n+" :zero")
	}
	k := tabShardKey(shard)
	t.touch(k)
	t.ops = append(t.ops, op{item: types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.table), Key: k,
		UpdateExpression: aws.String("ADD " + strings.Join(adds, ", ")), ExpressionAttributeNames: names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": num("0")}}}})
	if err := t.run(ctx); err != nil {
		return err
	}
	return crm.ConcurrentWrite()
}

// stateCounterOps creates the counters of states being created (ADD 0 on
// every shard) and removes those of states being deleted from every
// shard, on condition that each shard still holds what was read (now: the
// shards as read by tabShardCounts), whose sum must be 0.
func (s *Store) stateCounterOps(t *tx, add, remove []string, now []map[string]int64) error {
	if len(add)+len(remove) == 0 {
		return nil
	}
	inUse := crm.Conflict("the state holds opportunities; move them to another state first")
	for _, id := range remove {
		sum := int64(0)
		for _, shard := range now {
			sum += shard[id]
		}
		if sum != 0 {
			return inUse
		}
	}
	for i := range tabShards {
		names := map[string]string{}
		vals := map[string]types.AttributeValue{":zero": num("0")}
		var adds, rems, conds []string
		for j, id := range add {
			n := fmt.Sprintf("#a%d", j)
			names[n] = stateCountAttr(id)
			adds = append(adds, n+" :zero")
		}
		for j, id := range remove {
			n, v := fmt.Sprintf("#r%d", j), fmt.Sprintf(":r%d", j)
			names[n] = stateCountAttr(id)
			rems = append(rems, n)
			if c, ok := shardValue(now, i, id); ok {
				vals[v] = num(strconv.FormatInt(c, 10))
				conds = append(conds, n+" = "+v)
			} else {
				conds = append(conds, "attribute_not_exists("+n+")")
			}
		}
		var parts []string
		if len(adds) > 0 {
			parts = append(parts, "ADD "+strings.Join(adds, ", "))
		}
		if len(rems) > 0 {
			parts = append(parts, "REMOVE "+strings.Join(rems, ", "))
		}
		k := tabShardKey(i)
		u := &types.Update{TableName: aws.String(s.table), Key: k, UpdateExpression: aws.String(strings.Join(parts, " ")),
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals}
		if len(adds) == 0 {
			delete(vals, ":zero")
		}
		if len(conds) > 0 {
			u.ConditionExpression = aws.String(strings.Join(conds, " AND "))
		}
		t.touch(k)
		t.ops = append(t.ops, op{item: types.TransactWriteItem{Update: u}, onFail: func(context.Context) error { return inUse }})
	}
	return nil
}

// shardValue is state id's count on shard i as read, if the shard has it.
func shardValue(now []map[string]int64, i int, id string) (int64, bool) {
	if i >= len(now) {
		return 0, false
	}
	c, ok := now[i][id]
	return c, ok
}

// tabShardCounts reads every shard (one consistent Query): the counts of
// each, by shard number (a shard never written is empty).
func (s *Store) tabShardCounts(ctx context.Context) ([]map[string]int64, error) {
	out := make([]map[string]int64, tabShards)
	for i := range out {
		out[i] = map[string]int64{}
	}
	var start map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true),
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :sk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(kindConfig), ":sk": str(tabCountsSK)},
			ExclusiveStartKey:         start})
		if err != nil {
			return nil, crm.Internal(err)
		}
		for _, m := range res.Items {
			sk, _ := m[attrSK].(*types.AttributeValueMemberS)
			if sk == nil || !isTabShard(sk.Value) {
				continue
			}
			i := 0
			if _, n, ok := strings.Cut(sk.Value, "#"); ok {
				i, _ = strconv.Atoi(n)
			}
			if i >= 0 && i < tabShards {
				out[i] = stateCountsOf(m)
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = res.LastEvaluatedKey
	}
}

// StateCounts implements crm.PipelineStore: the sum of the shards, read
// with one Query.
func (s *Store) StateCounts(ctx context.Context) (map[string]int64, error) {
	shards, err := s.tabShardCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, sh := range shards {
		for id, n := range sh {
			out[id] += n
		}
	}
	return out, nil
}

// stateCountsOf reads the counts of one shard by state ID.
func stateCountsOf(m map[string]types.AttributeValue) map[string]int64 {
	out := map[string]int64{}
	for name, v := range m {
		if len(name) > 2 && name[:2] == "c_" {
			if n, ok := v.(*types.AttributeValueMemberN); ok {
				c, _ := strconv.ParseInt(n.Value, 10, 64)
				out[name[2:]] = c
			}
		}
	}
	return out
}
