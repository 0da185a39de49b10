package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CopyRun copies a run's files unchanged, writes copied-from, leaves the checkpoint behind, and
// refuses a directory with no result.json.
func TestCopyRun(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "runs", "cell", "seed-1")
	files := map[string]string{ResultFile: `{"status":"ok"}`, MetricsFile: "step\n1\n", LogFile: "log\n", CheckpointFile: "ckpt"}
	for f, c := range files {
		if err := os.WriteFile(filepath.Join(src, f), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := CopyRun(src, dst); err != nil {
		t.Fatal(err)
	}
	for f, c := range files {
		b, err := os.ReadFile(filepath.Join(dst, f))
		if f == CheckpointFile {
			if err == nil {
				t.Error("the checkpoint was copied")
			}
			continue
		}
		if err != nil || string(b) != c {
			t.Errorf("%s = %q, %v; want %q", f, b, err, c)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dst, CopiedFromFile)); string(b) != src+"\n" {
		t.Errorf("%s = %q, want %q", CopiedFromFile, b, src+"\n")
	}
	if err := CopyRun(t.TempDir(), filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), ResultFile) {
		t.Errorf("copying a directory without %s: %v, want an error naming it", ResultFile, err)
	}
}
