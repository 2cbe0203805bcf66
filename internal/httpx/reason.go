package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// ReasonHeader carries an official's reason for reading personal data
// (a case number, an outbreak, a person's request): percent-encoded UTF-8,
// since a header holds ASCII only ("Ca%20b%E1%BB%87nh%20BD-1" is "Ca bệnh
// BD-1"); plain ASCII passes as it is. Every route that reads it decodes it
// with Reason.
const ReasonHeader = "X-Bando-Reason"

// MaxReasonLength bounds a reason, in characters: tracing.MaxReasonLength,
// the rule of every audited read (httpx imports no domain package).
const MaxReasonLength = 500

// maxReasonBytes bounds the header before it is decoded: each character of
// the longest reason percent-encoded (4 bytes of UTF-8, 3 characters each).
const maxReasonBytes = MaxReasonLength * 12

// Reason returns the reason a request gives for reading personal data,
// trimmed: the query parameter reason= when query is true and it is given,
// else ReasonHeader percent-decoded; "" when neither is given, which each
// route answers its own way (a required reason, or personal fields
// withheld). A reason that is not percent-encoded UTF-8, holds a control
// character (a line break would forge lines of a log or an export), is
// given twice or is longer than MaxReasonLength is a 400 with the reason in
// English and Vietnamese. The shortest reason a read accepts is the route's
// rule (tracing.CheckReason).
func Reason(c echo.Context, query bool) (string, error) {
	req := c.Request()
	if query {
		vs := c.QueryParams()["reason"]
		if len(vs) > 1 {
			return "", reasonProblem("reason", "give reason= once", "chỉ nêu lý do (reason=) một lần")
		}
		if len(vs) == 1 && strings.TrimSpace(vs[0]) != "" {
			return checkReasonText("reason", vs[0])
		}
	}
	vs := req.Header.Values(ReasonHeader)
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", reasonProblem(ReasonHeader, "give the "+ReasonHeader+" header once", "chỉ gửi tiêu đề "+ReasonHeader+" một lần")
	case len(vs[0]) > maxReasonBytes:
		return "", tooLongReason(ReasonHeader)
	}
	decoded, err := url.PathUnescape(vs[0])
	if err != nil {
		return "", reasonProblem(ReasonHeader, ReasonHeader+": not percent-encoded UTF-8 text (write each byte that is not ASCII as %XX)",
			ReasonHeader+": không phải văn bản UTF-8 mã hoá phần trăm (viết mỗi byte không phải ASCII dạng %XX)")
	}
	return checkReasonText(ReasonHeader, decoded)
}

// checkReasonText checks a decoded reason from name and trims it.
func checkReasonText(name, s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", reasonProblem(name, name+": not percent-encoded UTF-8 text (the bytes are not UTF-8)",
			name+": không phải văn bản UTF-8 (các byte không phải UTF-8)")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
		return "", reasonProblem(name, name+": a reason is one line of text, without control characters (line breaks, tabs, NUL)",
			name+": lý do là một dòng văn bản, không chứa ký tự điều khiển (xuống dòng, tab, NUL)")
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxReasonLength {
		return "", tooLongReason(name)
	}
	return s, nil
}

func tooLongReason(name string) error {
	return reasonProblem(name, fmt.Sprintf("%s: a reason of at most %d characters", name, MaxReasonLength),
		fmt.Sprintf("%s: lý do tối đa %d ký tự", name, MaxReasonLength))
}

// reasonProblem is a 400 about the reason, in English and Vietnamese.
func reasonProblem(name, en, vi string) error {
	return Problem(http.StatusBadRequest, en, WithFieldErrors(FieldError{Pointer: name, Detail: en}), WithMember("detail_vi", vi))
}
