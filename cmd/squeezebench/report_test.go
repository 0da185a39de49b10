package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ablate ends with the report; `report` regenerates it from the stored results, byte for byte.
func TestAblateWritesReportAndReportRegenerates(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "ablate", "-experiment", "smoke", "-results", dir)
	if err != nil || !strings.Contains(out, "report: 4 of 4 expected runs usable") {
		t.Fatalf("ablate: %v\n%s", err, out)
	}
	first, err := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(first), "**coupling (rowwise vs channelwise), test bpd:**") {
		t.Errorf("REPORT.md does not answer the coupling question:\n%s", first)
	}
	fig, _ := os.ReadFile(filepath.Join(dir, "figures", "test_bpd.png"))
	if out, err := run(t, "report", "-results", dir); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	fig2, _ := os.ReadFile(filepath.Join(dir, "figures", "test_bpd.png"))
	if !bytes.Equal(first, again) || len(fig) == 0 || !bytes.Equal(fig, fig2) {
		t.Errorf("regenerated report or figure differs")
	}
	if out, err := run(t, "report", "-results", filepath.Join(dir, "nosuch")); err == nil || !strings.Contains(out, "experiment.toml") {
		t.Errorf("report on a directory without results: %v\n%s", err, out)
	}
}
