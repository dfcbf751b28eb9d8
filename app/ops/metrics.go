package ops

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/destill-dev/destill/backend"
)

// Metric names, each labelled with stage and topic (the lag also with
// partition).
const (
	metricProcessed    = "destill_messages_processed_total"
	metricErrors       = "destill_message_errors_total"
	metricDeadLettered = "destill_messages_dead_lettered_total"
	metricDuration     = "destill_message_duration_seconds"
	metricLag          = "destill_consumer_lag"
)

// durationBuckets are the upper bounds of the message duration histogram:
// 1 ms to about 4.4 minutes, each four times the last.
var durationBuckets = func() []float64 {
	b := make([]float64, 10)
	b[0] = 0.001
	for i := 1; i < len(b); i++ {
		b[i] = b[i-1] * 4
	}
	return b
}()

// Metrics are a worker's Prometheus metrics, written in Prometheus's text
// format. It implements worker.Observer.
//
// A handful of series needs no metrics library, and the one it used
// (VictoriaMetrics/metrics) read cgroup and pressure files at package
// init: 2% of every destill run, --version included, for a server only
// workers start.
type Metrics struct {
	stage string
	start time.Time

	mu       sync.Mutex
	counters map[string]map[string]uint64  // metric → labels → count
	lags     map[string]int64              // labels → the lag last seen
	hists    map[string]*durationHistogram // labels → durations
}

// durationHistogram counts durations by durationBuckets.
type durationHistogram struct {
	counts []uint64 // per bucket, not cumulative
	over   uint64   // above the last bucket
	sum    float64
}

// NewMetrics makes the worker metrics of one stage. Writing them adds Go
// runtime and process metrics.
func NewMetrics(stage string) *Metrics {
	return &Metrics{stage: stage, start: time.Now(), counters: map[string]map[string]uint64{},
		lags: map[string]int64{}, hists: map[string]*durationHistogram{}}
}

// Handled implements worker.Observer.
func (m *Metrics) Handled(msg backend.Message, took time.Duration, err error) {
	labels := m.labels(msg.Topic)
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hists[labels]
	if h == nil {
		h = &durationHistogram{counts: make([]uint64, len(durationBuckets))}
		m.hists[labels] = h
	}
	h.observe(took.Seconds())
	m.lags[fmt.Sprintf(`partition=%q,%s`, strconv.Itoa(int(msg.Partition)), labels)] = msg.Lag
	if err != nil {
		m.inc(metricErrors, labels)
		return
	}
	m.inc(metricProcessed, labels)
}

// DeadLettered implements worker.Observer.
func (m *Metrics) DeadLettered(topic string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inc(metricDeadLettered, m.labels(topic))
}

// labels are the stage's and topic's labels, in the order Prometheus
// sorts them.
func (m *Metrics) labels(topic string) string {
	return fmt.Sprintf(`stage=%q,topic=%q`, m.stage, topic)
}

// inc adds one to a counter; m.mu is held.
func (m *Metrics) inc(metric, labels string) {
	if m.counters[metric] == nil {
		m.counters[metric] = map[string]uint64{}
	}
	m.counters[metric][labels]++
}

func (h *durationHistogram) observe(v float64) {
	h.sum += v
	for i, le := range durationBuckets {
		if v <= le {
			h.counts[i]++
			return
		}
	}
	h.over++
}

// WritePrometheus writes the metrics in Prometheus's text format, metric
// families by name and series by labels, then the Go runtime's and the
// process's.
func (m *Metrics) WritePrometheus(w io.Writer) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	m.mu.Lock()
	family(bw, metricLag, "gauge")
	for _, l := range slices.Sorted(maps.Keys(m.lags)) {
		fmt.Fprintf(bw, "%s{%s} %d\n", metricLag, l, m.lags[l])
	}
	family(bw, metricDuration, "histogram")
	for _, l := range slices.Sorted(maps.Keys(m.hists)) {
		h := m.hists[l]
		var n uint64
		for i, le := range durationBuckets {
			n += h.counts[i]
			fmt.Fprintf(bw, "%s_bucket{%s,le=%q} %d\n", metricDuration, l, formatFloat(le), n)
		}
		n += h.over
		fmt.Fprintf(bw, "%s_bucket{%s,le=\"+Inf\"} %d\n", metricDuration, l, n)
		fmt.Fprintf(bw, "%s_sum{%s} %s\n", metricDuration, l, formatFloat(h.sum))
		fmt.Fprintf(bw, "%s_count{%s} %d\n", metricDuration, l, n)
	}
	for _, metric := range []string{metricErrors, metricDeadLettered, metricProcessed} {
		family(bw, metric, "counter")
		series := m.counters[metric]
		for _, l := range slices.Sorted(maps.Keys(series)) {
			fmt.Fprintf(bw, "%s{%s} %d\n", metric, l, series[l])
		}
	}
	m.mu.Unlock()
	writeRuntimeMetrics(bw, m.start)
}

// family writes the # HELP and # TYPE lines of a metric family.
func family(w io.Writer, name, typ string) {
	fmt.Fprintf(w, "# HELP %s\n# TYPE %s %s\n", name, name, typ)
}

// writeRuntimeMetrics writes the Go runtime's and the process's metrics,
// under the names Prometheus's Go client gives them.
func writeRuntimeMetrics(w io.Writer, start time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge := func(name string, v float64) {
		family(w, name, "gauge")
		fmt.Fprintf(w, "%s %s\n", name, formatFloat(v))
	}
	counter := func(name string, v float64) {
		family(w, name, "counter")
		fmt.Fprintf(w, "%s %s\n", name, formatFloat(v))
	}
	gauge("go_goroutines", float64(runtime.NumGoroutine()))
	gauge("go_memstats_alloc_bytes", float64(ms.Alloc))
	counter("go_memstats_alloc_bytes_total", float64(ms.TotalAlloc))
	gauge("go_memstats_heap_inuse_bytes", float64(ms.HeapInuse))
	gauge("go_memstats_heap_objects", float64(ms.HeapObjects))
	gauge("go_memstats_sys_bytes", float64(ms.Sys))
	gauge("go_memstats_next_gc_bytes", float64(ms.NextGC))
	counter("go_gc_cycles_total", float64(ms.NumGC))
	counter("go_gc_pause_seconds_total", float64(ms.PauseTotalNs)/1e9)
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		counter("process_cpu_seconds_total", float64(ru.Utime.Nano()+ru.Stime.Nano())/1e9)
	}
	if rss, ok := residentBytes(); ok {
		gauge("process_resident_memory_bytes", float64(rss))
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		gauge("process_open_fds", float64(len(fds)))
	}
	gauge("process_start_time_seconds", float64(start.Unix()))
}

// residentBytes reads the process's resident memory from /proc/self/statm
// (Linux; elsewhere it reports false).
func residentBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return 0, false
	}
	return resident * int64(os.Getpagesize()), true
}

// formatFloat writes a sample value as Prometheus's clients do.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
