package tracinghttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/labstack/echo/v4"
)

// Body limits.
const (
	// maxBody caps a single object's JSON.
	maxBody = 64 << 10
	// maxBatchBody caps a batch of up to MaxBatch check-ins.
	maxBatchBody = 8 << 20
	// MaxBatch is the most check-ins one request records.
	MaxBatch = 10_000
)

// decode reads a JSON body of at most limit bytes strictly: unknown members
// are refused.
func decode(c echo.Context, limit int64, into any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return httpx.Problem(http.StatusBadRequest, "the body is empty; send a JSON object",
				httpx.WithMember("detail_vi", "nội dung gửi lên trống"))
		case errors.As(err, &tooBig):
			return httpx.Problem(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit))
		}
		return httpx.Problem(http.StatusBadRequest, "the body is not the JSON object this route reads: "+err.Error(),
			httpx.WithMember("detail_vi", "nội dung gửi lên không phải JSON hợp lệ"))
	}
	return nil
}

// problem turns tracing's and auth's errors into answers; anything else
// is returned as is (a 500 unless the server's rules know it).
func problem(err error) error {
	var row *tracing.RowError
	var field *tracing.FieldError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &row):
		return rowProblem(row, err)
	case errors.As(err, &field):
		return httpx.Problem(http.StatusUnprocessableEntity, field.Field+": "+field.Reason,
			httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/" + field.Field, Detail: field.Reason}),
			httpx.WithMember("field", field.Field), httpx.WithMember("detail_vi", viField(field.Field)), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrInvalid):
		return httpx.Problem(http.StatusUnprocessableEntity, strings.TrimPrefix(err.Error(), "tracing: "), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrBadToken):
		return httpx.Problem(http.StatusNotFound, "this QR code is not valid",
			httpx.WithMember("detail_vi", "mã QR này không hợp lệ"), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrTokenRevoked):
		return httpx.Problem(http.StatusGone, "this QR code was withdrawn by the venue",
			httpx.WithMember("detail_vi", "mã QR này đã bị địa điểm thu hồi"), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrVenueRevoked):
		return httpx.Problem(http.StatusGone, "the venue was withdrawn (revoked); it takes no check-ins or changes",
			httpx.WithMember("detail_vi", "địa điểm đã bị thu hồi"), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrNoOpenVisit):
		return httpx.Problem(http.StatusConflict, "there is no check-in here to check out of (none, already checked out, or more than a day ago)",
			httpx.WithMember("detail_vi", "không có lượt check-in nào đang mở tại đây để check-out"), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrNotFound):
		return httpx.Problem(http.StatusNotFound, "no such venue", httpx.WithMember("detail_vi", "không tìm thấy địa điểm"), httpx.WithCause(err))
	case errors.Is(err, auth.ErrUnauthenticated):
		return httpx.Problem(http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer TOKEN", httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, strings.TrimPrefix(err.Error(), "tracing: "),
			httpx.WithMember("detail_vi", "không được phép"), httpx.WithCause(err))
	}
	return err
}

// viField is the Vietnamese detail of a field error a person can fix.
func viField(field string) string {
	switch field {
	case "identity", "phone", "id_number":
		return "hãy nhập số điện thoại Việt Nam hoặc số CMND/CCCD (9 hoặc 12 chữ số)"
	case "pass":
		return "mã QR cá nhân không hợp lệ hoặc đã hết hạn; hãy tạo mã mới"
	case "symptoms", "travel", "declaration":
		return "tờ khai y tế không hợp lệ"
	}
	return "trường " + field + " không hợp lệ"
}

// rowProblem answers a batch's bad row: 422 naming the row and the field
// (a venue that is unknown, not the principal's or revoked is the row's
// venue field), else the row's own status with the row in the detail.
func rowProblem(row *tracing.RowError, err error) error {
	f, reason := "", ""
	var field *tracing.FieldError
	switch {
	case errors.As(row.Err, &field):
		f, reason = field.Field, field.Reason
	case errors.Is(row.Err, tracing.ErrNotFound):
		f, reason = "venue", "no such venue"
	case errors.Is(row.Err, tracing.ErrVenueRevoked):
		f, reason = "venue", "the venue was revoked"
	default:
		p, ok := problem(row.Err).(*httpx.ProblemError)
		if !ok {
			return err
		}
		return httpx.Problem(p.Status, fmt.Sprintf("row %d: %s; nothing was recorded", row.Row, p.Detail),
			httpx.WithMember("row", row.Row), httpx.WithCause(err))
	}
	return httpx.Problem(http.StatusUnprocessableEntity, fmt.Sprintf("row %d: %s: %s; nothing was recorded", row.Row, f, reason),
		httpx.WithFieldErrors(httpx.FieldError{Pointer: "#/checkins/" + strconv.Itoa(row.Row) + "/" + f, Detail: reason}),
		httpx.WithMember("row", row.Row), httpx.WithMember("field", f),
		httpx.WithMember("detail_vi", fmt.Sprintf("dòng %d: trường %s không hợp lệ; chưa ghi nhận dòng nào", row.Row, f)),
		httpx.WithCause(err))
}

// errForbidden is an auth.ErrForbidden saying why.
func errForbidden(why string) error { return fmt.Errorf("tracing: %s: %w", why, auth.ErrForbidden) }
