package stats

import (
	"math"
	"slices"
)

// Confidence is the confidence level the intervals aim for.
const Confidence = 0.95

// An Estimate is a center with a distribution-free confidence interval.
type Estimate struct {
	Center float64 // the median (of values, or of paired ratios)
	Lo, Hi float64 // the confidence interval
	Conf   float64 // the confidence level the interval actually has (order statistics give discrete levels)
	N      int     // the number of samples
}

// Median returns the median of xs and a confidence interval for it from
// order statistics (the binomial method benchstat uses too): the narrowest
// symmetric pair of order statistics whose coverage is at least
// Confidence. With fewer than 6 samples no pair reaches 95%; the interval
// is then [min, max] and Conf says what it covers.
func Median(xs []float64) Estimate {
	n := len(xs)
	if n == 0 {
		return Estimate{Center: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var med float64
	if n%2 == 1 {
		med = s[n/2]
	} else {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	e := Estimate{Center: med, Lo: s[0], Hi: s[n-1], N: n, Conf: coverage(n, 0)}
	if n == 1 {
		e.Conf = 0
		return e
	}
	// Coverage of [s[k], s[n-1-k]] is P(k < B <= n-1-k) for B~Binomial(n, 1/2),
	// i.e. 1 - 2*P(B <= k). Take the largest k that keeps coverage >= Confidence.
	for k := 1; k < n/2; k++ {
		c := coverage(n, k)
		if c < Confidence {
			break
		}
		e.Lo, e.Hi, e.Conf = s[k], s[n-1-k], c
	}
	return e
}

// coverage returns the confidence of [x(k), x(n-1-k)] (0-based order
// statistics) as an interval for the median of n samples.
func coverage(n, k int) float64 {
	var tail float64 // P(B <= k)
	for i := 0; i <= k; i++ {
		tail += binom(n, i)
	}
	tail /= math.Pow(2, float64(n))
	return 1 - 2*tail
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// Ratio compares test against base, each a sample of the same benchmark
// taken in interleaved runs: the i'th run of each was taken back to back.
// It returns the median of the paired ratios test[i]/base[i] with its
// confidence interval, so that slow drifts of the machine, which affect
// both members of a pair alike, cancel. Pairs with a non-positive base are
// dropped; extra runs of the longer sample are ignored.
func Ratio(base, test []float64) Estimate {
	var rs []float64
	for i := 0; i < len(base) && i < len(test); i++ {
		if base[i] > 0 && test[i] > 0 {
			rs = append(rs, test[i]/base[i])
		}
	}
	return Median(rs)
}

// Geomean returns the geometric mean of xs, ignoring non-positive values;
// NaN when none is left.
func Geomean(xs []float64) float64 {
	var sum float64
	n := 0
	for _, x := range xs {
		if x > 0 && !math.IsInf(x, 0) {
			sum += math.Log(x)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Exp(sum / float64(n))
}

// GeomeanRatio summarizes many benchmarks' paired samples. pairs[b] holds
// benchmark b's base and test samples, index-aligned by run. The center is
// the geometric mean of the per-benchmark median ratios; the interval
// comes from the per-run geometric means: for each run index i present in
// every benchmark, G_i = geomean over benchmarks of test[i]/base[i], and
// the interval is the order-statistic interval of the median of the G_i
// (widened, if need be, to contain the center).
func GeomeanRatio(pairs [][2][]float64) Estimate {
	if len(pairs) == 0 {
		return Estimate{Center: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	var meds []float64
	runs := math.MaxInt
	for _, p := range pairs {
		meds = append(meds, Ratio(p[0], p[1]).Center)
		runs = min(runs, len(p[0]), len(p[1]))
	}
	center := Geomean(meds)
	var gs []float64
	for i := 0; i < runs; i++ {
		var rs []float64
		for _, p := range pairs {
			if p[0][i] > 0 {
				rs = append(rs, p[1][i]/p[0][i])
			}
		}
		gs = append(gs, Geomean(rs))
	}
	e := Median(gs)
	e.Center = center
	if e.N == 0 {
		e.Lo, e.Hi = center, center
	}
	e.Lo = math.Min(e.Lo, center)
	e.Hi = math.Max(e.Hi, center)
	return e
}

// MinConf is the least confidence at which Significant calls a change:
// with 4 runs or fewer the [min, max] interval covers under 90%, too
// little to call anything.
const MinConf = 0.9

// Significant reports whether the interval excludes 1 (no change) at a
// confidence of at least MinConf.
func (e Estimate) Significant() bool {
	return e.N > 1 && e.Conf >= MinConf && (e.Lo > 1 || e.Hi < 1)
}

// Delta formats a ratio as a signed percentage change, e.g. "+1.23%".
func Delta(r float64) string {
	if math.IsNaN(r) {
		return "n/a"
	}
	return signedPct((r - 1) * 100)
}

func signedPct(p float64) string {
	if math.Abs(p) < 0.005 {
		p = 0
	}
	s := formatFloat(p, 2)
	if p >= 0 {
		s = "+" + s
	}
	return s + "%"
}

func formatFloat(x float64, prec int) string {
	return strconvFormat(x, prec)
}
