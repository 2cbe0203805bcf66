package tracing

import "fmt"

// rosterReasonsVI gives each reason ParseRoster reports, by its English
// format, in Vietnamese with the same values: enterprises' clerks read
// the file's problems in either language (RosterLineError.ReasonVI).
var rosterReasonsVI = map[string]string{
	"the file has a header but no worker rows":                     "tệp có dòng tiêu đề nhưng không có người lao động nào",
	"the file is empty: expected a header line naming the columns": "tệp trống: cần một dòng tiêu đề ghi tên các cột",
	"column named twice":      "cột được ghi hai lần",
	"missing required column": "thiếu cột bắt buộc",
	"the file needs a phone or an id_number column (or both)":                  "tệp cần cột số điện thoại hoặc số CCCD/CMND (hoặc cả hai)",
	"lon and lat come together":                                                "kinh độ và vĩ độ phải đi cùng nhau",
	"not valid CSV: %v":                                                        "không phải CSV hợp lệ: %v",
	"has %d fields but the header has %d":                                      "có %d ô nhưng dòng tiêu đề có %d cột",
	"not valid UTF-8 text: save the file as CSV UTF-8":                         "văn bản không phải UTF-8: hãy lưu tệp dạng CSV UTF-8",
	"longer than %d characters":                                                "dài hơn %d ký tự",
	"contains control characters":                                              "chứa ký tự điều khiển",
	"%q is also on line %d":                                                    "%q đã có ở dòng %d",
	"required value is empty":                                                  "giá trị bắt buộc đang trống",
	"a worker needs a phone or an ID number":                                   "người lao động cần có số điện thoại hoặc số CCCD/CMND",
	"%q is not a Vietnamese phone number (0 and 9 or 10 digits, or +84…)":      "%q không phải số điện thoại Việt Nam (số 0 rồi 9 hoặc 10 chữ số, hoặc +84…)",
	"%q is not an ID number: 9 digits (CMND) or 12 (CCCD)":                     "%q không phải số giấy tờ: 9 chữ số (CMND) hoặc 12 (CCCD)",
	"the point %g, %g is outside the province: check the order of lon and lat": "điểm %g, %g nằm ngoài tỉnh: hãy kiểm tra thứ tự kinh độ, vĩ độ",
	"0, 0 is not a residence":                                                  "0, 0 không phải là nơi ở",
	"lon and lat come together: this one is empty":                             "kinh độ và vĩ độ phải đi cùng nhau: ô này đang trống",
	"%q is not a number from -%g to %g (decimal degrees)":                      "%q không phải số từ -%g đến %g (độ thập phân)",
	formatUnknownColumn:                                                        "cột không xác định, đã bỏ qua; các cột được đọc là %s (hoặc tên tiếng Việt của chúng)",
	// An employee id's reason comes from ValidateEmployee.
	"an employee id has 1 to %d characters":              "mã nhân viên có từ 1 đến %d ký tự",
	"an employee id has no spaces or control characters": "mã nhân viên không có khoảng trắng hay ký tự điều khiển",
}

// formatUnknownColumn is the warning of a column ParseRoster ignores.
const formatUnknownColumn = "unknown column, ignored; the columns read are %s (or their Vietnamese names)"

// reasonVI returns the Vietnamese of an English reason format and its
// values, "" when the format has none.
func reasonVI(format string, args ...any) string {
	vi, ok := rosterReasonsVI[format]
	if !ok {
		return ""
	}
	return fmt.Sprintf(vi, args...)
}

// employeeReasonVI returns the Vietnamese of ValidateEmployee's reason.
func employeeReasonVI(reason string) string {
	for _, f := range []struct {
		format string
		args   []any
	}{{"an employee id has 1 to %d characters", []any{MaxEmployeeIDLength}}, {"an employee id has no spaces or control characters", nil}} {
		if reason == fmt.Sprintf(f.format, f.args...) {
			return reasonVI(f.format, f.args...)
		}
	}
	return ""
}
