// Package transfer is `embudo copy`: it moves a whole CRM between the two
// adapters of the store port, SQLite (a data directory or a database file)
// and DynamoDB (a table), in either direction or between two of a kind,
// with the contents of its files between the local files directory and
// the S3 bucket.
//
// The source is read as one snapshot (crm.Snapshot: an SQLite read
// transaction, or a parallel Scan of the table, which is consistent only
// if nothing writes the table meanwhile) and never written. The target
// must be empty, or hold an earlier copy of the same source when resumed.
// An SQLite target is loaded in one transaction (sqlite.Store.Load); a
// DynamoDB target gets the items the store itself would write
// (dynamo.ItemsOf) in BatchWriteItem batches (dynamo.Writer), the items of
// the stream's types marked as copied, so that the stream sends no e-mail
// and counts nothing for them (docs/architecture.md, "Copying a CRM").
// Pending reminders are armed on a DynamoDB target when a Scheduler is
// given, and left to the hourly sweep otherwise; `embudo serve` arms them
// on an SQLite target when it starts. A verification pass reads the target
// back and compares counts and a checksum of every kind of value with the
// source's.
//
// Like cmd/embudo, it is wiring: it may import both adapters and
// internal/blob; nothing imports it but the command.
package transfer
