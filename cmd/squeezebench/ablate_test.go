package main

import (
	"errors"
	"strings"
	"testing"

	"squeezebench/runner"
)

// The exit status tells the truth: runs held by other live processes, and a report that could not
// be written, end the command non-zero, naming them.
func TestAblateOutcome(t *testing.T) {
	ok := runner.JobReport{Job: runner.AblationJob{Name: "a seed 1"}, Status: runner.StatusOK}
	claimed := runner.JobReport{Job: runner.AblationJob{Name: "b seed 1"}, Status: runner.StatusClaimed, Note: "trained by pid 7 on h"}
	if err := ablateOutcome([]runner.JobReport{ok}, "again", nil); err != nil {
		t.Errorf("all ok: %v", err)
	}
	err := ablateOutcome([]runner.JobReport{ok, claimed}, "again", nil)
	if err == nil || !strings.Contains(err.Error(), "b seed 1 (trained by pid 7 on h)") {
		t.Errorf("a claimed run: %v", err)
	}
	err = ablateOutcome([]runner.JobReport{ok}, "again", errors.New("writing REPORT.md: no space left on device"))
	if err == nil || !strings.Contains(err.Error(), "the report could not be written") || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("a failed report: %v", err)
	}
}
