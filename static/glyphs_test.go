package static

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"
)

// glyph is one decoded glyph of MapLibre's glyph protobuf.
type glyph struct {
	id, width, height, advance uint64
	left, top                  int64
	bitmap                     []byte
}

// fontstack is one decoded range file.
type fontstack struct {
	name, rng string
	glyphs    []glyph
}

var errTruncated = errors.New("truncated protobuf")

// fields walks the fields of one protobuf message.
func fields(b []byte, f func(num int, wire int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errTruncated
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return errTruncated
			}
			b = b[n:]
			if err := f(num, wire, v, nil); err != nil {
				return err
			}
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errTruncated
			}
			if err := f(num, wire, 0, b[n:n+int(l)]); err != nil {
				return err
			}
			b = b[n+int(l):]
		default:
			return fmt.Errorf("unexpected wire type %d", wire)
		}
	}
	return nil
}

func zigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

func decodeGlyph(data []byte) (glyph, error) {
	var g glyph
	err := fields(data, func(num, _ int, v uint64, d []byte) error {
		switch num {
		case 1:
			g.id = v
		case 2:
			g.bitmap = d
		case 3:
			g.width = v
		case 4:
			g.height = v
		case 5:
			g.left = zigzag(v)
		case 6:
			g.top = zigzag(v)
		case 7:
			g.advance = v
		}
		return nil
	})
	return g, err
}

func decodeRange(b []byte) (fontstack, error) {
	var fsk fontstack
	err := fields(b, func(num, _ int, _ uint64, stack []byte) error {
		if num != 1 {
			return fmt.Errorf("top-level field %d", num)
		}
		return fields(stack, func(num, _ int, _ uint64, d []byte) error {
			switch num {
			case 1:
				fsk.name = string(d)
			case 2:
				fsk.rng = string(d)
			case 3:
				g, err := decodeGlyph(d)
				if err != nil {
					return err
				}
				fsk.glyphs = append(fsk.glyphs, g)
			}
			return nil
		})
	})
	return fsk, err
}

// loadGlyphs decodes every range of the built font.
func loadGlyphs(t *testing.T) map[rune]glyph {
	t.Helper()
	dir := "dist/fonts/noto-sans-regular"
	entries, err := fs.ReadDir(dist, dir)
	if err != nil {
		t.Fatal(err)
	}
	all := map[rune]glyph{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".pbf") {
			continue
		}
		b, err := fs.ReadFile(dist, path.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		stack, err := decodeRange(b)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		if stack.name != "Noto Sans Regular" || stack.rng+".pbf" != e.Name() {
			t.Errorf("%s: stack %q range %q", e.Name(), stack.name, stack.rng)
		}
		start, _ := glyphRange(e.Name())
		for _, g := range stack.glyphs {
			if g.id < uint64(start) || g.id > uint64(start+255) {
				t.Errorf("%s: glyph %d outside the range", e.Name(), g.id)
			}
			if g.width > 0 && len(g.bitmap) != int((g.width+6)*(g.height+6)) {
				t.Errorf("glyph %q: bitmap of %d bytes for %dx%d plus borders", rune(g.id), len(g.bitmap), g.width, g.height)
			}
			all[rune(g.id)] = g
		}
	}
	return all
}

// Every letter of Vietnamese place names must have a glyph, or labels show
// holes where the diacritics are.
func TestGlyphsCoverVietnamese(t *testing.T) {
	glyphs := loadGlyphs(t)
	names := []string{
		"Thành phố Thủ Dầu Một", "Thị xã Bến Cát", "Huyện Bàu Bàng", "Dĩ An", "Thuận An", "Tân Uyên",
		"Bắc Tân Uyên", "Phú Giáo", "Dầu Tiếng", "Phường Hiệp Thành", "Xã Hưng Hòa", "Chánh Nghĩa",
		"aăâbcdđeêghiklmnoôơpqrstuưvxy", "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY",
		"àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
		"ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ",
		"0123456789 ,.;:()–—‘’“”…₫%/",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, r := range name {
				g, ok := glyphs[r]
				if !ok {
					t.Errorf("no glyph for %q (U+%04X)", r, r)
					continue
				}
				if r != ' ' && g.width == 0 {
					t.Errorf("glyph %q has no bitmap", r)
				}
				if g.advance == 0 {
					t.Errorf("glyph %q has no advance", r)
				}
			}
		})
	}
}

// The distance field must be high inside strokes and low outside, around
// MapLibre's edge value of 192, and the metrics must place glyphs on the
// baseline MapLibre's shaping assumes (top measured from 25 px above it).
func TestGlyphsAreDistanceFields(t *testing.T) {
	glyphs := loadGlyphs(t)
	const edge = 192
	tests := []struct {
		r          rune
		insideX    int // a column inside the stroke, in bitmap pixels
		topMin     int64
		topMax     int64
		descends   bool
		widthAtMax uint64
	}{
		{r: 'I', topMin: 17 - 25, topMax: 18 - 25, widthAtMax: 7},
		{r: 'l', topMin: 18 - 25, topMax: 19 - 25, widthAtMax: 4},
		{r: 'p', topMin: 12 - 25, topMax: 14 - 25, descends: true, widthAtMax: 14},
	}
	for _, tt := range tests {
		t.Run(string(tt.r), func(t *testing.T) {
			g := glyphs[tt.r]
			if g.top < tt.topMin || g.top > tt.topMax {
				t.Errorf("top %d, want %d..%d", g.top, tt.topMin, tt.topMax)
			}
			if g.width > tt.widthAtMax {
				t.Errorf("width %d, want at most %d", g.width, tt.widthAtMax)
			}
			if tt.descends != (int64(g.height) > g.top+25) {
				t.Errorf("height %d top %d: descends = %v", g.height, g.top, !tt.descends)
			}
			w := int(g.width + 6)
			corner := g.bitmap[0]
			if corner >= edge/2 {
				t.Errorf("corner value %d, want far outside (< %d)", corner, edge/2)
			}
			// The middle row crosses the stem: some pixel there is inside.
			row := int(g.height+6) / 2
			best := byte(0)
			for x := 0; x < w; x++ {
				best = max(best, g.bitmap[row*w+x])
			}
			if best < edge {
				t.Errorf("middle row peaks at %d, want inside (>= %d)", best, edge)
			}
		})
	}
}
