package redistest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bandomap/bando/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// clusterWait bounds each step of starting a cluster: far above the second
// it takes, so that a loaded machine does not fail the test.
const clusterWait = 30 * time.Second

// Cluster is a real Redis Cluster of three masters on loopback, started by
// a test in its temporary directory and stopped when the test ends.
type Cluster struct {
	// Addrs are the masters' host:port, in the order they were started.
	Addrs []string
	procs []*exec.Cmd
}

// StartCluster starts three redis-server processes in cluster mode on free
// ports, joins them with `redis-cli --cluster create` (no replicas: each
// master holds a third of the slots) and waits until every node says
// cluster_state:ok. The test stops (skipped, or failed under CI) when
// redis-server or redis-cli is missing.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	server := testkit.Tool(t, "redis-server", "apt-get install redis-server")
	cli := testkit.Tool(t, "redis-cli", "apt-get install redis-tools")
	dir := t.TempDir()
	c := &Cluster{}
	t.Cleanup(c.stop)
	for _, port := range freeClusterPorts(t, 3) {
		c.start(t, server, dir, port)
	}
	for _, addr := range c.Addrs {
		waitFor(t, addr, func(ctx context.Context, client *redis.Client) bool {
			return client.Ping(ctx).Err() == nil
		})
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range c.Addrs {
		waitFor(t, addr, func(ctx context.Context, client *redis.Client) bool {
			info, err := client.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok")
		})
	}
	return c
}

// start runs one node on port, its files in dir; it is stopped with the
// cluster.
func (c *Cluster) start(t testing.TB, server, dir string, port int) {
	t.Helper()
	p := strconv.Itoa(port)
	cmd := exec.Command(server, "--port", p, "--bind", "127.0.0.1",
		"--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+p+".conf",
		"--cluster-node-timeout", "2000", "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", filepath.Join(dir, "redis-"+p+".log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server on %s: %v", p, err)
	}
	c.procs = append(c.procs, cmd)
	c.Addrs = append(c.Addrs, net.JoinHostPort("127.0.0.1", p))
}

// Kill stops the node at Addrs[i] at once (SIGKILL), as a machine that dies.
func (c *Cluster) Kill(t testing.TB, i int) {
	t.Helper()
	cmd := c.procs[i]
	if cmd.ProcessState != nil {
		return
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill %s: %v", c.Addrs[i], err)
	}
	_ = cmd.Wait()
}

func (c *Cluster) stop() {
	for _, cmd := range c.procs {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
}

// Client returns a cluster client over every node, closed when the test
// ends.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	t.Helper()
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	t.Cleanup(func() { _ = client.Close() })
	return client
}

// KeysPerNode counts, on each master (by address), the keys under prefix
// it holds itself.
func (c *Cluster) KeysPerNode(t testing.TB, prefix string) map[string]int {
	t.Helper()
	ctx := context.Background()
	counts := map[string]int{}
	for _, addr := range c.Addrs {
		node := redis.NewClient(&redis.Options{Addr: addr})
		keys, err := node.Keys(ctx, prefix+"*").Result()
		_ = node.Close()
		if err != nil {
			t.Fatalf("KEYS on %s: %v", addr, err)
		}
		counts[addr] = len(keys)
	}
	return counts
}

// waitFor asks the node at addr until ok says yes, or fails the test.
func waitFor(t testing.TB, addr string, ok func(context.Context, *redis.Client) bool) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	deadline := time.Now().Add(clusterWait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		done := ok(ctx, client)
		cancel()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis node %s not ready after %v", addr, clusterWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeClusterPorts finds n ports free now whose cluster bus ports (port +
// 10000) are free too.
func freeClusterPorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100 {
			t.Fatal("no free ports for a Redis cluster")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if port+10000 > 65535 || !free(port+10000) {
			continue
		}
		ports = append(ports, port)
	}
	return ports
}

func free(port int) bool {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}
