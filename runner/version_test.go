package runner

import (
	"os/exec"
	"strings"
	"testing"
)

// A build's stamp wins; without one the checkout's commit is recorded.
func TestCodeVersion(t *testing.T) {
	if got := versionOf("abc1234"); got != "abc1234" {
		t.Errorf("with a build stamp: %q", got)
	}
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout: %v", err)
	}
	if got, head := versionOf(""), strings.TrimSpace(string(out)); strings.TrimSuffix(got, "-dirty") != head {
		t.Errorf("without a stamp: %q, want the checkout's %q (or it -dirty)", got, head)
	}
}
