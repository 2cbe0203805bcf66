package httpx

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// errNULInBody is what a body's reader returns at a JSON \u0000 escape.
var errNULInBody = errors.New("the body holds a NUL character (\\u0000)")

// RefuseNUL answers 400 to a request whose JSON body holds a string with
// a NUL character (the escape \u0000): no field takes one, PostgreSQL's
// text cannot store one (it was a 500 on PostGIS and a stored NUL on the
// embedded store), and no log or audit entry should carry one. The body
// is scanned as the handler reads it, so nothing is buffered; CSV and
// multipart bodies are left alone (a literal "\u0000" there is text).
func RefuseNUL() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.Body == nil || req.Body == http.NoBody || !scannedMedia(req.Header.Get(echo.HeaderContentType)) {
				return next(c)
			}
			body := &nulScanner{ReadCloser: req.Body}
			req.Body = body
			err := next(c)
			if body.found && err != nil && !c.Response().Committed {
				return BadRequest("a text in the body holds a NUL character (\\u0000), which no field accepts")
			}
			return err
		}
	}
}

// scannedMedia reports whether a body of this content type is scanned:
// every type but CSV, plain text files and multipart forms.
func scannedMedia(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true
	}
	return media != "text/csv" && !strings.HasPrefix(media, "multipart/")
}

// nulScanner reads a body and stops at a \u0000 escape outside an escaped
// backslash: esc is 0 outside an escape, 1 after an unpaired backslash,
// 2 to 5 after "\u", "\u0", "\u00" and "\u000".
type nulScanner struct {
	io.ReadCloser
	esc   int
	found bool
}

func (s *nulScanner) Read(p []byte) (int, error) {
	if s.found {
		return 0, errNULInBody
	}
	n, err := s.ReadCloser.Read(p)
	for _, b := range p[:n] {
		switch {
		case s.esc == 0:
			if b == '\\' {
				s.esc = 1
			}
		case s.esc == 1:
			s.esc = 0
			if b == 'u' {
				s.esc = 2
			}
		case b != '0':
			s.esc = 0
			if b == '\\' {
				s.esc = 1
			}
		case s.esc < 5:
			s.esc++
		default:
			s.found = true
			return 0, errNULInBody
		}
	}
	return n, err
}
