package analysis

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// analyzeWith analyzes data with the given class cache (nil: one from
// the pool). A given cache stays the caller's: it is lent, as a
// ParallelAnalyzer lends its caches, and not put in the pool, where a
// cache put twice would be handed to two analyzers at once.
func analyzeWith(data []byte, cc *classCache) JobResult {
	a := NewAnalyzer(Options{})
	if cc != nil {
		classCaches.Put(a.classes)
		a.classes, a.lendsCache = cc, true
	}
	a.Write(data)
	return a.Result()
}

// TestClassCacheCarriesOver: an analyzer that starts with the cache of
// the analyzers before it (as the pool hands them out) finds what one
// with an empty cache finds, and analyzers running at once (go test -race)
// find what they find one at a time, with whatever caches the pool holds.
func TestClassCacheCarriesOver(t *testing.T) {
	logs := testLogs(t)
	fresh := make([]JobResult, len(logs))
	for i, data := range logs {
		fresh[i] = analyzeWith(data, new(classCache))
	}
	warm := new(classCache)
	for i, data := range logs {
		if got := analyzeWith(data, warm); !reflect.DeepEqual(got, fresh[i]) {
			t.Fatalf("log %d: a warm cache changed the result", i)
		}
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 {
				for i := (w + k) % len(logs); i < len(logs); i += 4 {
					if got := analyzeWith(logs[i], nil); !reflect.DeepEqual(got, fresh[i]) {
						t.Errorf("log %d: analyzed alongside others, the result differs", i)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestClassCacheAgreesWithClassify: on every log at hand, with one cache
// carried from log to log, whatever the cache answers for a line is what
// classifying that line afresh gives. Lines of one shape must classify
// alike: "[ERROR] -> [Help 1]" is Maven boilerplate, "[Help 2]" is not.
func TestClassCacheAgreesWithClassify(t *testing.T) {
	var mismatches []string
	verifyClassCache = func(cc *classCache, l *lineView, inEcho bool, cached classified) {
		fresh := new(classCache)
		if got := fresh.lookup(l, inEcho); got != cached && len(mismatches) < 10 {
			mismatches = append(mismatches, fmt.Sprintf("%q: cached %s, afresh %s", l.text, ruleName(cached.r), ruleName(got.r)))
		}
	}
	defer func() { verifyClassCache = nil }()
	cc := new(classCache)
	for _, f := range allLogFiles(t) {
		analyzeWith(readLogFile(t, f), cc)
	}
	analyzeWith([]byte("[ERROR] -> [Help 1]\n[ERROR] -> [Help 2]\n"), cc)
	for _, m := range mismatches {
		t.Error(m)
	}
}

func ruleName(r *rule) string {
	if r == nil {
		return "no rule"
	}
	return r.name
}
