package httpx

import "time"

// DayLayout is how a day is written in query parameters: YYYY-MM-DD.
const DayLayout = "2006-01-02"

// ParseDay reads the day s given as the query parameter name, as midnight
// UTC. Anything but YYYY-MM-DD with a real month and day is a 400 that says
// how to write it.
func ParseDay(name, s string) (time.Time, error) {
	d, err := time.Parse(DayLayout, s)
	if err != nil {
		p := BadRequest("%s %q is not a date; write it as YYYY-MM-DD, e.g. 2021-07-05", name, s)
		p.cause = err
		return time.Time{}, p
	}
	return d, nil
}
