package report

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// A Chart is a grouped bar chart: one group per label, one bar per
// series, with optional error whiskers and a reference line.
type Chart struct {
	Title  string
	YLabel string
	Labels []string             // groups
	Series []Series             // bars within each group
	Ref    float64              // a horizontal reference line (e.g. 1 for ratios); 0 for none
	Format func(float64) string // tick labels
}

// A Series is one bar per group; NaN values are left out.
type Series struct {
	Name   string
	Values []float64
	Lo, Hi []float64 // whiskers; nil for none
}

var palette = []string{"#4878d0", "#ee854a", "#6acc64", "#d65f5f", "#956cb4", "#8c613c"}

// WriteSVG draws the chart.
func (c *Chart) WriteSVG(w io.Writer) error {
	const (
		// Group labels are drawn at 45 degrees below the axis: the
		// bottom and right margins leave room for about 30 characters.
		left, right, top, bottom = 70.0, 150.0, 40.0, 170.0
		barW, gap                = 14.0, 12.0
		plotH                    = 300.0
	)
	nSeries := max(len(c.Series), 1)
	groupW := float64(nSeries)*barW + gap
	width := left + right + math.Max(float64(len(c.Labels))*groupW, 200)
	height := top + plotH + bottom + 20*float64(len(c.Series))

	lo, hi := math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	for _, s := range c.Series {
		for i, v := range s.Values {
			see(v)
			if s.Lo != nil {
				see(s.Lo[i])
				see(s.Hi[i])
			}
		}
	}
	if c.Ref != 0 {
		see(c.Ref)
	} else {
		see(0)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	pad := (hi - lo) * 0.08
	lo, hi = lo-pad, hi+pad
	if c.Ref == 0 && lo < 0 && lo > -pad*1.01 {
		lo = 0
	}
	y := func(v float64) float64 { return top + plotH - (v-lo)/(hi-lo)*plotH }
	base := c.Ref
	if base < lo || base > hi {
		base = lo
	}
	format := c.Format
	if format == nil {
		format = func(v float64) string { return fmt.Sprintf("%.3g", v) }
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(c.Title))
	// Axis and ticks.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>`+"\n", left, top, left, top+plotH)
	for i := 0; i <= 5; i++ {
		v := lo + (hi-lo)*float64(i)/5
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(v), width-right, y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-4, y(v)+4, html.EscapeString(format(v)))
	}
	fmt.Fprintf(&b, `<text transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", top+plotH/2, html.EscapeString(c.YLabel))
	if c.Ref != 0 {
		fmt.Fprintf(&b, `<line class="ref" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black" stroke-dasharray="4 3"/>`+"\n", left, y(c.Ref), width-right, y(c.Ref))
	}
	// Bars.
	for g, label := range c.Labels {
		x0 := left + gap/2 + float64(g)*groupW
		for si, s := range c.Series {
			if g >= len(s.Values) || math.IsNaN(s.Values[g]) {
				continue
			}
			v := s.Values[g]
			x := x0 + float64(si)*barW
			y1, y2 := y(v), y(base)
			if y1 > y2 {
				y1, y2 = y2, y1
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				x, y1, barW-2, math.Max(y2-y1, 0.5), palette[si%len(palette)], html.EscapeString(s.Name), html.EscapeString(label), html.EscapeString(format(v)))
			if s.Lo != nil && !math.IsNaN(s.Lo[g]) {
				cx := x + (barW-2)/2
				fmt.Fprintf(&b, `<path class="whisker" d="M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f" stroke="black"/>`+"\n",
					cx, y(s.Lo[g]), y(s.Hi[g]), cx-3, y(s.Lo[g]), cx+3, cx-3, y(s.Hi[g]), cx+3)
			}
		}
		lx := x0 + float64(nSeries)*barW/2
		fmt.Fprintf(&b, `<text transform="translate(%.1f %.1f) rotate(45)" text-anchor="start">%s</text>`+"\n", lx, top+plotH+12, html.EscapeString(label))
	}
	// Legend.
	for si, s := range c.Series {
		ly := top + plotH + bottom + float64(si)*20
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", left, ly-10, palette[si%len(palette)], left+18, ly, html.EscapeString(s.Name))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
