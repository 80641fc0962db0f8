package awsenv

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The functions log JSON lines to stderr, which Lambda sends to the
// function's log group as they are. Lambda adds nothing to the lines of a
// provided runtime, so the functions add the request IDs themselves: every
// line written while an invocation runs carries the Lambda request ID
// ("requestId", the key of Lambda's own JSON lines and of the API access
// logs' functionRequestId) and, for an API Gateway event, API Gateway's
// request ID ("apiRequestId", the access logs' requestId).

// requestIDs are the IDs of the invocation being handled.
type requestIDs struct {
	lambda, api string
}

// current is the invocation being handled: a Lambda execution environment
// runs one at a time. It names the lines of code that log without the
// invocation's context.
var current atomic.Pointer[requestIDs]

type requestIDsKey struct{}

// Invoke wraps a Lambda handler so that the log lines written while it runs
// carry the invocation's request IDs. Each function passes its handler
// through it: lambda.Start(awsenv.Invoke(handler)).
func Invoke[In, Out any](h func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		ids := &requestIDs{}
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			ids.lambda = lc.AwsRequestID
		}
		if r, ok := any(in).(events.APIGatewayV2HTTPRequest); ok {
			ids.api = r.RequestContext.RequestID
		}
		current.Store(ids)
		defer current.CompareAndSwap(ids, nil)
		return h(context.WithValue(ctx, requestIDsKey{}, ids), in)
	}
}

// requestIDHandler adds the request IDs to every record: those of the
// record's context, else those of the invocation being handled.
type requestIDHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	var ids *requestIDs
	if ctx != nil {
		ids, _ = ctx.Value(requestIDsKey{}).(*requestIDs)
	}
	if ids == nil {
		ids = current.Load()
	}
	if ids != nil {
		if ids.lambda != "" {
			r.AddAttrs(slog.String("requestId", ids.lambda))
		}
		if ids.api != "" {
			r.AddAttrs(slog.String("apiRequestId", ids.api))
		}
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler. The request IDs of a grouped logger's
// lines are in the group.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// Logger returns the functions' logger, at level, and makes it slog's
// default: JSON lines on stderr, which Lambda sends to the function's log
// group as they are, with the request IDs of the invocation (see Invoke).
func Logger(level slog.Level) *slog.Logger {
	log := newLogger(os.Stderr, level)
	slog.SetDefault(log)
	return log
}

// newLogger returns the functions' logger: JSON lines on w at level, with
// Lambda's key names (timestamp, level, message) and the request IDs.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 {
				switch a.Key {
				case slog.TimeKey:
					a.Key = "timestamp"
				case slog.MessageKey:
					a.Key = "message"
				}
			}
			return a
		},
	})})
}
