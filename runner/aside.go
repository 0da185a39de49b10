package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
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
