package httpx

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// qvalue is RFC 9110's weight: 0 to 1 with at most three decimals.
var qvalue = regexp.MustCompile(`^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$`)

// AcceptsGzip tells whether an Accept-Encoding header (RFC 9110, 12.5.3)
// takes gzip: a gzip (or x-gzip) entry decides by its weight, q=0 meaning
// "not acceptable"; without one, a * entry decides the same way; without
// either, gzip is not acceptable. Codings are case-insensitive; an entry
// with a malformed weight is ignored; identity and other codings say
// nothing about gzip. An absent or empty header gets no gzip: RFC 9110
// allows any coding then, but a client that names none is safest served
// as is.
func AcceptsGzip(header string) bool {
	return Accepts(header, "gzip", "x-gzip")
}

// AcceptsBrotli tells whether an Accept-Encoding header takes br, by the
// same rules as AcceptsGzip.
func AcceptsBrotli(header string) bool {
	return Accepts(header, "br")
}

// Accepts tells whether an Accept-Encoding header takes a content coding
// known by any of names (lower case), by the rules AcceptsGzip describes.
func Accepts(header string, names ...string) bool {
	gz, star := -1.0, -1.0 // -1: not listed
	for _, entry := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(entry, ";")
		q, ok := weight(params)
		if !ok {
			continue
		}
		switch c := strings.ToLower(strings.TrimSpace(coding)); {
		case slices.Contains(names, c):
			gz = max(gz, q)
		case c == "*":
			star = max(star, q)
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// weight reads the q parameter of an Accept-Encoding entry: 1 when absent,
// ok false when malformed.
func weight(params string) (q float64, ok bool) {
	if strings.TrimSpace(params) == "" {
		return 1, true
	}
	name, value, _ := strings.Cut(params, "=")
	value = strings.TrimSpace(value)
	if !strings.EqualFold(strings.TrimSpace(name), "q") || !qvalue.MatchString(value) {
		return 0, false
	}
	// The grammar leaves only values ParseNumber reads.
	q, _ = ParseNumber(value)
	return q, true
}

// GzipConfig configures the gzip middleware.
type GzipConfig struct {
	// Skipper skips routes that compress their own bodies (tiles, assets).
	Skipper middleware.Skipper
	// Level is the compression level; 0 or an invalid level means
	// gzip.DefaultCompression.
	Level int
}

// Gzip compresses answers for clients that accept gzip.
func Gzip() echo.MiddlewareFunc { return GzipWithConfig(GzipConfig{}) }

// GzipWithConfig compresses an answer when AcceptsGzip says the client
// takes it, the status has a body and the handler did not encode the body
// itself. Every answer it sees gets Vary: Accept-Encoding. A strong ETag of
// a compressed answer is made weak: the bytes sent are not the ones it
// names.
func GzipWithConfig(cfg GzipConfig) echo.MiddlewareFunc {
	if cfg.Skipper == nil {
		cfg.Skipper = middleware.DefaultSkipper
	}
	if _, err := gzip.NewWriterLevel(io.Discard, cfg.Level); err != nil || cfg.Level == 0 {
		cfg.Level = gzip.DefaultCompression
	}
	pool := &sync.Pool{New: func() any {
		zw, _ := gzip.NewWriterLevel(io.Discard, cfg.Level) // the level is checked above
		return zw
	}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			res := c.Response()
			AddVary(res.Header(), echo.HeaderAcceptEncoding)
			if !AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
				return next(c)
			}
			gw := &gzipWriter{ResponseWriter: res.Writer, pool: pool}
			res.Writer = gw
			defer func() {
				gw.finish()
				res.Writer = gw.ResponseWriter
			}()
			return next(c)
		}
	}
}

// AddVary adds name to the Vary header unless it is there already.
func AddVary(h http.Header, name string) {
	for _, v := range h.Values(echo.HeaderVary) {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add(echo.HeaderVary, name)
}

// gzipWriter holds back the status of a compressible answer until its first
// byte, so that an answer without a body goes out without a gzip encoding.
type gzipWriter struct {
	http.ResponseWriter
	pool    *sync.Pool
	zw      *gzip.Writer
	pending int // status held back; 0 when none
	decided bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if w.decided {
		return
	}
	w.decided = true
	if compressible(code, w.Header()) {
		w.pending = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.pending != 0 {
		w.start()
	}
	if w.zw != nil {
		return w.zw.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// start sends the held-back status with the gzip headers.
func (w *gzipWriter) start() {
	h := w.Header()
	h.Set(echo.HeaderContentEncoding, "gzip")
	h.Del(echo.HeaderContentLength)
	if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		h.Set("ETag", "W/"+etag)
	}
	w.ResponseWriter.WriteHeader(w.pending)
	w.pending = 0
	w.zw = w.pool.Get().(*gzip.Writer)
	w.zw.Reset(w.ResponseWriter)
}

// Flush sends what is compressed so far (and the status, if held back).
func (w *gzipWriter) Flush() {
	if w.pending != 0 {
		w.start()
	}
	if w.zw != nil {
		_ = w.zw.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish ends the answer: the held-back status of an empty body goes out
// as is, and a started gzip stream is closed.
func (w *gzipWriter) finish() {
	if w.pending != 0 {
		w.ResponseWriter.WriteHeader(w.pending)
		w.pending = 0
	}
	if w.zw != nil {
		_ = w.zw.Close()
		w.pool.Put(w.zw)
		w.zw = nil
	}
}

// compressible tells whether an answer with this status and these headers
// may be compressed: it has a body and nobody encoded it yet.
func compressible(code int, h http.Header) bool {
	switch {
	case code < 200, code == http.StatusNoContent, code == http.StatusPartialContent, code == http.StatusNotModified:
		return false
	}
	return h.Get(echo.HeaderContentEncoding) == "" && h.Get("Content-Range") == ""
}
