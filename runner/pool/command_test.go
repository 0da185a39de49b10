package pool

import (
	"errors"
	"strings"
	"testing"

	"squeezebench/experiments"
	"squeezebench/runner"
)

// The exit status tells the truth: runs held by other live processes, and a report that could not
// be written, end the command non-zero, naming them.
func TestOutcome(t *testing.T) {
	ok := Report{Job: experiments.Job{Seed: 1}, Status: runner.StatusOK}
	claimed := Report{Job: experiments.Job{Seed: 2}, Status: StatusClaimed, Note: "trained by pid 7 on h"}
	if err := Outcome([]Report{ok}, "again", nil); err != nil {
		t.Errorf("all ok: %v", err)
	}
	err := Outcome([]Report{ok, claimed}, "again", nil)
	if err == nil || !strings.Contains(err.Error(), "tutorial_channel_channelwise seed 2 (trained by pid 7 on h)") {
		t.Errorf("a claimed run: %v", err)
	}
	err = Outcome([]Report{ok}, "again", errors.New("writing REPORT.md: no space left on device"))
	if err == nil || !strings.Contains(err.Error(), "the report could not be written") || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("a failed report: %v", err)
	}
}
