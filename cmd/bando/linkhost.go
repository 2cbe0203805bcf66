package main

import (
	"net"
	"net/netip"
)

// linkHost is the host absolute links are built with when a request's Host
// header is not accepted (BANDO_PUBLIC_URL unset): the first name of
// BANDO_ALLOWED_HOSTS that is not a wildcard or, without one, the listen
// address, with localhost for an unspecified address (":8080" →
// "localhost:8080"). Never the client's Host.
func (c *Config) linkHost() string {
	if h, ok := c.allowedHosts().First(); ok {
		return h
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return "localhost"
	}
	if ip, err := netip.ParseAddr(host); host == "" || (err == nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
