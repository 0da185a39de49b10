package runner

import (
	"bytes"
	"os/exec"
	"strings"
	"sync"
)

// builtFrom is the code the binary was built from, set by the Makefile
// (-ldflags "-X squeezebench/runner.builtFrom=..."): `git rev-parse --short HEAD`, "-dirty" when
// tracked files had uncommitted changes. Empty for go test and a plain go build.
var builtFrom string

// CodeVersion is the code this process trains with, which every result records: the version the
// binary was built from, else the working directory's git version the first time it is asked
// (ablate asks as it starts); "" without either. (Go's own vcs stamp is not used: it counts
// untracked files, such as a results directory being written, as modifications.)
var CodeVersion = sync.OnceValue(func() string { return versionOf(builtFrom) })

func versionOf(built string) string {
	if built != "" {
		return built
	}
	return gitVersion()
}

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
