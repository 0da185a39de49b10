//go:build !unix

package pool

// processAlive cannot tell here: a claim is stale only by its age.
func processAlive(pid int) bool { return true }

// processStart is unknown here.
func processStart(pid int) uint64 { return 0 }
