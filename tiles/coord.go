package tiles

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom Bando serves tiles for; a deployment may serve
// fewer levels (tilehttp.Config.MaxZoom) but never more.
const MaxZoom = 22

// ErrBadTile is returned for tile coordinates that are malformed or out of
// range for their zoom.
var ErrBadTile = errors.New("tiles: bad tile coordinates")

// ParseTile parses and validates z/x/y path segments (y without any ".mvt"
// suffix: the handler strips it) for zooms 0 to maxZoom, which is clamped
// to MaxZoom: a deployment may serve fewer levels.
func ParseTile(z, x, y string, maxZoom int) (maptile.Tile, error) {
	maxZoom = max(0, min(maxZoom, MaxZoom)) // NOTE: a negative one would read as a huge uint64
	zv, err := parseIndex("zoom", z, uint64(maxZoom))
	if err != nil {
		return maptile.Tile{}, err
	}
	last := uint64(1)<<zv - 1
	xv, err := parseIndex("x", x, last)
	if err != nil {
		return maptile.Tile{}, err
	}
	yv, err := parseIndex("y", y, last)
	if err != nil {
		return maptile.Tile{}, err
	}
	return maptile.New(uint32(xv), uint32(yv), maptile.Zoom(zv)), nil
}

// parseIndex accepts only plain decimal digits (no sign, no spaces), so that
// one tile has one spelling and one cache key.
func parseIndex(name, s string, maxValue uint64) (uint64, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("%w: %s %q is not a tile index", ErrBadTile, name, s)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%w: %s %q is not a tile index", ErrBadTile, name, s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > maxValue {
		return 0, fmt.Errorf("%w: %s %s out of range 0-%d", ErrBadTile, name, s, maxValue)
	}
	return v, nil
}
