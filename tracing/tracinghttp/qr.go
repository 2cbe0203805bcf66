package tracinghttp

import (
	"fmt"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrLevel is the error correction of every QR code: Medium recovers 15% of
// the code (a torn or dirty poster still scans).
const qrLevel = qrcode.Medium

// QR image sizes in pixels.
const (
	defaultQRSize = 512
	minQRSize     = 128
	maxQRSize     = 2048
)

// qrPNG draws content as a PNG of size by size pixels.
func qrPNG(content string, size int) ([]byte, error) {
	q, err := qrcode.New(content, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("tracinghttp: QR code: %w", err)
	}
	b, err := q.PNG(size)
	if err != nil {
		return nil, fmt.Errorf("tracinghttp: QR code PNG: %w", err)
	}
	return b, nil
}

// qrSVG draws content as an SVG document of the QR code's modules (with
// the quiet zone), one path, scalable; title labels it for screen readers.
func qrSVG(content, title string) (string, error) {
	q, err := qrcode.New(content, qrLevel)
	if err != nil {
		return "", fmt.Errorf("tracinghttp: QR code: %w", err)
	}
	m := q.Bitmap()
	n := strconv.Itoa(len(m))
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n + `" shape-rendering="crispEdges" role="img">`)
	b.WriteString(`<title>` + escapeXML(title) + `</title>`)
	b.WriteString(`<rect width="` + n + `" height="` + n + `" fill="#fff"/><path fill="#000" d="`)
	for y, row := range m {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String(), nil
}

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}
