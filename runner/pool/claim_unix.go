//go:build unix

package pool

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// processAlive reports whether a process with this pid runs on this host. A zombie (killed, not
// yet reaped by its parent) counts as dead.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	// Linux: the state is the field after the parenthesised command name in /proc/<pid>/stat.
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) {
			if st := b[i+2]; st == 'Z' || st == 'X' {
				return false
			}
		}
	}
	return true
}

// processStart is the start time of process pid in clock ticks since boot (field 22 of
// /proc/<pid>/stat); 0 when it cannot be read. A pid reused by a later process has another.
func processStart(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	fields := bytes.Fields(b[i+1:]) // fields 3, 4, ... of the file
	if len(fields) < 20 {
		return 0
	}
	v, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0
	}
	return v
}
