package auth

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is an injectable time source.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestLoginLimiterUsername(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := NewLoginLimiter(5, 15*time.Minute, clk.Now)
	for i := range 5 {
		if ok, wait := l.Allow("alice", "10.0.0.1"); !ok {
			t.Fatalf("attempt %d refused (wait %v) before 5 failures", i+1, wait)
		}
		l.Fail("alice", "10.0.0.1")
		clk.Advance(time.Minute)
	}
	// 5 failures at t0 … t0+4m; now t0+5m: locked until the first expires at t0+15m.
	ok, wait := l.Allow("alice", "10.0.0.2")
	if ok || wait != 10*time.Minute {
		t.Fatalf("after 5 failures: Allow = %v, %v; want false, 10m", ok, wait)
	}
	// The username key is case- and blank-insensitive.
	if ok, _ := l.Allow("  ALICE ", "10.0.0.3"); ok {
		t.Error("ALICE is not limited like alice")
	}
	// Other users from the same address are unaffected (5 < 20).
	if ok, _ := l.Allow("bob", "10.0.0.1"); !ok {
		t.Error("bob refused after alice's failures")
	}
	clk.Advance(10*time.Minute - time.Second)
	if ok, _ := l.Allow("alice", "10.0.0.2"); ok {
		t.Error("unlocked one second early")
	}
	clk.Advance(time.Second)
	if ok, wait := l.Allow("alice", "10.0.0.2"); !ok {
		t.Errorf("still locked when the oldest failure left the window (wait %v)", wait)
	}
	// One more failure locks again: four are still inside the window.
	l.Fail("alice", "10.0.0.2")
	if ok, wait := l.Allow("alice", "10.0.0.2"); ok || wait != time.Minute {
		t.Errorf("fifth failure in window: Allow = %v, %v; want false, 1m", ok, wait)
	}
	// A whole window later, all is forgotten.
	clk.Advance(15 * time.Minute)
	if ok, _ := l.Allow("alice", "10.0.0.2"); !ok {
		t.Error("locked after the window passed")
	}
}

func TestLoginLimiterSuccessClearsUsername(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := NewLoginLimiter(5, 15*time.Minute, clk.Now)
	for range 4 {
		l.Fail("carol", "10.0.0.9")
	}
	l.Succeed("Carol")
	for range 4 {
		l.Fail("carol", "10.0.0.10")
	}
	if ok, _ := l.Allow("carol", "10.0.0.10"); !ok {
		t.Error("success did not clear the username's failures")
	}
	l.Fail("carol", "10.0.0.10")
	if ok, _ := l.Allow("carol", "10.0.0.10"); ok {
		t.Error("5 failures after the success did not lock")
	}
}

func TestLoginLimiterAddress(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	l := NewLoginLimiter(5, 15*time.Minute, clk.Now)
	// 19 failures from one address, each for a different user, then
	// successes that clear only the usernames.
	for i := range 19 {
		u := "user" + string(rune('a'+i))
		l.Fail(u, "203.0.113.7")
		l.Succeed(u)
	}
	if ok, _ := l.Allow("fresh", "203.0.113.7"); !ok {
		t.Fatal("address refused after 19 failures; the limit is 4×5 = 20")
	}
	l.Fail("another", "203.0.113.7")
	ok, wait := l.Allow("fresh", "203.0.113.7")
	if ok || wait != 15*time.Minute {
		t.Errorf("after 20 failures from one address: Allow = %v, %v; want false, 15m", ok, wait)
	}
	if ok, _ := l.Allow("fresh", "203.0.113.8"); !ok {
		t.Error("another address is refused too")
	}
	clk.Advance(15 * time.Minute)
	if ok, _ := l.Allow("fresh", "203.0.113.7"); !ok {
		t.Error("address still refused after the window")
	}
}

func TestLoginLimiterConcurrent(t *testing.T) {
	t.Parallel()
	l := NewLoginLimiter(5, time.Minute, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				l.Fail("dave", "10.1.1.1")
				l.Allow("dave", "10.1.1.1")
				if i%2 == 0 {
					l.Succeed("dave")
				}
			}
		}()
	}
	wg.Wait()
	if ok, _ := l.Allow("x", "10.1.1.1"); ok {
		t.Error("800 failures from one address within a minute did not lock it")
	}
}
