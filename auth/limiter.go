package auth

import (
	"strings"
	"sync"
	"time"
)

// Limit is how many failures a key may have within a window.
type Limit struct {
	Failures int
	Window   time.Duration
}

// LimiterOptions configure a Limiter. Zero fields take the defaults: 5
// failures in 15 minutes per account, 20 in 15 minutes per client address.
type LimiterOptions struct {
	PerAccount Limit
	PerClient  Limit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxKeys bounds the accounts and clients remembered (default 100000);
	// past it, keys whose failures have all aged out are forgotten.
	MaxKeys int
}

// Limiter counts failed sign-ins per account and per client address in
// sliding windows. It lives in one process: several instances of the
// server each count their own, so the limits are per instance.
type Limiter struct {
	opts LimiterOptions

	mu       sync.Mutex
	accounts map[string][]time.Time
	clients  map[string][]time.Time
}

// NewLimiter returns a limiter with opts.
func NewLimiter(opts LimiterOptions) *Limiter {
	if opts.PerAccount.Failures <= 0 || opts.PerAccount.Window <= 0 {
		opts.PerAccount = Limit{Failures: 5, Window: 15 * time.Minute}
	}
	if opts.PerClient.Failures <= 0 || opts.PerClient.Window <= 0 {
		opts.PerClient = Limit{Failures: 20, Window: 15 * time.Minute}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 100_000
	}
	return &Limiter{opts: opts, accounts: map[string][]time.Time{}, clients: map[string][]time.Time{}}
}

// accountKey folds a name as typed, so that "Admin" and "admin " count
// against the same account.
func accountKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Wait returns how long account, from client, must wait before trying
// again; 0 when it may try now.
func (l *Limiter) Wait(account, client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	return max(wait(l.accounts, accountKey(account), l.opts.PerAccount, now),
		wait(l.clients, client, l.opts.PerClient, now))
}

// Try is the start of a sign-in of account from client: when either must
// wait it returns how long, else it counts the attempt as a failure until
// Succeed takes it back. Checking and counting at once keeps parallel
// guesses from all passing the check before any failure is counted.
func (l *Limiter) Try(account, client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.opts.Now()
	account = accountKey(account)
	if w := max(wait(l.accounts, account, l.opts.PerAccount, now), wait(l.clients, client, l.opts.PerClient, now)); w > 0 {
		return w
	}
	l.add(l.accounts, account, l.opts.PerAccount, now)
	l.add(l.clients, client, l.opts.PerClient, now)
	return 0
}

// Succeed ends a good sign-in begun with Try: the account's failures are
// forgotten and the client's attempt is taken back, so that many people
// behind one address who sign in rightly are never stopped; the client's
// failures stay, so that one known password does not reset guessing others.
func (l *Limiter) Succeed(account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, accountKey(account))
	if fails := l.clients[client]; len(fails) > 0 {
		l.clients[client] = fails[:len(fails)-1]
	}
}

// recent drops the failures of key older than the window.
func recent(m map[string][]time.Time, key string, lim Limit, now time.Time) []time.Time {
	fails := m[key]
	i := 0
	for i < len(fails) && !fails[i].After(now.Add(-lim.Window)) {
		i++
	}
	return fails[i:]
}

func wait(m map[string][]time.Time, key string, lim Limit, now time.Time) time.Duration {
	fails := recent(m, key, lim, now)
	if len(fails) < lim.Failures {
		return 0
	}
	// The attempt is allowed again when enough failures have aged out.
	return fails[len(fails)-lim.Failures].Add(lim.Window).Sub(now)
}

func (l *Limiter) add(m map[string][]time.Time, key string, lim Limit, now time.Time) {
	if key == "" {
		return
	}
	if _, ok := m[key]; !ok && len(m) >= l.opts.MaxKeys {
		for k := range m {
			if len(recent(m, k, lim, now)) == 0 {
				delete(m, k)
			}
		}
	}
	fails := recent(m, key, lim, now)
	if len(fails) >= 2*lim.Failures {
		fails = fails[1:] // enough to know the wait; memory stays bounded
	}
	m[key] = append(fails, now)
}
