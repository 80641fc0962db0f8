package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/embudo/embudo/infra"
	"github.com/embudo/embudo/internal/dynamo"
)

// tableDefinition reads the table from the SAM template so that a table
// created on a DynamoDB endpoint is the deployed one; without a template (a
// binary run elsewhere) it uses the store's own schema, which a test keeps
// equal to the template.
func tableDefinition(c Config, log *slog.Logger) (*dynamodb.CreateTableInput, error) {
	if _, err := os.Stat(c.Template); err == nil {
		return infra.TableFromTemplate(c.Template, c.Table)
	}
	log.Info("no template found; using the built-in table definition", "template", c.Template)
	return dynamo.Schema(c.Table), nil
}

// remoteTable connects to DynamoDB Local ("http://...") or AWS ("aws") and
// creates the table there if it does not exist.
func remoteTable(ctx context.Context, endpoint string, def *dynamodb.CreateTableInput) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "eu-west-1"
	}
	cl := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if endpoint != "aws" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	_, err = cl.CreateTable(ctx, def)
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) && !strings.Contains(err.Error(), "already exists") {
		return nil, fmt.Errorf("create table: %w", err)
	}
	return cl, nil
}
