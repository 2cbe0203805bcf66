package edithttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/bandomap/bando/features"
)

// nonFiniteMark starts the text a bare NaN, Infinity or -Infinity of a body
// is turned into (markNonFinite): JSON has no such numbers, but Python's
// json module writes them, and a client is better told which field holds
// one (422) than that its whole body is not JSON (400). No text a client
// sends can start with it: features.CleanText refuses NUL.
const nonFiniteMark = "\x00"

// markNonFinite returns raw with every bare NaN, Infinity and -Infinity
// outside a string written as the JSON string nonFiniteMark+token, and
// whether there was any.
func markNonFinite(raw []byte) ([]byte, bool) {
	var out bytes.Buffer
	inString, escaped, found := false, false, false
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
		case b == '"':
			inString = true
		default:
			if tok := nonFiniteAt(raw[i:]); tok != "" {
				fmt.Fprintf(&out, `"\u0000%s"`, tok)
				i += len(tok) - 1
				found = true
				continue
			}
		}
		out.WriteByte(b)
	}
	return out.Bytes(), found
}

// nonFiniteAt returns the NaN, Infinity or -Infinity token rest starts with,
// if it ends there.
func nonFiniteAt(rest []byte) string {
	for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
		if bytes.HasPrefix(rest, []byte(tok)) && (len(rest) == len(tok) || strings.IndexByte(",]} \t\r\n", rest[len(tok)]) >= 0) {
			return tok
		}
	}
	return ""
}

// notFinite is the problem of a value that is not a finite number.
func notFinite(field, what string) features.FieldProblem {
	return features.FieldProblem{Field: field,
		Reason:   what + " is not a finite number (NaN or infinite)",
		ReasonVI: "giá trị không phải là số hữu hạn (NaN hoặc vô cực)"}
}

// markedProblems finds the values markNonFinite marked in properties and
// personal fields.
func markedProblems(props, person map[string]any) []features.FieldProblem {
	var out []features.FieldProblem
	for prefix, m := range map[string]map[string]any{"": props, "person.": person} {
		for k, v := range m {
			if s, ok := v.(string); ok && strings.HasPrefix(s, nonFiniteMark) {
				out = append(out, notFinite(prefix+k, "property "+prefix+k))
			}
		}
	}
	return out
}

// positionProblem checks the positions of a GeoJSON geometry before it is
// read as coordinates, which would read null or a missing latitude as 0
// and fail on a number too large for a float with a decoder's message: each
// position must hold at least longitude and latitude, all finite numbers.
// It returns the first problem, or nil.
func positionProblem(raw json.RawMessage) *features.FieldProblem {
	var g struct {
		Coordinates json.RawMessage   `json:"coordinates"`
		Geometries  []json.RawMessage `json:"geometries"`
	}
	if json.Unmarshal(raw, &g) != nil {
		return nil // not a geometry object: the GeoJSON reader says why
	}
	for _, member := range g.Geometries {
		if p := positionProblem(member); p != nil {
			return p
		}
	}
	if len(g.Coordinates) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(g.Coordinates))
	dec.UseNumber()
	var coords any
	if dec.Decode(&coords) != nil {
		return nil
	}
	n := 0
	return walkPositions(coords, &n)
}

// walkPositions checks the positions nested in v, counting them in n.
func walkPositions(v any, n *int) *features.FieldProblem {
	arr, ok := v.([]any)
	if !ok {
		return nil // a shape the GeoJSON reader refuses
	}
	if len(arr) > 0 {
		if _, nested := arr[0].([]any); nested {
			for _, e := range arr {
				if p := walkPositions(e, n); p != nil {
					return p
				}
			}
			return nil
		}
	}
	*n++
	if len(arr) < 2 {
		return &features.FieldProblem{Field: "geometry",
			Reason:   fmt.Sprintf("position %d has %d number(s); a position is longitude and latitude", *n, len(arr)),
			ReasonVI: fmt.Sprintf("vị trí %d có %d số; mỗi vị trí gồm kinh độ và vĩ độ", *n, len(arr))}
	}
	for _, c := range arr {
		if p := coordinateProblem(c, *n); p != nil {
			return p
		}
	}
	return nil
}

func coordinateProblem(c any, n int) *features.FieldProblem {
	what := fmt.Sprintf("a coordinate of position %d", n)
	switch v := c.(type) {
	case json.Number:
		if f, err := strconv.ParseFloat(v.String(), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			p := notFinite("geometry", what)
			return &p
		}
		return nil
	case string:
		if strings.HasPrefix(v, nonFiniteMark) {
			p := notFinite("geometry", what)
			return &p
		}
	}
	text, _ := json.Marshal(c)
	return &features.FieldProblem{Field: "geometry",
		Reason:   fmt.Sprintf("%s is %s, not a number", what, text),
		ReasonVI: fmt.Sprintf("tọa độ của vị trí %d là %s, không phải là số", n, text)}
}
