// Package pool trains an experiment's jobs into a results directory: at most Parallel runs at
// once in one process, started seed by seed (so a stopped experiment holds whole seeds), several
// processes or machines on one directory (claims, shards), each
// run skipped when its result is there, resumed from its checkpoint when interrupted, and a
// structural twin's job served by its model's run. It shows progress as lines or, on a terminal,
// as a live status block, and prints the summary table.
//
// pool owns the results directory's own files: data.json (the data set the runs were trained
// on, by content; another data set is refused), code-version and the experiment's copy, and
// each run directory's claim. The run directories' files are package runner's.
package pool
