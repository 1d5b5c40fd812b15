package main

import "faultstack/internal/upstream"

// A workload is one benchmark program: a package's benchmarks selected
// by a -bench regexp, in the standard library or in a third-party module
// fetched through the module proxy at a pinned version.
type workload struct {
	name   string // as -run selects it and the report shows it
	pkg    string // import path of the package whose tests are built
	module string // module@version for third-party packages; "" for the standard library
	bench  string // -test.bench
	short  bool   // part of the -short preset
	// cgBench and cgIters select the run counted under cachegrind (one
	// benchmark, a fixed iteration count); cgIters 0 means none.
	cgBench string
	cgIters int
	cgShort bool // counted in the -short preset too
}

// workloads is the one list of what faultstack bench runs: call-heavy,
// interface-heavy and recursive code, where prologue checks are most
// frequent. Third-party versions are pinned; docs/bench.md says why each.
var workloads = []workload{
	{name: "go/parser", pkg: "go/parser", bench: "^BenchmarkParse$", short: true, cgBench: "^BenchmarkParse$", cgIters: 20, cgShort: true},
	{name: "go/types", pkg: "go/types", bench: "^BenchmarkCheck$/^parser$/^funcbodies$/^noinfo$", cgBench: "^BenchmarkCheck$/^parser$/^funcbodies$/^noinfo$", cgIters: 2},
	{name: "text/template/parse", pkg: "text/template/parse", bench: "^BenchmarkParseLarge$", short: true, cgBench: "^BenchmarkParseLarge$", cgIters: 10, cgShort: true},
	{name: "encoding/json", pkg: "encoding/json", bench: "^BenchmarkCode(Decoder|Encoder)$", short: true, cgBench: "^BenchmarkCodeDecoder$", cgIters: 5},
	{name: "regexp", pkg: "regexp", bench: "^BenchmarkMatch$/^(Medium|Hard)$/^32K$", short: true, cgBench: "^BenchmarkMatch$/^Hard$/^32K$", cgIters: 20},
	{name: "sort", pkg: "sort", bench: "^Benchmark(SortString1K|SortInt1K|Stable1e4)$"},
	{name: "fmt", pkg: "fmt", bench: "^BenchmarkSprintf(String|Int|Float|Structure)$"},
	{name: "strconv", pkg: "internal/strconv", bench: "^Benchmark(Atof64RandomFloats|Atof64Decimal|FormatInt|AppendInt)$"},
	{name: "compress/flate", pkg: "compress/flate", bench: "^Benchmark(Encode|Decode)$/^Newton$/^Default$/^1e5$"},
	{name: "math/big", pkg: "math/big", bench: "^Benchmark(Hilbert|Binomial|ScanPi)$"},
	{name: "runtime", pkg: "runtime", bench: "^Benchmark(StackGrowth|StackGrowthDeep|StackCopy|Issue18138)$", short: true, cgBench: "^BenchmarkStackGrowthDeep$", cgIters: 20},

	// Third-party: a TOML and a YAML parser (recursive descent over
	// nested documents), an expression language (a compiler and a VM),
	// a compressor.
	{name: "toml", pkg: "github.com/BurntSushi/toml", module: "github.com/BurntSushi/toml@v1.6.0", bench: "^BenchmarkDecode$/^(large-doc|table)$", short: true, cgBench: "^BenchmarkDecode$/^large-doc$", cgIters: 20},
	{name: "yaml", pkg: "gopkg.in/yaml.v3", module: "gopkg.in/yaml.v3@v3.0.1", bench: "^Benchmark(1000KBDeeplyNestedMaps|100KBMaps)$", cgBench: "^Benchmark1000KBDeeplyNestedMaps$", cgIters: 10},
	{name: "expr", pkg: "github.com/expr-lang/expr", module: "github.com/expr-lang/expr@v1.17.8", bench: "^Benchmark_(expr|filter|callMethod|sortBy|groupBy)$", cgBench: "^Benchmark_filter$", cgIters: 200},
	{name: "zstd", pkg: "github.com/klauspost/compress/zstd", module: "github.com/klauspost/compress@v1.20.4", bench: `^BenchmarkDecoder_DecodeAll$/^(kppkn\.gtb|alice29\.txt|html_x_4)\.zst$`},
}

// A benchConfig is one way of building the workloads. Configurations
// differ only in their environment (and pristine in its toolchain): to
// add one, add an entry.
type benchConfig struct {
	name     string
	env      []string // added to toolchain.Env() when building
	pristine bool     // built by the installed, unpatched release instead of the patched toolchain
	what     string
}

// baseConfig is what every ratio is relative to.
const baseConfig = "stock"

var benchConfigs = []benchConfig{
	{name: baseConfig, what: "the patched toolchain with the experiment off"},
	{name: upstream.Experiment, env: []string{"GOEXPERIMENT=" + upstream.Experiment}, what: "GOEXPERIMENT=" + upstream.Experiment},
	// The estimation mode (every check dropped, fixed reservations): the
	// upper bound of what dropping checks can gain.
	{name: "nocheck", env: []string{"GOEXPERIMENT=" + upstream.EstimationExperiment}, what: "GOEXPERIMENT=" + upstream.EstimationExperiment + ": estimation mode, every prologue check dropped (upper bound, not for production)"},
	{name: "pristine", pristine: true, what: "the installed " + upstream.Version + ", unpatched: the patches must be inert when off"},
}
