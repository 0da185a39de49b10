package pool

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Interruptible is a context of parent that the first SIGINT or SIGTERM cancels, after calling
// onSignal: the jobs of a Run on it then start no more, and running ones stop after their current
// step and save a checkpoint. The signals are let go before onSignal, so a second one kills the
// process as usual. stop lets them go and cancels the context; after it onSignal is not called
// (unless a signal came before).
func Interruptible(parent context.Context, onSignal func()) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		signal.Stop(sigs) // a second signal kills the process as usual
		onSignal()
		cancel()
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(sigs) // ends the goroutine: nothing is called after a normal end
			cancel()
		})
	}
}
