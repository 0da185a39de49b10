package pool

import (
	"bytes"
	"strings"
	"testing"
)

// TestLiveStatus: on a terminal, progress lines update a status block (redrawn in place with ANSI
// cursor moves) instead of scrolling; other lines print above it; a finished job leaves the block.
func TestLiveStatus(t *testing.T) {
	var buf bytes.Buffer
	l := &lockedWriter{w: &buf, live: true, jobs: 2}
	l.progress("[1/2 a]", "step 1/10 ...")
	l.progress("[1/2 a]", "step 2/10 ...")
	l.progress("[2/2 b]", "step 1/10 ...")
	l.finished("[1/2 a]")
	l.line("[1/2 a] ok")
	out := buf.String()
	if !strings.Contains(out, "\x1b[") {
		t.Fatalf("no cursor movement in live output: %q", out)
	}
	// What a terminal shows at the end: the last block drawn, after the last clear.
	screen := out[strings.LastIndex(out, "\x1b[J")+len("\x1b[J"):]
	for _, want := range []string{"[1/2 a] ok", "[2/2 b] step 1/10", "1 of 2 jobs finished"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "[1/2 a] step") {
		t.Errorf("a finished job still has a status line:\n%s", screen)
	}

	buf.Reset()
	plain := &lockedWriter{w: &buf}
	plain.progress("[1/1 a]", "step 1/10 ...")
	if buf.String() != "[1/1 a] step 1/10 ...\n" || strings.Contains(buf.String(), "\x1b") {
		t.Errorf("plain output = %q, want the progress line as it is", buf.String())
	}
}
