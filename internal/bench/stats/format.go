package stats

import (
	"fmt"
	"math"
	"strconv"
)

func strconvFormat(x float64, prec int) string {
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// String formats a ratio estimate as "+1.23% [-0.50%, +2.90%]".
func (e Estimate) String() string {
	if e.N == 0 || math.IsNaN(e.Center) {
		return "n/a"
	}
	s := Delta(e.Center)
	if e.N > 1 {
		s += fmt.Sprintf(" [%s, %s]", Delta(e.Lo), Delta(e.Hi))
	}
	return s
}
