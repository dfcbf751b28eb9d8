package backend

import (
	"context"
	"errors"
)

// ErrClosed is returned by a Transport or Store used after Close.
var ErrClosed = errors.New("backend closed")

// Message is one record on a topic.
type Message struct {
	Topic string
	// Key chooses the partition: messages with the same key keep their
	// order. Destill keys chunks by request and job, so one build's chunks
	// spread over partitions while each job's chunks stay in order.
	Key     string
	Payload []byte
	Headers map[string]string

	// Partition, Offset and Lag are set on delivery and ignored by Publish.
	// Lag is how many messages of the partition were waiting behind this
	// one when it was delivered.
	Partition int32
	Offset    int64
	Lag       int64
}

// Handler processes one delivered message. Returning nil acknowledges it;
// returning an error asks the Transport to deliver the same message to the
// same group again (the worker's retry and dead-letter middleware bounds
// how often that happens).
type Handler func(ctx context.Context, msg Message) error

// Transport publishes messages and delivers them to consumer groups, at
// least once.
type Transport interface {
	// Publish returns once every message is stored by the transport. It
	// blocks while the transport is full (back-pressure) until ctx is done;
	// it never drops a message silently.
	Publish(ctx context.Context, msgs ...Message) error
	// Subscribe calls handle for each message of topic, until ctx is done
	// or the Transport is closed; then it waits for the running handlers to
	// return and returns. Subscribers with the same group share the
	// partitions of the topic; every group receives every message. A
	// message is acknowledged (committed) only after its handler returned
	// nil, so a subscriber that stops or dies mid-way hands its message to
	// the next one.
	Subscribe(ctx context.Context, topic, group string, handle Handler) error
	// Close releases the transport. It is safe to call more than once.
	Close() error
}
