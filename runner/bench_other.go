//go:build !unix

package runner

import "time"

// cpuTime is not measured here: bench reports a CPU time of 0.
func cpuTime() time.Duration { return 0 }
