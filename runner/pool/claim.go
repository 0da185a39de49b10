package pool

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// A claim file in a run directory says that a process trains that run: several processes (shards,
// or machines on a shared filesystem) working on one results directory never train a run twice.
// It is created with O_EXCL, holds the host, pid and time of its owner, and is touched every
// timeout/3 while the run trains. It is stale, and may be taken over, when its owner is a dead
// process on this host or when it has not been touched for the timeout (a dead or unreachable
// owner elsewhere).
type claim struct {
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Start uint64    `json:"start,omitempty"` // the owner's start time (clock ticks since boot), which tells it from a later process given the same pid
	Time  time.Time `json:"time"`
	Token string    `json:"token"` // tells this claim from a later one of the same process
}

func (c *claim) String() string {
	return fmt.Sprintf("pid %d on %s since %s", c.PID, c.Host, c.Time.Format(time.DateTime))
}

// DefaultClaimTimeout is how long a claim lives without being touched.
const DefaultClaimTimeout = 10 * time.Minute

var hostname = sync.OnceValue(func() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown-host"
	}
	return h
})

// acquireClaim claims the run whose claim file is path. It returns a release function, or the
// current owner when another live process holds the claim.
func acquireClaim(path string, timeout time.Duration) (release func(), owner *claim, err error) {
	tok := make([]byte, 8)
	rand.Read(tok)
	mine := claim{Host: hostname(), PID: os.Getpid(), Start: processStart(os.Getpid()), Time: time.Now().UTC(), Token: hex.EncodeToString(tok)}
	body, _ := json.Marshal(mine)
	for attempt := 0; attempt < 5; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := f.Write(append(body, '\n'))
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, nil, fmt.Errorf("writing the claim %s: %w", path, werr)
			}
			return holdClaim(path, body, timeout), nil, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, nil, fmt.Errorf("claiming %s: %w", path, err)
		}
		held, data, stale := inspectClaim(path, timeout)
		if held != nil && !stale {
			return nil, held, nil
		}
		if held == nil && !stale {
			time.Sleep(20 * time.Millisecond) // being written, or just released: look again
			continue
		}
		if err := breakClaim(path, data); err != nil {
			return nil, nil, err
		}
	}
	held, _, _ := inspectClaim(path, timeout)
	if held == nil {
		held = &claim{Host: "?", Time: time.Now()}
	}
	return nil, held, nil
}

// inspectClaim reads the claim at path: its owner (nil when the file is gone or not yet
// readable), its bytes, and whether it is stale.
func inspectClaim(path string, timeout time.Duration) (*claim, []byte, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, false
	}
	old := time.Since(st.ModTime()) > timeout
	var c claim
	if json.Unmarshal(data, &c) != nil {
		return nil, data, old // half-written by a process that died, if old
	}
	dead := c.Host == hostname() && (!processAlive(c.PID) || c.Start != 0 && processStart(c.PID) != c.Start)
	return &c, data, old || dead
}

// breakClaim removes the stale claim whose bytes were seen, unless it has changed since: a lock
// file makes the check and the removal one step among processes.
func breakClaim(path string, seen []byte) error {
	lock := path + ".break"
	f, err := os.OpenFile(lock, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if st, err := os.Stat(lock); err == nil && time.Since(st.ModTime()) > time.Minute {
			os.Remove(lock) // its owner died between two lines: nothing else holds it that long
		}
		time.Sleep(20 * time.Millisecond)
		return nil
	}
	if err != nil {
		return fmt.Errorf("breaking the stale claim %s: %w", path, err)
	}
	f.Close()
	defer os.Remove(lock)
	if now, err := os.ReadFile(path); err == nil && bytes.Equal(now, seen) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("breaking the stale claim %s: %w", path, err)
		}
	}
	return nil
}

// holdClaim touches the claim until released; release removes it if it is still this one.
func holdClaim(path string, body []byte, timeout time.Duration) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(max(timeout/3, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				now := time.Now()
				os.Chtimes(path, now, now)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			if now, err := os.ReadFile(path); err == nil && bytes.Equal(bytes.TrimSpace(now), body) {
				os.Remove(path)
			}
		})
	}
}
