package edithttp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/features"
	"github.com/bandomap/bando/features/caseimport"
	"github.com/bandomap/bando/features/edit"
	"github.com/bandomap/bando/internal/httpx"
)

// fieldError is one member of a 422 problem's errors list.
type fieldError struct {
	Field    string      `json:"field"`
	Reason   string      `json:"reason"`
	ReasonVI string      `json:"reason_vi"`
	At       *[2]float64 `json:"at,omitempty"`
}

// lineError is one problem of an uploaded case file.
type lineError struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	// ReasonVI is Reason in Vietnamese, when the file's parser gives it.
	ReasonVI string `json:"reason_vi,omitempty"`
}

// problem turns the service's errors into their HTTP answers: 412 for a
// stale change (with the current ETag and feature), 422 for invalid
// records and files (every field and reason, in English and Vietnamese),
// 403, 404, 405 and 409 for refusals, with the reason in both languages.
// Anything else goes on to the server's error rules.
func problem(err error) error {
	var (
		conflict *edit.Conflict
		invalid  *features.ValidationError
		file     *caseimport.Error
		refusal  *edit.Refusal
	)
	switch {
	case errors.As(err, &conflict):
		cur := conflict.Current
		p := httpx.Problem(http.StatusPreconditionFailed,
			fmt.Sprintf("%s %q was changed by someone else: revision %d is stored; your change was not written. Redo it on the current feature (in member current) with If-Match: %s",
				cur.Collection, cur.ID, cur.Revision, ETag(cur.Revision)),
			httpx.WithMember("detail_vi", fmt.Sprintf("đối tượng đã được người khác sửa (phiên bản %d); thay đổi của bạn chưa được lưu. Hãy sửa lại trên bản hiện tại", cur.Revision)),
			httpx.WithMember("current", encode(cur)), httpx.WithCause(err))
		p.Header = http.Header{"Etag": {ETag(cur.Revision)}}
		return p
	case errors.As(err, &invalid):
		return unprocessable(invalid)
	case errors.As(err, &file):
		return badFile(file)
	case errors.As(err, &refusal):
		return httpx.Problem(refusalStatus(refusal.Err), refusal.Reason,
			httpx.WithMember("detail_vi", refusal.ReasonVI), httpx.WithCause(err))
	case errors.Is(err, features.ErrNotFound):
		return httpx.Problem(http.StatusNotFound, "no such feature",
			httpx.WithMember("detail_vi", "không tìm thấy đối tượng"), httpx.WithCause(err))
	case errors.Is(err, features.ErrUnknownCollection):
		return httpx.Problem(http.StatusNotFound, err.Error(), httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, "not allowed", httpx.WithMember("detail_vi", "không được phép"), httpx.WithCause(err))
	}
	return err
}

func refusalStatus(kind error) int {
	switch {
	case errors.Is(kind, auth.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(kind, auth.ErrUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(kind, edit.ErrLifecycle), errors.Is(kind, edit.ErrExists):
		return http.StatusConflict
	case errors.Is(kind, edit.ErrNotEditable):
		return http.StatusMethodNotAllowed
	case errors.Is(kind, features.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

func unprocessable(v *features.ValidationError) error {
	errs := make([]fieldError, len(v.Problems))
	en, vi := make([]string, len(v.Problems)), make([]string, len(v.Problems))
	for i, p := range v.Problems {
		errs[i] = fieldError{Field: p.Field, Reason: p.Reason, ReasonVI: p.ReasonVI}
		if p.At != nil {
			errs[i].At = &[2]float64{p.At[0], p.At[1]}
		}
		en[i], vi[i] = p.Field+": "+p.Reason, p.Field+": "+p.ReasonVI
	}
	return httpx.Problem(http.StatusUnprocessableEntity, "the feature is not valid: "+strings.Join(en, "; "),
		httpx.WithMember("detail_vi", "đối tượng không hợp lệ: "+strings.Join(vi, "; ")),
		httpx.WithMember("errors", errs), httpx.WithCause(v))
}

func badFile(f *caseimport.Error) error {
	errs := make([]lineError, len(f.Rows))
	for i, r := range f.Rows {
		errs[i] = lineError{Line: r.Line, Field: r.Column, Reason: r.Reason, ReasonVI: r.ReasonVI}
	}
	total := len(f.Rows) + f.Omitted
	return httpx.Problem(http.StatusUnprocessableEntity,
		fmt.Sprintf("the file has %d problem(s); nothing was imported. Fix the lines listed in errors and upload it again", total),
		httpx.WithMember("detail_vi", fmt.Sprintf("tệp có %d lỗi; chưa nhập dữ liệu nào. Hãy sửa các dòng được liệt kê rồi tải lên lại", total)),
		httpx.WithMember("errors", errs), httpx.WithMember("omitted", f.Omitted), httpx.WithCause(f))
}
