package analysis

import "testing"

func TestSharedClassesLoadStore(t *testing.T) {
	var s sharedClasses
	a := classified{key: 42, r: &genericRule, score: 0.5}
	s.store(a)
	if got := s.load(42); got == nil || *got != a {
		t.Fatalf("load(42) = %v, want %v", got, a)
	}
	// Another key in the same slot is a miss, and takes the slot.
	other := uint64(42)
	for k := uint64(43); ; k++ {
		if slot(k, sharedClassBits) == slot(42, sharedClassBits) {
			other = k
			break
		}
	}
	if got := s.load(other); got != nil {
		t.Errorf("load of another key in the slot = %v, want nil", got)
	}
	s.store(classified{key: other})
	if got := s.load(42); got != nil {
		t.Errorf("load(42) after its slot was taken = %v, want nil", got)
	}
}

// TestSharedClassesSpareClassifying: a line one worker classified is not
// classified again by another worker whose own cache is empty (it never
// builds its literal matcher), and the answer is the first worker's.
func TestSharedClassesSpareClassifying(t *testing.T) {
	shared := new(sharedClasses)
	first, second := &classCache{shared: shared}, &classCache{shared: shared}
	lines := []string{
		"npm ERR! code ELIFECYCLE",
		"error: linker command failed with exit code 1",
		"Tests run: 12, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.03 s",
		"a line with an error in it",
	}
	for _, text := range lines {
		l := &lineView{text: []byte(text)}
		l.trim, l.indent = leadingSpace(l.text)
		want := first.lookup(l, false)
		if got := second.lookup(l, false); got != want {
			t.Errorf("%q: second worker got %s, first %s", text, ruleName(got.r), ruleName(want.r))
		}
		if fresh := new(classCache).lookup(l, false); fresh != want {
			t.Errorf("%q: shared answer %s, afresh %s", text, ruleName(want.r), ruleName(fresh.r))
		}
	}
	if first.lits == nil {
		t.Fatal("the first worker classified nothing; the test proves nothing")
	}
	if second.lits != nil {
		t.Error("the second worker classified lines the first had classified")
	}
}
