package pool

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

// lockedWriter writes whole lines from many goroutines. Live, it keeps a status block at the
// bottom of a terminal instead of printing every progress line: one line per running job with its
// latest step, and a bar of finished jobs; other lines scroll above it.
type lockedWriter struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	jobs  int               // jobs in this invocation, for the bar
	done  int               // jobs finished
	state map[string]string // running job label -> its latest progress line
	order []string          // running job labels, in start order
	drawn int               // lines of the status block on screen
}

func (l *lockedWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearLocked()
	io.WriteString(l.w, strings.TrimRight(s, "\n")+"\n")
	l.drawLocked()
}

// progress records a job's progress line: shown in its status line when live, printed otherwise.
func (l *lockedWriter) progress(label, s string) {
	if !l.live {
		l.line(label + " " + s)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == nil {
		l.state = map[string]string{}
	}
	if _, ok := l.state[label]; !ok {
		l.order = append(l.order, label)
	}
	l.state[label] = strings.TrimSpace(s)
	l.clearLocked()
	l.drawLocked()
}

// finished drops a job's status line and counts it.
func (l *lockedWriter) finished(label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done++
	delete(l.state, label)
	for i, k := range l.order {
		if k == label {
			l.order = append(l.order[:i], l.order[i+1:]...)
			break
		}
	}
}

func (l *lockedWriter) clearLocked() {
	if l.live && l.drawn > 0 {
		fmt.Fprintf(l.w, "\x1b[%dA\x1b[J", l.drawn) // up, then erase to the end of the screen
		l.drawn = 0
	}
}

func (l *lockedWriter) drawLocked() {
	if !l.live {
		return
	}
	for _, k := range l.order {
		fmt.Fprintf(l.w, "%s %s\n", k, l.state[k])
	}
	const width = 30
	filled := 0
	if l.jobs > 0 {
		filled = width * l.done / l.jobs
	}
	fmt.Fprintf(l.w, "[%s%s] %d of %d jobs finished\n", strings.Repeat("#", filled), strings.Repeat(".", width-filled), l.done, l.jobs)
	l.drawn = len(l.order) + 1
}

// prefixWriter sends each complete line to out with a prefix and to file as it is.
type prefixWriter struct {
	prefix string
	out    *lockedWriter
	file   io.Writer
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.file.Write(b)
	p.buf.Write(b)
	for {
		i := bytes.IndexByte(p.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		text := strings.TrimLeft(string(p.buf.Next(i+1)), " ")
		if strings.HasPrefix(text, "step ") {
			p.out.progress(strings.TrimSpace(p.prefix), text)
		} else {
			p.out.line(p.prefix + text)
		}
	}
}

func (p *prefixWriter) flush() {
	if p.buf.Len() > 0 {
		p.out.line(p.prefix + p.buf.String())
		p.buf.Reset()
	}
}
