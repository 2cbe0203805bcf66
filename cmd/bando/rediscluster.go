package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// redisClusterNodes splits BANDO_REDIS_CLUSTER into its host:port
// entries (commas and spaces separate them).
func redisClusterNodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// validateRedisCluster checks the seed nodes of a Redis Cluster: each a
// host:port with a port number, and no single Redis URL beside them.
func validateRedisCluster(nodes, redisURL string) []error {
	var errs []error
	if redisURL != "" {
		errs = append(errs, errors.New("BANDO_REDIS_CLUSTER and BANDO_REDIS_URL are both set: keep one (a cluster, or one Redis)"))
	}
	addrs := redisClusterNodes(nodes)
	if len(addrs) == 0 {
		errs = append(errs, errors.New("BANDO_REDIS_CLUSTER: want host:port,host:port,..."))
	}
	for _, a := range addrs {
		host, port, err := net.SplitHostPort(a)
		n, perr := strconv.Atoi(port)
		if err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			errs = append(errs, fmt.Errorf("BANDO_REDIS_CLUSTER: %q is not host:port (e.g. 10.0.0.5:7000)", a))
		}
	}
	return errs
}
