package caseimport

// vietnamese holds the Vietnamese of every problem the parser reports,
// keyed by its English format; the arguments are the same, in the same
// order. Phrases passed as arguments (hints) are translated through the
// same table. A format missing here is reported in English in both
// languages, and a test fails on it.
var vietnamese = map[string]string{
	"the file has a header but no case rows":                                             "tệp chỉ có dòng tiêu đề, không có dòng ca bệnh nào",
	"the file is empty: expected a header line naming the columns":                       "tệp trống: cần một dòng tiêu đề ghi tên các cột",
	"unknown column; the columns are %s":                                                 "cột không xác định; các cột là %s",
	"column named twice":                                                                 "tên cột bị lặp lại",
	"missing required column%s":                                                          "thiếu cột bắt buộc%s",
	"has %d fields but the header has %d":                                                "dòng có %d trường nhưng dòng tiêu đề có %d",
	"not valid CSV: %v":                                                                  "không đúng định dạng CSV: %v",
	"%s is before report_date %s":                                                        "%s sớm hơn ngày công bố (report_date) %s",
	"not valid UTF-8 text: save the file as CSV UTF-8":                                   "văn bản không phải UTF-8: hãy lưu tệp dạng CSV UTF-8",
	"required value is empty%s":                                                          "giá trị bắt buộc đang để trống%s",
	"longer than %d characters":                                                          "dài hơn %d ký tự",
	"%q contains spaces or control characters":                                           "%q chứa dấu cách hoặc ký tự điều khiển",
	"duplicate code %q: also on line %d":                                                 "mã %q bị trùng: đã có ở dòng %d",
	"%q is not a date: write it as YYYY-MM-DD":                                           "%q không phải ngày: hãy viết theo dạng YYYY-MM-DD",
	"%s is before %s, when the first cases of COVID-19 were reported: check the year":    "%s sớm hơn %s, ngày ghi nhận những ca COVID-19 đầu tiên: hãy kiểm tra năm",
	"%s is after %s, tomorrow in Vietnam: check the year and the order of day and month": "%s muộn hơn %s, ngày mai theo giờ Việt Nam: hãy kiểm tra năm và thứ tự ngày, tháng",
	"unknown value %q; use %s":                                                           "giá trị %q không hợp lệ; hãy dùng %s",
	"unknown district code %q; the codes are %s":                                         "mã quận/huyện %q không xác định; các mã là %s",
	"%q is not a number in decimal degrees":                                              "%q không phải số độ thập phân",
	"point %g %g is outside the province (%g–%g E, %g–%g N)%s":                           "điểm %g %g nằm ngoài tỉnh (%g–%g Đ, %g–%g B)%s",
	" (cases need a lon/lat point: no geocoder is available offline to place addresses)": " (ca bệnh cần toạ độ lon/lat: không có dịch vụ định vị địa chỉ khi ngoại tuyến)",
	" (lon and lat look swapped)":                                                        " (lon và lat có vẻ bị đảo ngược)",
}

// inVietnamese formats a problem in Vietnamese: the format's translation,
// with string arguments that are known phrases translated too.
func inVietnamese(format string, args []any) string {
	vi, ok := vietnamese[format]
	if !ok {
		vi = format
	}
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		if s, isText := a.(string); isText {
			if t, known := vietnamese[s]; known {
				out[i] = t
			}
		}
	}
	return sprintf(vi, out)
}
