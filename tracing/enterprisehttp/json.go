package enterprisehttp

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bandomap/bando/auth"
	"github.com/bandomap/bando/internal/httpx"
	"github.com/bandomap/bando/tracing"
	"github.com/paulmach/orb"
)

// rosterJSON is the answer of GET …/workers.
type rosterJSON struct {
	Enterprise string `json:"enterprise"`
	Day        string `json:"day"`
	// Total counts the workers of the day; Workers is one page of them, by
	// employee id; Next is the query of the next page, empty on the last.
	Total   int          `json:"total"`
	Workers []workerJSON `json:"workers"`
	Next    string       `json:"next,omitempty"`
}

// historyJSON is the answer of GET …/workers/{employee}.
type historyJSON struct {
	Enterprise string       `json:"enterprise"`
	Employee   string       `json:"employee_id"`
	Periods    []workerJSON `json:"periods"`
}

type enterprisesJSON struct {
	Enterprises []enterpriseJSON `json:"enterprises"`
}

type enterpriseJSON struct {
	ID         string    `json:"id"`
	Workers    int       `json:"workers"`
	LastAsOf   string    `json:"last_as_of"`
	LastImport time.Time `json:"last_import"`
}

// workerJSON is one period of a worker, with what the enterprise gave
// about them.
type workerJSON struct {
	Employee  string        `json:"employee_id"`
	Name      string        `json:"name"`
	Phone     string        `json:"phone,omitempty"`
	IDNumber  string        `json:"id_number,omitempty"`
	Person    string        `json:"person"`
	Residence residenceJSON `json:"residence"`
	Workplace workplaceJSON `json:"workplace"`
	BusRoute  string        `json:"bus_route"`
	ValidFrom string        `json:"valid_from"`
	ValidTo   *string       `json:"valid_to"`
}

type residenceJSON struct {
	Address       string   `json:"address"`
	BoardingHouse string   `json:"boarding_house"`
	Room          string   `json:"room"`
	Ward          string   `json:"ward"`
	Lon           *float64 `json:"lon"`
	Lat           *float64 `json:"lat"`
}

type workplaceJSON struct {
	Site  string `json:"site"`
	Line  string `json:"line"`
	Shift string `json:"shift"`
}

func encodeWorker(e tracing.RosterEntry) workerJSON {
	w, r := e.Worker, e.Residence
	out := workerJSON{
		Employee: w.Employee, Name: e.Private.Name, Phone: e.Private.Phone, IDNumber: e.Private.IDNumber,
		Person:    w.Person.String(),
		Residence: residenceJSON{Address: r.Address, BoardingHouse: r.BoardingHouse, Room: r.Room, Ward: r.Ward},
		Workplace: workplaceJSON{Site: w.Workplace.Site, Line: w.Workplace.Line, Shift: w.Workplace.Shift},
		BusRoute:  w.BusRoute, ValidFrom: day(e.ValidFrom),
	}
	if r.Location != (orb.Point{}) {
		lon, lat := r.Location.Lon(), r.Location.Lat()
		out.Residence.Lon, out.Residence.Lat = &lon, &lat
	}
	if !e.Open() {
		to := day(e.ValidTo)
		out.ValidTo = &to
	}
	return out
}

// problem turns the store's and parser's errors into their answers.
func problem(err error) error {
	var (
		file  *tracing.RosterFileError
		field *tracing.FieldError
	)
	switch {
	case errors.As(err, &file):
		return badFile(file)
	case errors.As(err, &field):
		return httpx.Problem(http.StatusUnprocessableEntity, field.Field+": "+field.Reason,
			httpx.WithFieldErrors(httpx.FieldError{Pointer: field.Field, Detail: field.Reason}), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrStaleRoster):
		return httpx.Problem(http.StatusConflict, "a roster as of a day before the latest import cannot be imported: history is not rewritten; import the days in order",
			httpx.WithMember("detail_vi", "không nhập được danh sách của ngày trước lần nhập gần nhất"), httpx.WithCause(err))
	case errors.Is(err, tracing.ErrNotFound):
		return httpx.Problem(http.StatusNotFound, "no such worker on this roster",
			httpx.WithMember("detail_vi", "không có người lao động này trong danh sách"), httpx.WithCause(err))
	case errors.Is(err, auth.ErrUnauthenticated):
		return httpx.Problem(http.StatusUnauthorized, "sign in, or send an API token as Authorization: Bearer TOKEN", httpx.WithCause(err))
	case errors.Is(err, auth.ErrForbidden):
		return httpx.Problem(http.StatusForbidden, "not allowed", httpx.WithMember("detail_vi", "không được phép"), httpx.WithCause(err))
	}
	return err
}

// importProblem is problem for an import's store error: a bad row is
// named by its line in the file.
func importProblem(err error, imp tracing.RosterImport) error {
	var row *tracing.RowError
	var field *tracing.FieldError
	if errors.As(err, &row) && row.Row >= 0 && row.Row < len(imp.Rows) && errors.As(row.Err, &field) {
		return badFile(&tracing.RosterFileError{Lines: []tracing.RosterLineError{
			{Line: imp.Rows[row.Row].Line, Field: field.Field, Reason: field.Reason}}})
	}
	return problem(err)
}

func badFile(f *tracing.RosterFileError) error {
	total := len(f.Lines) + f.Omitted
	lines := f.Lines
	if lines == nil {
		lines = []tracing.RosterLineError{}
	}
	return httpx.Problem(http.StatusUnprocessableEntity,
		fmt.Sprintf("the roster has %d problem(s); nothing was imported. Fix the lines listed in errors and upload it again", total),
		httpx.WithMember("detail_vi", fmt.Sprintf("danh sách có %d lỗi; chưa nhập dữ liệu nào. Hãy sửa các dòng được liệt kê rồi tải lên lại", total)),
		httpx.WithMember("errors", lines), httpx.WithMember("omitted", f.Omitted), httpx.WithCause(f))
}
