package kernel

import (
	"runtime"
	"sync"
)

// Pool runs work over a batch on a fixed number of goroutines.
type Pool struct{ Workers int }

// NewPool uses workers goroutines (GOMAXPROCS when workers < 1).
func NewPool(workers int) *Pool {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Pool{Workers: workers}
}

// Each calls f(worker, from, to) on contiguous ranges covering [0, n), one range per worker,
// and waits for all of them.
func (p *Pool) Each(n int, f func(worker, from, to int)) {
	w := min(p.Workers, n)
	if w <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		from, to := i*n/w, (i+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(i, from, to)
		}()
	}
	wg.Wait()
}

// grow returns buf resized to n, reusing its memory when it is large enough.
func grow[T any](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
}

func zero(s []float32) {
	for i := range s {
		s[i] = 0
	}
}

// sumGo adds s up with eight partial sums (independent additions, not one chain).
func sumGo(s []float32) float32 {
	var p [8]float32
	i := 0
	for ; i+8 <= len(s); i += 8 {
		v := s[i : i+8 : i+8]
		p[0] += v[0]
		p[1] += v[1]
		p[2] += v[2]
		p[3] += v[3]
		p[4] += v[4]
		p[5] += v[5]
		p[6] += v[6]
		p[7] += v[7]
	}
	for ; i < len(s); i++ {
		p[0] += s[i]
	}
	return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))
}
