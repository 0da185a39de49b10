// Package runner trains one flow: a configuration (Config: a cell, a seed, the model's sizes,
// the training budget, the evaluation and the data set, identified by content) is trained,
// evaluated and checkpointed by Train, which resumes exactly from its checkpoint.
//
// runner owns the run directory: every file a run writes there (result.json, metrics.csv,
// samples.png, train.log, checkpoint.bin) is written and read back here (WriteOutcome,
// ReadResult, ReadMetrics), each atomically and each checked when read: a checkpoint by its
// checksum, a result by the values a finished run can have. A file that fails is set aside in
// rejected/ with its reason, never resumed from or counted.
//
// Package pool (runner/pool) fans an experiment's runs out over workers, processes and machines.
package runner
