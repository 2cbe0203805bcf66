package hours

import (
	"fmt"
	"slices"
	"strings"
)

// Language is the language hours are written in.
type Language string

// Languages of Words.
const (
	Vietnamese Language = "vi"
	English    Language = "en"
)

// wording is the words hours are written with in one language.
type wording struct {
	days                  [7]string // short names, Monday first
	always, never, closed string
}

// wordingOf returns the words of lang, and whether it has any.
func wordingOf(lang Language) (wording, bool) {
	switch lang {
	case Vietnamese:
		return wording{days: [7]string{"Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7", "CN"},
			always: "Mở cửa 24/7", never: "Đóng cửa", closed: "nghỉ"}, true
	case English:
		return wording{days: [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
			always: "Open 24/7", never: "Closed", closed: "closed"}, true
	}
	return wording{}, false
}

// Words writes the hours for people: runs of days with the same periods
// joined by an en dash ("Thứ 2–CN 05:00–19:00", "Mon–Sun 05:00–19:00"),
// days off last. An unknown language is English.
func (h Hours) Words(lang Language) string {
	words, ok := wordingOf(lang)
	if !ok {
		words, _ = wordingOf(English)
	}
	names := words.days
	switch {
	case h.Always():
		return words.always
	case h.never():
		return words.never
	}
	var open, off []string
	for _, run := range h.runs() {
		days := names[run.from]
		if run.to != run.from {
			days += "–" + names[run.to]
		}
		if len(h.week[run.from]) == 0 {
			off = append(off, days)
			continue
		}
		open = append(open, days+" "+spansText(h.week[run.from]))
	}
	if len(off) > 0 {
		open = append(open, strings.Join(off, ", ")+" "+words.closed)
	}
	return strings.Join(open, "; ")
}

// run is a stretch of consecutive days, Monday first, with equal periods.
type run struct{ from, to int }

func (h Hours) runs() []run {
	var out []run
	for d := range h.week {
		if n := len(out); n > 0 && slices.Equal(h.week[out[n-1].to], h.week[d]) {
			out[n-1].to = d
			continue
		}
		out = append(out, run{d, d})
	}
	return out
}

// Always reports whether the place never closes (24/7).
func (h Hours) Always() bool {
	for _, spans := range h.week {
		if !slices.Equal(spans, []Span{{0, minutesPerDay}}) {
			return false
		}
	}
	return true
}

func (h Hours) never() bool {
	for _, spans := range h.week {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

func spansText(spans []Span) string {
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = Clock(sp.From) + "–" + Clock(sp.To%minutesPerDay)
		if sp.To == minutesPerDay {
			parts[i] = Clock(sp.From) + "–24:00"
		}
	}
	return strings.Join(parts, ", ")
}

// Clock writes minutes since midnight as HH:MM.
func Clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }
