package bulletin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bandomap/bando/internal/httpx"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"
)

// maxAnswers bounds how many distinct answers (days, ranges, formats) are
// kept per data version.
const maxAnswers = 1024

// staleWarning is what an answer served from an older data version says,
// because the store could not be read to compute a fresh one (RFC 9111's
// warn-code 110, still read by caches and clients that show it).
const staleWarning = `110 - "Response is Stale"`

// answer is a bulletin response as sent: computed once per data version.
type answer struct {
	body        []byte
	gzipped     []byte // body compressed with gzip, sent to clients that take it
	contentType string
	disposition string
	version     string
	at          time.Time // when it was computed
}

// memo keeps the bulletin's answers and the cases they are drawn from per
// data version, so that /api/stats answers from memory until the data
// changes. After a change, the answer is computed again once (concurrent
// requests wait for the one computation); when that fails because the
// store cannot be read, the previous answer is served, marked stale.
type memo struct {
	version func() string // nil: no memo

	mu      sync.Mutex
	answers map[string]*answer
	cases   *casesAt

	flight singleflight.Group
}

// casesAt is every case, read at one data version.
type casesAt struct {
	version string
	rows    []caseRow
}

// requestKey names an answer by the request as written (route and raw
// query) and the day it is asked on, which picks the default date: a
// request answered before at this data version is answered again without
// parsing it. Only valid requests are ever answered, so only they are kept.
func requestKey(buf []byte, c echo.Context, today time.Time) []byte {
	y, m, d := today.Date()
	buf = append(buf, c.Path()...)
	buf = append(buf, '?')
	buf = append(buf, c.Request().URL.RawQuery...)
	buf = append(buf, '|')
	return strconv.AppendInt(buf, int64(y*10000+int(m)*100+d), 10)
}

// lookup returns the answer kept under key for the current data version,
// or nil. It allocates nothing.
func (m *memo) lookup(key []byte) *answer {
	if m.version == nil {
		return nil
	}
	version := m.version()
	m.mu.Lock()
	a := m.answers[string(key)]
	m.mu.Unlock()
	if a == nil || version == "" || a.version != version {
		return nil
	}
	return a
}

// serve answers from the memo, computing the answer when the data version
// moved; a computation that fails for another reason than the request
// serves the previous answer, marked stale, when there is one.
func (m *memo) serve(c echo.Context, key string, compute func(context.Context) (answer, error)) error {
	if m.version == nil {
		a, err := compute(c.Request().Context())
		if err != nil {
			return err
		}
		return a.write(c, time.Time{})
	}
	version := m.version()
	m.mu.Lock()
	prev := m.answers[key]
	m.mu.Unlock()
	if prev != nil && prev.version == version && version != "" {
		return prev.write(c, time.Time{})
	}
	v, err, _ := m.flight.Do(key+"\x00"+version, func() (any, error) {
		a, err := compute(c.Request().Context())
		if err != nil {
			return nil, err
		}
		a.version, a.at = version, time.Now()
		m.keep(key, &a)
		return &a, nil
	})
	if err != nil {
		var problem *httpx.ProblemError
		if prev == nil || errors.As(err, &problem) {
			return err
		}
		return prev.write(c, prev.at) // NOTE: the store is away; the last answer is better than none.
	}
	return v.(*answer).write(c, time.Time{})
}

// keep stores a under key, dropping answers of older versions when the memo
// is full, and everything when that is not enough.
func (m *memo) keep(key string, a *answer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.answers == nil {
		m.answers = map[string]*answer{}
	}
	if len(m.answers) >= maxAnswers {
		for k, old := range m.answers {
			if old.version != a.version {
				delete(m.answers, k)
			}
		}
		if len(m.answers) >= maxAnswers {
			clear(m.answers)
		}
	}
	m.answers[key] = a
}

// casesOf returns every case, read once per data version.
func (m *memo) casesOf(ctx context.Context, src source) ([]caseRow, error) {
	if m.version == nil {
		return src.cases(ctx)
	}
	version := m.version()
	m.mu.Lock()
	held := m.cases
	m.mu.Unlock()
	if held != nil && held.version == version && version != "" {
		return held.rows, nil
	}
	v, err, _ := m.flight.Do("cases\x00"+version, func() (any, error) {
		rows, err := src.cases(ctx)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.cases = &casesAt{version: version, rows: rows}
		m.mu.Unlock()
		return rows, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]caseRow), nil
}

// write sends the answer; a stale one (computed at stale, not zero) says so
// with Warning and Age.
func (a *answer) write(c echo.Context, stale time.Time) error {
	hd := c.Response().Header()
	if a.disposition != "" {
		hd.Set(echo.HeaderContentDisposition, a.disposition)
	}
	if !stale.IsZero() {
		hd.Set("Warning", staleWarning)
		hd.Set("Age", strconv.Itoa(int(time.Since(stale).Seconds())))
	}
	body := a.body
	httpx.AddVary(hd, echo.HeaderAcceptEncoding)
	if a.gzipped != nil && httpx.AcceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
		hd.Set(echo.HeaderContentEncoding, "gzip")
		body = a.gzipped
	}
	hd.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	if c.Request().Method == http.MethodHead {
		hd.Set(echo.HeaderContentType, a.contentType)
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, a.contentType, body)
}
