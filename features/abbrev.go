package features

import "strings"

// abbreviation returns the folded words a folded abbreviation stands for in
// Vietnamese place names and addresses ("tdm" → "thu dau mot"), and whether
// word is one. Search expands them on both sides, in what is stored and in
// what is asked (SearchFold), so that "bv" finds "Bệnh viện" and "bệnh viện"
// finds a name written "BV".
func abbreviation(word string) (string, bool) {
	switch word {
	case "tdm":
		return "thu dau mot", true
	case "bd":
		return "binh duong", true
	case "bv":
		return "benh vien", true
	case "bvdc":
		return "benh vien da chien", true
	case "kcn":
		return "khu cong nghiep", true
	case "ttyt":
		return "trung tam y te", true
	case "tyt":
		return "tram y te", true
	case "tttm":
		return "trung tam thuong mai", true
	case "chxd":
		return "cua hang xang dau", true
	case "cty":
		return "cong ty", true
	case "tx":
		return "thi xa", true
	case "tp":
		return "thanh pho", true
	case "tt":
		return "thi tran", true
	case "kp":
		return "khu pho", true
	case "p":
		return "phuong", true
	case "q":
		return "quan", true
	case "h":
		return "huyen", true
	case "x":
		return "xa", true
	case "dl":
		return "dai lo", true
	}
	return "", false
}

// SearchFold is what search compares: Fold, then every abbreviation
// written out ("BV Đa khoa TX. Thuận An" → "benh vien da khoa thi xa thuan
// an"). Stores keep names and addresses this way and fold queries the same.
func SearchFold(s string) string {
	words := strings.Fields(Fold(s))
	for i, w := range words {
		if full, ok := abbreviation(w); ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}
