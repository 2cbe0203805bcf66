// Package faultproxy is a TCP proxy on loopback whose link to its target a
// test (or `bando bench faults`) breaks on purpose: it passes bytes, refuses
// connections, hangs them, or resets them. It stands between Bando and the
// shared PostgreSQL or Redis, so that their failures can be played without
// ever stopping the real services.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Mode is how the proxy treats connections.
type Mode int

// The modes of a Proxy.
const (
	// Pass forwards bytes both ways, like a cable.
	Pass Mode = iota
	// Refuse closes the listener, so that connecting fails at once
	// (ECONNREFUSED), and closes the open links: the service is down.
	Refuse
	// Hang accepts connections and never forwards a byte, and stops
	// forwarding on the open links: the service or the network stalls.
	// Leaving Hang closes the links it held.
	Hang
	// Reset resets the open links (TCP RST) and every new connection right
	// after accepting it: the service dies mid-query.
	Reset
)

// String names the mode as the bench and logs print it.
func (m Mode) String() string {
	switch m {
	case Pass:
		return "pass"
	case Refuse:
		return "refuse"
	case Hang:
		return "hang"
	case Reset:
		return "reset"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// Proxy forwards connections from its own loopback address to a target,
// in the Mode it is set to. It is safe for concurrent use.
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	mode   Mode
	ln     net.Listener // nil while refusing
	links  map[*link]struct{}
	closed bool
	wg     sync.WaitGroup
}

// link is one client connection and, once dialled, its target connection.
type link struct {
	client, server net.Conn
}

// New starts a proxy on a free port of 127.0.0.1 forwarding to target
// (host:port), in Pass mode.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), links: map[*link]struct{}{}}
	p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port; it stays the same across modes.
func (p *Proxy) Addr() string { return p.addr }

// Mode returns the current mode.
func (p *Proxy) Mode() Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode
}

// Set switches the proxy to mode m. Switching to Pass after Refuse listens
// again on the same address.
func (p *Proxy) Set(m Mode) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	old := p.mode
	p.mode = m
	switch {
	case m == Refuse:
		p.closeListener()
		p.closeLinks(false)
	case m == Reset:
		p.closeLinks(true)
	case old == Hang && m != Hang:
		p.closeLinks(false)
	}
	if m != Refuse && p.ln == nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		p.serve(ln)
	}
	return nil
}

// Close stops the proxy and closes every link.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.closeListener()
	p.closeLinks(false)
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}

// serve accepts on ln until it is closed. Called with p.mu held or before
// the proxy is shared.
func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accept(c)
		}
	}()
}

func (p *Proxy) closeListener() {
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
}

// closeLinks closes every open link, with a TCP reset when reset is set.
// Called with p.mu held.
func (p *Proxy) closeLinks(reset bool) {
	for l := range p.links {
		l.close(reset)
		delete(p.links, l)
	}
}

// accept handles one new client connection according to the mode.
func (p *Proxy) accept(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := &link{client: c}
	switch p.mode {
	case Reset, Refuse:
		l.close(true)
		return
	case Hang:
		p.links[l] = struct{}{} // held until the mode changes
		return
	}
	p.links[l] = struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.forward(l)
	}()
}

// forward dials the target and pumps bytes both ways until either side
// closes or the link is closed.
func (p *Proxy) forward(l *link) {
	s, err := net.Dial("tcp", p.target)
	p.mu.Lock()
	if _, open := p.links[l]; !open || err != nil {
		delete(p.links, l)
		p.mu.Unlock()
		if s != nil {
			_ = s.Close()
		}
		l.close(true)
		return
	}
	l.server = s
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pump(l.server, l.client); done <- struct{}{} }()
	go func() { p.pump(l.client, l.server); done <- struct{}{} }()
	<-done
	p.mu.Lock()
	if _, open := p.links[l]; open {
		l.close(false)
		delete(p.links, l)
	}
	p.mu.Unlock()
	<-done
}

// pump copies src to dst; in Hang mode it holds what it read and forwards
// nothing until the link is closed.
func (p *Proxy) pump(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.Mode() == Hang {
				// NOTE: leaving Hang closes this link, which ends the
				// blocked Read below: held bytes are never delivered.
				_, _ = io.Copy(io.Discard, src)
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (l *link) close(reset bool) {
	for _, c := range []net.Conn{l.client, l.server} {
		if c == nil {
			continue
		}
		if tc, ok := c.(*net.TCPConn); ok && reset {
			_ = tc.SetLinger(0) // NOTE: linger 0 makes Close send RST.
		}
		_ = c.Close()
	}
}
