package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"log/slog"
	"time"

	"github.com/bandomap/bando/internal/requestid"
	"github.com/bandomap/bando/tracing"
	"github.com/bandomap/bando/tracing/exposure"
	"github.com/redis/go-redis/v9"
)

// engineBus carries the exposure engine's live events between the
// instances of one deployment over Redis pub/sub: what a check-in, a
// roster import or a ride writes through one instance reaches the engine
// of every other within a moment, not at its next full reload
// (BANDO_TRACE_REFRESH). Pub/sub delivers at most once: a message lost
// while Redis or a subscriber was away is brought by that reload.
//
// The events carry keyed person hashes, never a name, phone or ID number.
type engineBus struct {
	local   exposure.Sink // this instance's engine
	client  redis.UniversalClient
	channel string
	origin  string // this instance, so that it skips its own messages
	log     *slog.Logger
	out     chan busMessage
}

var _ exposure.Sink = (*engineBus)(nil)

// busMessage is one published batch of events.
type busMessage struct {
	Origin  string
	Venues  []exposure.VenueInfo
	Visits  []tracing.Visit
	Periods []tracing.Period
	Rides   []tracing.Ride
	Traces  []tracing.TracePoint
}

// busBatch bounds the events of one message, so that a large import is
// sent in pieces no subscriber chokes on.
const busBatch = 10_000

// busQueue bounds the messages waiting to be published; past it they are
// dropped (and logged): a request never waits on Redis.
const busQueue = 1024

// newEngineBus starts the bus over local: a publisher and a subscriber
// running until ctx ends.
func newEngineBus(ctx context.Context, local exposure.Sink, client redis.UniversalClient, channel string, log *slog.Logger) *engineBus {
	b := &engineBus{local: local, client: client, channel: channel, origin: requestid.New(), log: log,
		out: make(chan busMessage, busQueue)}
	sub := client.Subscribe(ctx, channel)
	go b.publish(ctx)
	go b.receive(ctx, sub)
	return b
}

// Venues implements exposure.Sink.
func (b *engineBus) Venues(vs ...exposure.VenueInfo) {
	b.local.Venues(vs...)
	for c := range chunks(vs) {
		b.send(busMessage{Venues: c})
	}
}

// Visits implements exposure.Sink.
func (b *engineBus) Visits(vs ...tracing.Visit) {
	b.local.Visits(vs...)
	for c := range chunks(vs) {
		b.send(busMessage{Visits: c})
	}
}

// Periods implements exposure.Sink.
func (b *engineBus) Periods(ps ...tracing.Period) {
	b.local.Periods(ps...)
	for c := range chunks(ps) {
		b.send(busMessage{Periods: c})
	}
}

// Rides implements exposure.Sink.
func (b *engineBus) Rides(rs ...tracing.Ride) {
	b.local.Rides(rs...)
	for c := range chunks(rs) {
		b.send(busMessage{Rides: c})
	}
}

// Traces implements exposure.Sink.
func (b *engineBus) Traces(ps ...tracing.TracePoint) {
	b.local.Traces(ps...)
	for c := range chunks(ps) {
		b.send(busMessage{Traces: c})
	}
}

// Forget implements exposure.Sink; it is not sent: every instance runs
// the retention's forgetting on its own clock.
func (b *engineBus) Forget(before time.Time) { b.local.Forget(before) }

// chunks yields s in pieces of at most busBatch.
func chunks[T any](s []T) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			n := min(len(s), busBatch)
			if !yield(s[:n]) {
				return
			}
			s = s[n:]
		}
	}
}

func (b *engineBus) send(m busMessage) {
	m.Origin = b.origin
	select {
	case b.out <- m:
	default:
		b.log.Warn("exposure engine bus: queue full, events not sent; the other instances get them at their next reload")
	}
}

// publish sends the queued messages until ctx ends.
func (b *engineBus) publish(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-b.out:
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(m); err != nil {
				b.log.Error("exposure engine bus: encode", "err", err)
				continue
			}
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := b.client.Publish(pctx, b.channel, buf.Bytes()).Err()
			cancel()
			if err != nil && ctx.Err() == nil {
				b.log.Warn("exposure engine bus: publish failed; the other instances get these events at their next reload", "err", err)
			}
		}
	}
}

// receive applies the other instances' messages to the local engine
// until ctx ends.
func (b *engineBus) receive(ctx context.Context, sub *redis.PubSub) {
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			if err := b.apply([]byte(msg.Payload)); err != nil {
				b.log.Warn("exposure engine bus: a message not understood", "err", err)
			}
		}
	}
}

// apply decodes one message and, unless it is this instance's own, feeds
// it to the local engine.
func (b *engineBus) apply(payload []byte) error {
	var m busMessage
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&m); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if m.Origin == b.origin {
		return nil
	}
	if len(m.Venues) > 0 {
		b.local.Venues(m.Venues...)
	}
	if len(m.Visits) > 0 {
		b.local.Visits(m.Visits...)
	}
	if len(m.Periods) > 0 {
		b.local.Periods(m.Periods...)
	}
	if len(m.Rides) > 0 {
		b.local.Rides(m.Rides...)
	}
	if len(m.Traces) > 0 {
		b.local.Traces(m.Traces...)
	}
	return nil
}

// busClient is the Redis client of the engine bus (a cluster client on
// BANDO_REDIS_CLUSTER: the cluster carries PUBLISH to every node), or nil
// without Redis.
func busClient(cfg *Config) (redis.UniversalClient, error) {
	if cfg.RedisCluster != "" {
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: redisClusterNodes(cfg.RedisCluster)}), nil
	}
	if cfg.RedisURL == "" {
		return nil, nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("serve: BANDO_REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

// busChannel is the pub/sub channel of the engine bus.
func busChannel(cfg *Config) string { return cfg.Ops.RedisPrefix + "tracing:events" }
