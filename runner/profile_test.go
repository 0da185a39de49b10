package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu := filepath.Join(dir, "cpu.pprof")
	stop, err := StartCPUProfile(cpu)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartCPUProfile(filepath.Join(dir, "second.pprof")); err == nil || !strings.HasPrefix(err.Error(), "cpu profile: ") {
		t.Errorf("a second CPU profile at once: %v", err)
	}
	stop()
	if st, err := os.Stat(cpu); err != nil || st.Size() == 0 {
		t.Errorf("the CPU profile: %v, %v: want a non-empty file", st, err)
	}
	mem := filepath.Join(dir, "mem.pprof")
	if err := WriteMemProfile(mem); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(mem); err != nil || st.Size() == 0 {
		t.Errorf("the memory profile: %v, %v: want a non-empty file", st, err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "p")
	if _, err := StartCPUProfile(missing); err == nil || !strings.HasPrefix(err.Error(), "cpu profile: ") {
		t.Errorf("a CPU profile in a missing directory: %v", err)
	}
	if err := WriteMemProfile(missing); err == nil || !strings.HasPrefix(err.Error(), "memory profile: ") {
		t.Errorf("a memory profile in a missing directory: %v", err)
	}
}
