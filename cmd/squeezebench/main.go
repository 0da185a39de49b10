// Command squeezebench trains and checks RealNVP-style multi-scale flows on MNIST to measure
// whether the squeeze permutation, the split pattern, channelwise vs rowwise coupling and channel
// mixing (an invertible 1x1 convolution) matter.
//
// Every command takes its axes and variants from the registry (package variants): a cell is named
// by one flag per axis (-squeeze, -split, -coupling, -mixing, and a flag for any axis registered
// later), experiments name them in their [grid], and `squeezebench variants` lists them. `check`
// proves every registered cell with the conformance suite's checker (package flow/flowtest).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	_ "squeezebench/variants/all"
)

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"ablate":   {"train every cell x seed of an experiment (resumable, parallel, shardable); summary table", runAblate},
	"train":    {"train one cell with one seed; writes result.json, metrics.csv, samples.png", runTrain},
	"describe": {"print the layer table of a model: shapes, parameters, FLOPs per image", runDescribe},
	"check":    {"prove invertibility and log-det against a brute-force Jacobian for every cell", runCheck},
	"patterns": {"the atlas: figures and patterns.json of every mask and split in image space, and facts.md", runPatterns},
	"variants": {"list every axis, its variants and what each does", runVariants},
	"bench":    {"time full training steps (or with -eval forward-only evaluation passes): ms/step, images/s, GFLOP/s, allocations, peak RSS", runBench},
	"report":   {"regenerate REPORT.md, figures, runs.csv and summary.json of a results directory (no training)", runReport},
	"plan":     {"the seeds (and wall time) each contrast needs to detect an effect, from a results directory's seed-level spread", runPlan},
	"compare":  {"compare two results directories of one grid: per cell and contrast, A - B and whether it is within seed noise", runCompare},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "help" || os.Args[1] == "--help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "squeezebench: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	// A training allocates its buffers once, in the first step, and almost nothing after; with Go's
	// default GOGC=100 the heap may grow to twice those buffers before a collection, so peak RSS
	// (measured: 4.6 GB for the tutorial model at batch 128, 2.0 GB live) would be set by garbage.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(20)
	}
	err := cmd.run(os.Args[2:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "squeezebench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("usage: squeezebench <command> [flags]\n\ncommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-9s %s\n", n, commands[n].summary)
	}
	b.WriteString("\nRun 'squeezebench <command> -h' for the flags of a command.\n")
	fmt.Fprint(os.Stderr, b.String())
}
