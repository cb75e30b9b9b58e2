package auth

import (
	"sync"
	"time"
)

// LoginLimiter slows password guessing: after MaxFailures failed logins for
// one username, or 4×MaxFailures from one address, within Window, further
// attempts are refused until the window has passed. It lives in memory, per
// process; each kefu process of a cluster limits on its own.
type LoginLimiter struct {
	MaxFailures int
	Window      time.Duration
	now         func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// NewLoginLimiter returns a limiter; now defaults to time.Now.
func NewLoginLimiter(maxFailures int, window time.Duration, now func() time.Time) *LoginLimiter {
	if now == nil {
		now = time.Now
	}
	return &LoginLimiter{MaxFailures: maxFailures, Window: window, now: now, failures: map[string][]time.Time{}}
}

func (l *LoginLimiter) keys(username, ip string) [2]string {
	return [2]string{"u:" + usernameKey(username), "ip:" + ip}
}

// Allow reports whether a login may be tried now; if not, it says how long to wait.
func (l *LoginLimiter) Allow(username, ip string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for i, k := range l.keys(username, ip) {
		limit := l.MaxFailures
		if i == 1 {
			limit *= 4
		}
		recent := l.prune(k, now)
		if len(recent) >= limit {
			wait = max(wait, recent[len(recent)-limit].Add(l.Window).Sub(now))
		}
	}
	return wait <= 0, wait
}

// Fail records a failed login.
func (l *LoginLimiter) Fail(username, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range l.keys(username, ip) {
		l.failures[k] = append(l.prune(k, now), now)
	}
	if len(l.failures) > 100_000 { // bound memory under a spraying attack
		for k := range l.failures {
			if len(l.prune(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
}

// Succeed clears the username's failures.
func (l *LoginLimiter) Succeed(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "u:"+usernameKey(username))
}

func (l *LoginLimiter) prune(k string, now time.Time) []time.Time {
	ts := l.failures[k]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.Window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.failures, k)
	} else {
		l.failures[k] = ts
	}
	return ts
}
