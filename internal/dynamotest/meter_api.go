package dynamotest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func (m *Meter) count() {
	m.mu.Lock()
	m.usage.Requests++
	m.mu.Unlock()
}

// GetItem passes through and prices the item read.
func (m *Meter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	m.count()
	out, err := m.db.GetItem(ctx, in, o...)
	if err == nil {
		m.readItem(out.Item, aws.ToBool(in.ConsistentRead))
	}
	return out, err
}

// BatchGetItem passes through and prices each item read, found or not.
func (m *Meter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	m.count()
	out, err := m.db.BatchGetItem(ctx, in, o...)
	if err != nil {
		return out, err
	}
	for table, ka := range in.RequestItems {
		got := out.Responses[table]
		for _, it := range got {
			m.readItem(it, aws.ToBool(ka.ConsistentRead))
		}
		missing := len(ka.Keys) - len(got) - len(out.UnprocessedKeys[table].Keys)
		for range missing {
			m.readItem(nil, aws.ToBool(ka.ConsistentRead))
		}
	}
	return out, err
}

// Query passes through and prices the items it read (a Select COUNT query
// is run again, unmetered, to size them).
func (m *Meter) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	m.count()
	out, err := m.db.Query(ctx, in, o...)
	if err != nil {
		return out, err
	}
	items := out.Items
	if in.Select == types.SelectCount {
		again := *in
		again.Select = ""
		if full, err := m.db.Query(ctx, &again, o...); err == nil {
			items = full.Items
		}
	}
	size := 0
	for _, it := range items {
		size += itemSize(it)
	}
	h := kbUnits(size, 4096) * 2
	if in.IndexName != nil || !aws.ToBool(in.ConsistentRead) {
		h = (h + 1) / 2
	}
	m.mu.Lock()
	m.usage.ReadHalves += h
	m.mu.Unlock()
	return out, err
}

// PutItem passes through and prices the write.
func (m *Meter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	var out *dynamodb.PutItemOutput
	err := m.single(ctx, m.keyOf(in.Item), func() (err error) { out, err = m.db.PutItem(ctx, in, o...); return err })
	return out, err
}

// UpdateItem passes through and prices the write.
func (m *Meter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	var out *dynamodb.UpdateItemOutput
	err := m.single(ctx, in.Key, func() (err error) { out, err = m.db.UpdateItem(ctx, in, o...); return err })
	return out, err
}

// DeleteItem passes through and prices the write.
func (m *Meter) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	var out *dynamodb.DeleteItemOutput
	err := m.single(ctx, in.Key, func() (err error) { out, err = m.db.DeleteItem(ctx, in, o...); return err })
	return out, err
}

// single runs one single-item write with the images around it.
func (m *Meter) single(ctx context.Context, k map[string]types.AttributeValue, write func() error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage.Requests++
	old, err := m.image(ctx, k)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		if refused(err) {
			m.usage.Failed++
		}
		return err
	}
	new, err := m.image(ctx, k)
	if err != nil {
		return err
	}
	m.record(k, old, new, 1)
	return nil
}

// TransactWriteItems passes through and prices every action: writes and
// ConditionChecks at twice a write's units.
func (m *Meter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.usage.Requests++
	ks := make([]map[string]types.AttributeValue, len(in.TransactItems))
	olds := make([]map[string]types.AttributeValue, len(in.TransactItems))
	for i, a := range in.TransactItems {
		switch {
		case a.Put != nil:
			ks[i] = m.keyOf(a.Put.Item)
		case a.Update != nil:
			ks[i] = a.Update.Key
		case a.Delete != nil:
			ks[i] = a.Delete.Key
		case a.ConditionCheck != nil:
			ks[i] = a.ConditionCheck.Key
		}
		var err error
		if olds[i], err = m.image(ctx, ks[i]); err != nil {
			return nil, err
		}
	}
	out, err := m.db.TransactWriteItems(ctx, in, o...)
	if err != nil {
		if refused(err) {
			m.usage.Failed++
		}
		return out, err
	}
	for i, a := range in.TransactItems {
		m.usage.Transacted[m.name(ks[i])]++
		if a.ConditionCheck != nil {
			u := 2 * kbUnits(itemSize(olds[i]), 1024)
			m.usage.WriteUnits += u
			m.usage.CheckUnits += u
			m.usage.UnitsByType["check "+typeOf(olds[i])] += u
			continue
		}
		new, err := m.image(ctx, ks[i])
		if err != nil {
			return out, err
		}
		m.record(ks[i], olds[i], new, 2)
	}
	return out, nil
}
