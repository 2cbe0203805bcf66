package hours_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/bandomap/bando/features/hours"
)

// at is a time in Vietnam; 2021-08-16 was a Monday.
func at(day int, hm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 -0700", "2021-08-"+string(rune('0'+day/10))+string(rune('0'+day%10))+" "+hm+" +0700")
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpenAt(t *testing.T) {
	cases := []struct {
		name, hours string
		at          time.Time
		open        bool
		until       string // "" when closed; date and time in Vietnam
	}{
		{"daily, inside", "Mo-Su 05:00-19:00", at(16, "07:30"), true, "16 19:00"},
		{"daily, at opening", "Mo-Su 05:00-19:00", at(16, "05:00"), true, "16 19:00"},
		{"daily, at closing", "Mo-Su 05:00-19:00", at(16, "19:00"), false, ""},
		{"daily, before", "Mo-Su 05:00-19:00", at(16, "04:59"), false, ""},
		{"weekday rule on Saturday", "Mo-Fr 08:00-17:00; Sa 08:00-12:00", at(21, "11:00"), true, "21 12:00"},
		{"Saturday afternoon", "Mo-Fr 08:00-17:00; Sa 08:00-12:00", at(21, "13:00"), false, ""},
		{"Sunday not named", "Mo-Fr 08:00-17:00; Sa 08:00-12:00", at(22, "10:00"), false, ""},
		{"Friday", "Mo-Fr 08:00-17:00; Sa 08:00-12:00", at(20, "16:59"), true, "20 17:00"},
		{"24/7 ends a week on", "24/7", at(18, "03:00"), true, "26 00:00"},
		{"off", "off", at(18, "10:00"), false, ""},
		{"later rule wins", "Mo-Su 06:00-22:00; Su off", at(22, "10:00"), false, ""},
		{"lunch break", "Mo-Su 07:00-11:30,13:30-17:00", at(16, "12:00"), false, ""},
		{"after lunch", "Mo-Su 07:00-11:30, 13:30-17:00", at(16, "14:00"), true, "16 17:00"},
		{"past midnight, evening", "Mo-Su 18:00-02:00", at(16, "23:00"), true, "17 02:00"},
		{"past midnight, night", "Mo-Su 18:00-02:00", at(17, "01:00"), true, "17 02:00"},
		{"past midnight, Monday night from Sunday", "Su 18:00-02:00", at(16, "01:00"), true, "16 02:00"},
		{"to the end of the day", "Mo-Su 06:00-24:00", at(16, "23:59"), true, "17 00:00"},
		{"day range wraps", "Sa-Mo 08:00-12:00", at(22, "09:00"), true, "22 12:00"},
		{"day range wraps, Tuesday", "Sa-Mo 08:00-12:00", at(17, "09:00"), false, ""},
		{"a UTC time is read in Vietnam", "Mo-Su 05:00-19:00", at(16, "18:30").UTC(), true, "16 19:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := hours.Parse(c.hours)
			if err != nil {
				t.Fatal(err)
			}
			open, until := h.OpenAt(c.at)
			got := ""
			if open {
				got = until.Format("02 15:04")
			}
			if open != c.open || got != c.until {
				t.Errorf("OpenAt(%s) = %v until %q, want %v until %q", c.at, open, got, c.open, c.until)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	_, refused := wordsCases(t)
	for _, text := range refused {
		t.Run(text, func(t *testing.T) {
			if _, err := hours.Parse(text); !errors.Is(err, hours.ErrSyntax) {
				t.Errorf("Parse(%q) = %v, want ErrSyntax", text, err)
			}
		})
	}
}

// wordsCases reads testdata/words.json, the table the web map's own
// reader (static/src/hours.ts, static/e2e/hours-units.test.mjs) is held
// to as well, so that popups and /api/nearby write hours alike.
func wordsCases(t *testing.T) (cases []struct{ Hours, Vi, En string }, refused []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/words.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Words   []struct{ Hours, Vi, En string }
		Refused []string
	}
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	return table.Words, table.Refused
}

func TestWords(t *testing.T) {
	cases, _ := wordsCases(t)
	for _, c := range cases {
		t.Run(c.Hours, func(t *testing.T) {
			h, err := hours.Parse(c.Hours)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Words(hours.Vietnamese); got != c.Vi {
				t.Errorf("vi: %q, want %q", got, c.Vi)
			}
			if got := h.Words(hours.English); got != c.En {
				t.Errorf("en: %q, want %q", got, c.En)
			}
		})
	}
}
