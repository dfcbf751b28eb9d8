// Package kafka implements backend.Transport over Apache Kafka (or any
// Kafka-protocol broker: Redpanda, kfake) with IBM/sarama: an idempotent
// producer, and consumer groups whose offsets are committed only after the
// handler succeeded.
package kafka
