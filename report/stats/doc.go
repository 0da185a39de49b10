// Package stats is the seed-level statistics of a squeezebench ablation.
//
// The seed is the unit of replication: every run of one seed shares its data
// order, initialisation stream, dequantization noise and test subset, so runs
// of one seed are not independent replicates. For each contrast the caller
// reduces the runs to one value per seed, d_1..d_n (for a main effect, the
// per-seed mean over the other axes' strata of the paired differences), and
// this package tests mean(d) = 0 on those n values:
//
//   - the primary analysis is the one-sample t test over seeds (df = n-1);
//   - the robustness check is the exact sign-flip test over the seeds (all
//     2^n sign assignments), whose smallest two-sided p is 2/2^n;
//   - a family of contrasts is adjusted with Bonferroni (each test at
//     Alpha/m), and the interval printed with a verdict is the t interval at
//     the same level 1 - Alpha/m, so that an interval excludes 0 exactly when
//     a difference is claimed (see Test.Claimed for the rounding convention);
//   - the minimum detectable effect at 80% power and the adjusted level, from
//     the exact non-central t distribution, says how large an effect would have
//     had to be to be seen; SeedsNeeded inverts it;
//   - BlockANOVA is a sensitivity estimate from the additive two-way model
//     cells x seeds, valid only if seeds act additively on every cell.
//
// The design and the worked example are in the repository's statistics
// specification (spec/statistics.md).
package stats // import "squeezebench/report/stats"
