// Package requestid gives every HTTP request an id: the client's
// X-Request-Id when it is sane (1 to 64 of A-Z a-z 0-9 - _), else a fresh
// random one. The id is echoed in the answer, carried on the request's
// context, and added to every log record written with that context
// (Handler), so that one request's lines can be found together.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Header is the request and answer header of the id.
const Header = echo.HeaderXRequestID

// MaxLen is the longest id accepted from a client.
const MaxLen = 64

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id With put on ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Sane tells whether a client's id may be kept: 1 to MaxLen characters of
// A-Z, a-z, 0-9, '-' and '_', so that it cannot forge log lines or grow
// without bound.
func Sane(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// New returns a fresh random id (32 hex digits).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // NOTE: crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Config configures Middleware.
type Config struct {
	Skipper middleware.Skipper
	// AccessLog, when set, receives one record per request: method, route
	// pattern (never the path, which may hold a QR token), status, bytes
	// sent and time taken.
	AccessLog *slog.Logger
}

// Middleware sets the request's id (Sane incoming one or New), on the
// request's header and context and on the answer's header.
func Middleware() echo.MiddlewareFunc { return MiddlewareWithConfig(Config{}) }

// MiddlewareWithConfig is Middleware with a configuration.
func MiddlewareWithConfig(cfg Config) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			req := c.Request()
			id := req.Header.Get(Header)
			if !Sane(id) {
				id = New()
			}
			req.Header.Set(Header, id)
			c.SetRequest(req.WithContext(With(req.Context(), id)))
			c.Response().Header().Set(Header, id)
			if cfg.AccessLog == nil {
				return next(c)
			}
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			cfg.AccessLog.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", req.Method), slog.String("route", c.Path()),
				slog.Int("status", c.Response().Status), slog.Int64("bytes", c.Response().Size),
				slog.Duration("took", time.Since(start)))
			return nil
		}
	}
}

// Handler wraps a slog.Handler: a record written with a context that
// carries a request id gets a request_id attribute, unless it has one.
type Handler struct{ slog.Handler }

var _ slog.Handler = Handler{}

// NewHandler wraps h.
func NewHandler(h slog.Handler) Handler { return Handler{h} }

// Handle implements slog.Handler.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" && !hasRequestID(r) {
		r = r.Clone()
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h Handler) WithAttrs(as []slog.Attr) slog.Handler { return Handler{h.Handler.WithAttrs(as)} }

// WithGroup implements slog.Handler.
func (h Handler) WithGroup(name string) slog.Handler { return Handler{h.Handler.WithGroup(name)} }

func hasRequestID(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == "request_id"
		return !found
	})
	return found
}
