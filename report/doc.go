// Package report turns a results directory into REPORT.md, figures, runs.csv and summary.json:
// what the runs of an experiment say about each axis, with honest uncertainty.
//
// The seed is the unit of replication: every contrast (a main effect, an interaction, a
// hypothesis's gap, an effect within a level of another axis or a setting) is first reduced to
// one value per seed, the mean over the strata of the other axes' levels, and tested over seeds
// (package stats: t interval, sign-flip check, Bonferroni within each family, the minimum
// detectable effect). Strata whose cells are one model (structural twins) or excluded cells are
// left out. Every evaluation of the runs feeds the same analysis (effects over training), levels
// that cost different compute are also compared at equal training FLOPs, and Compare sets two
// result sets of one grid side by side (the reference agreement, squeezebench compare).
//
// The report reads what the runner and the pool wrote (result.json, metrics.csv, data.json,
// code-version, the experiment's copy) through their own readers, never by parsing logs, and its
// output depends only on them: regenerating it gives identical files.
package report
