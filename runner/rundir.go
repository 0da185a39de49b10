package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The files of a run directory.
const (
	ResultFile     = "result.json" // Result: what the run was and measured
	MetricsFile    = "metrics.csv" // Metric rows
	SamplesFile    = "samples.png" // images drawn at the end
	LogFile        = "train.log"   // the run's progress lines, one session after another
	CheckpointFile = "checkpoint.bin"
	// CopiedFromFile names the run directory a run's files were copied from (CopyRun).
	CopiedFromFile = "copied-from"
)

// RejectedDir, in a run directory, holds the files the runner refused to use (a checkpoint that
// fails its checksum, an implausible result.json), each with a note of why: nothing is deleted,
// and nothing that failed a check is ever resumed from or counted.
const RejectedDir = "rejected"

// SetAside moves the file at path into the rejected/ folder beside it, named with the time, and
// writes the reason next to it (<name>.why). It returns where the file went.
func SetAside(path, reason string) (string, error) {
	dir := filepath.Join(filepath.Dir(path), RejectedDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("setting %s aside: %w", path, err)
	}
	to := filepath.Join(dir, fmt.Sprintf("%s.%s", filepath.Base(path), time.Now().UTC().Format("20060102T150405.000000000")))
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("setting %s aside: %w", path, err)
	}
	if err := WriteFileAtomic(to+".why", []byte(reason+"\n")); err != nil {
		return "", err
	}
	return to, nil
}

// RemoveTempFiles removes the temporary files of WriteFileAtomic left in dir by a process that
// was killed mid-write (.checkpoint.bin.tmp123, .result.json.tmp456, ...). Only the process that
// holds the run may call it.
func RemoveTempFiles(dir string) {
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	for _, f := range left {
		os.Remove(f)
	}
}

// MoveAside moves the files of a run of another configuration (hash) into replaced-<hash>/, so
// that results of two configurations are never mixed and none is lost.
func MoveAside(dir, hash string) (string, error) {
	to := filepath.Join(dir, "replaced-"+hash)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return "", err
	}
	for _, f := range []string{ResultFile, MetricsFile, SamplesFile, LogFile, CheckpointFile} {
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(to, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return to, nil
}

// CopyTwin gives the run directory dst of a structural twin (a cell that is the same model) the
// result of the run directory src: result.json as Result.Twin makes it, and src's metrics.csv
// and samples.png.
func CopyTwin(src, dst string, r Result, cfg Config) (Result, error) {
	tw := r.Twin(cfg)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return tw, err
	}
	if err := copyFiles(src, dst, MetricsFile, SamplesFile); err != nil {
		return tw, err
	}
	return tw, writeResult(dst, tw)
}

// copyFiles copies those of the named files that src has to dst, each atomically.
func copyFiles(src, dst string, names ...string) error {
	for _, f := range names {
		b, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil {
			err = WriteFileAtomic(filepath.Join(dst, f), b)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// CopyRun copies the finished run in src (another experiment's results) to dst: the same job,
// trained once. Its files are copied unchanged, result.json last, so that a copy cut short is no
// finished run, and copied-from names src. Checkpoints, claims and set-aside files stay behind.
func CopyRun(src, dst string) error {
	result, err := os.ReadFile(filepath.Join(src, ResultFile))
	if err == nil {
		err = os.MkdirAll(dst, 0o755)
	}
	if err == nil {
		err = WriteFileAtomic(filepath.Join(dst, CopiedFromFile), []byte(src+"\n"))
	}
	if err == nil {
		err = copyFiles(src, dst, MetricsFile, SamplesFile, LogFile)
	}
	if err == nil {
		err = WriteFileAtomic(filepath.Join(dst, ResultFile), result)
	}
	if err != nil {
		return fmt.Errorf("copying run %s: %w", src, err)
	}
	return nil
}
