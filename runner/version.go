package runner

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
)

// CodeVersion is the code this process trains with: `git rev-parse --short HEAD` of the working
// directory when it started, with "-dirty" when tracked files had uncommitted changes; "" without
// git. Every result records it, so that runs resumed or added by a later checkout say so.
var CodeVersion = sync.OnceValue(gitVersion)

func gitVersion() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		v += "-dirty"
	}
	return v
}
