//go:build unix

package runner

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time so far (0 where getrusage fails).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
