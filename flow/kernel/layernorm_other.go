//go:build !amd64

package kernel

// Without amd64 there are no assembly loops: the Go ones run.
func vectorLoops() *pointLoops { return nil }
