package httpx

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Limit is what one request may take: the size of its body and, where
// the server's own timeouts are too short for it (a large import or
// export), how long reading the body and writing the answer may last.
type Limit struct {
	// BodyBytes caps the request body; zero or less leaves it uncapped.
	BodyBytes int64
	// ReadTimeout, when positive, replaces the server's read deadline
	// from the moment the request's headers are read.
	ReadTimeout time.Duration
	// WriteTimeout, when positive, replaces the server's write deadline
	// from the same moment.
	WriteTimeout time.Duration
}

// LimitsConfig configures Limits.
type LimitsConfig struct {
	// Of is the limit of a request, by its route family.
	Of func(c echo.Context) Limit
}

// Limits applies each request's Limit: a body larger than BodyBytes is a
// 413 saying the limit (at once when Content-Length tells, else when the
// handler reads past it, as an *http.MaxBytesError the error handler
// answers), and the deadlines of the connection are moved for routes
// that stream.
func Limits(cfg LimitsConfig) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			l := cfg.Of(c)
			req := c.Request()
			if l.BodyBytes > 0 {
				if req.ContentLength > l.BodyBytes {
					// NOTE: the body is not read; the server closes the
					// connection rather than drain it.
					return TooLarge(l.BodyBytes)
				}
				body := &cutBody{ReadCloser: http.MaxBytesReader(c.Response(), req.Body, l.BodyBytes)}
				req.Body = body
				defer func() { err = body.answer(err, l.BodyBytes) }()
			}
			// NOTE: a writer that cannot set deadlines (a recorder in a
			// test) keeps the server's; the error is not the client's.
			rc := http.NewResponseController(c.Response().Writer)
			if l.ReadTimeout > 0 {
				_ = rc.SetReadDeadline(time.Now().Add(l.ReadTimeout))
			}
			if l.WriteTimeout > 0 {
				_ = rc.SetWriteDeadline(time.Now().Add(l.WriteTimeout))
			}
			return next(c)
		}
	}
}

// cutBody remembers whether the handler read past the limit.
type cutBody struct {
	io.ReadCloser
	cut bool
}

func (b *cutBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.cut = true
	}
	return n, err
}

// answer is the handler's error, or the 413 when the body was cut: the
// handler may have reported the cut as a malformed body.
func (b *cutBody) answer(err error, limit int64) error {
	if err == nil || !b.cut {
		return err
	}
	var pe *ProblemError
	if errors.As(err, &pe) && pe.Status == http.StatusRequestEntityTooLarge {
		return err
	}
	return TooLarge(limit)
}

// TooLarge is the 413 of a body over limit bytes.
func TooLarge(limit int64) *ProblemError {
	return Problem(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("the request body is larger than %s, the most this route takes", byteSize(limit)))
}

// byteSize writes n in the largest whole unit.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
