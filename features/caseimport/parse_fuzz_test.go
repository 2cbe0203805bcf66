package caseimport

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// FuzzParse: a cases CSV file is read into records or refused with an
// *Error naming its lines, never half read and never a panic.
func FuzzParse(f *testing.F) {
	const header = "code,report_date,report_session,origin,detected_in,cluster,status,status_date,district_code,ward_code,address,lon,lat,name,phone,id_number\n"
	const good = "BD-1,2021-07-05,afternoon,community,quarantine_area,Công ty Wanek 2,under_treatment,,719,25813,Số 1,106.6,11.25,Nguyễn Văn An,0900000001,074000000001\n"
	for _, s := range []string{
		header + good,
		"\uFEFF" + header + good + good,
		header + "BD-2,2021-07-05,,,,,,,,,,NaN,Inf,,,\n",
		header + "\"BD-3\n,\"\"\n",
		"code;report_date;origin;detected_in;status;district_code;lon;lat\r\nBD-4;2021-07-05;community;community;under_treatment;719;106,6;11,2\r\n",
		header, "", "\x00\xff,\n",
	} {
		f.Add([]byte(s))
	}
	now := func() time.Time { return time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(bytes.NewReader(data), Options{Now: now})
		if err == nil {
			return
		}
		if len(recs) != 0 {
			t.Fatalf("a refused file gave %d records", len(recs))
		}
		var perr *Error
		_ = errors.As(err, &perr)
		_ = err.Error()
	})
}
