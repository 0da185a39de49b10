//go:build unix

package pool

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// The first SIGTERM cancels the context, after onSignal; the process lives on.
func TestInterruptibleCancelsOnASignal(t *testing.T) {
	called := make(chan struct{})
	ctx, stop := Interruptible(context.Background(), func() { close(called) })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a SIGTERM did not cancel the context")
	}
	select {
	case <-called:
	default:
		t.Error("the context was cancelled before onSignal was called")
	}
}

// stop cancels the context without calling onSignal, and may be called again.
func TestInterruptibleStop(t *testing.T) {
	ctx, stop := Interruptible(context.Background(), func() { t.Error("onSignal called without a signal") })
	if ctx.Err() != nil {
		t.Fatal("cancelled before stop")
	}
	stop()
	if ctx.Err() == nil {
		t.Error("stop did not cancel the context")
	}
	stop()
}
