package faultproxy

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// echoServer answers every connection with what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends "ping" on c and reads the echo within d.
func roundTrip(c net.Conn, d time.Duration) error {
	_ = c.SetDeadline(time.Now().Add(d))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "ping" {
		return errors.New("echo garbled: " + string(buf))
	}
	return nil
}

func TestModes(t *testing.T) {
	p, err := New(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const wait = 300 * time.Millisecond
	dial := func() (net.Conn, error) { return net.DialTimeout("tcp", p.Addr(), wait) }
	tests := []struct {
		mode Mode
		// onOpen and onNew check a link opened before the switch and one
		// opened after it.
		onOpen, onNew func(error) bool
	}{
		{Pass, isNil, isNil},
		{Refuse, isNotNil, isRefused},
		{Hang, isTimeout, isTimeout},
		{Reset, isNotNil, isNotNil},
		{Pass, isNil, isNil}, // after Reset
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			// Every case starts from Pass, which also checks recovery from
			// the case before.
			if err := p.Set(Pass); err != nil {
				t.Fatal(err)
			}
			open, err := dial()
			if err == nil {
				err = roundTrip(open, wait)
			}
			if err != nil {
				t.Fatalf("in pass mode: %v", err)
			}
			defer open.Close()
			if err := p.Set(tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := roundTrip(open, wait); !tt.onOpen(err) {
				t.Errorf("open link after switching to %v: %v", tt.mode, err)
			}
			c, err := dial()
			if err == nil {
				defer c.Close()
				err = roundTrip(c, wait)
			}
			if !tt.onNew(err) {
				t.Errorf("new link in %v: %v", tt.mode, err)
			}
		})
	}
}

func isNil(err error) bool    { return err == nil }
func isNotNil(err error) bool { return err != nil }

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
