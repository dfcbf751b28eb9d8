package worker

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/destill-dev/destill/analysis"
	"github.com/destill-dev/destill/backend"
)

// Topics names the topics of the pipeline.
type Topics struct {
	Requests   string
	Chunks     string
	DeadLetter string
}

// DefaultTopicPrefix starts every topic name.
const DefaultTopicPrefix = "destill."

// NewTopics returns the topic names with prefix ("" means DefaultTopicPrefix).
func NewTopics(prefix string) Topics {
	if prefix == "" {
		prefix = DefaultTopicPrefix
	}
	return Topics{Requests: prefix + "requests", Chunks: prefix + "chunks", DeadLetter: prefix + "dead-letter"}
}

// Consumer groups of the two stages.
const (
	IngestGroup  = "destill-ingest"
	AnalyzeGroup = "destill-analyze"
)

// RequestMessage asks the ingest stage to analyze a build.
type RequestMessage struct {
	RequestID string                  `json:"request_id"`
	Input     string                  `json:"input"`
	Options   backend.AnalysisOptions `json:"options"`
}

// ChunkMessage carries one chunk of one job's log to the analyze stage.
// Literal secrets the ingest worker knows are already redacted from it.
// On the wire the chunk's bytes are the payload as they are, and the rest
// is JSON in the HeaderChunk header: no base64 and no JSON scanning of
// the log.
type ChunkMessage struct {
	RequestID string                  `json:"request_id"`
	JobID     string                  `json:"job_id"`
	Options   backend.AnalysisOptions `json:"options"`
	Chunk     analysis.Chunk          `json:"chunk"`
}

// HeaderChunk holds a chunk message's metadata.
const HeaderChunk = "destill-chunk"

// EncodeChunk returns the message carrying cm on topic.
func EncodeChunk(topic string, cm ChunkMessage) backend.Message {
	data := cm.Chunk.Data
	cm.Chunk.Data = nil
	return backend.Message{
		Topic:   topic,
		Key:     chunkKey(cm.RequestID, cm.JobID),
		Payload: data,
		Headers: map[string]string{HeaderChunk: string(encode(cm))},
	}
}

// DecodeChunk reads a message EncodeChunk wrote.
func DecodeChunk(msg backend.Message) (ChunkMessage, error) {
	var cm ChunkMessage
	meta, ok := msg.Headers[HeaderChunk]
	if !ok {
		return cm, Permanent(fmt.Errorf("message on %s (partition %d, offset %d) is not a chunk: no %s header", msg.Topic, msg.Partition, msg.Offset, HeaderChunk))
	}
	if err := json.Unmarshal([]byte(meta), &cm); err != nil {
		return cm, Permanent(fmt.Errorf("malformed chunk header on %s (partition %d, offset %d): %w", msg.Topic, msg.Partition, msg.Offset, err))
	}
	cm.Chunk.Data = msg.Payload
	return cm, nil
}

// chunkKey keeps a job's chunks on one partition, in order.
func chunkKey(requestID, jobID string) string { return requestID + "/" + jobID }

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err)) // plain structs always encode
	}
	return b
}

func decode[T any](msg backend.Message) (T, error) {
	var v T
	if err := json.Unmarshal(msg.Payload, &v); err != nil {
		return v, Permanent(fmt.Errorf("malformed %T on %s (partition %d, offset %d): %w", v, msg.Topic, msg.Partition, msg.Offset, err))
	}
	return v, nil
}

// NewRequestID returns a random request ID (a version 4 UUID).
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// analysisOptions turns what the submitter chose into analyzer options.
func analysisOptions(o backend.AnalysisOptions) analysis.Options {
	return analysis.Options{ContextBefore: o.ContextBefore, ContextAfter: o.ContextAfter}
}
