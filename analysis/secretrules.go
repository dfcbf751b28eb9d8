package analysis

import (
	"fmt"
	"math"
	"math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// secretRuleSources are the secret rules, as data: gitleaks' own rule set
// (https://github.com/gitleaks/gitleaks, config/gitleaks.toml, MIT
// licensed, unmodified so it can be replaced by a newer one) and destill's
// rules for CI logs in the same format. secretrules_table.go holds them
// as Go values (secretRuleFiles), so that start-up decodes no TOML;
// TestSecretRulesTable fails when it differs from these files, and
// rewrites it with -update.
var secretRuleSources = []string{"secretrules/gitleaks.toml", "secretrules/destill.toml"}

// skippedRules are gitleaks rules destill does not run. generic-api-key
// ("key", "token", "auth"... before any value) is done in code by
// keyedSecret, tuned for logs, whose lines say "token" far more often than
// source files do.
var skippedRules = map[string]bool{"generic-api-key": true}

// ruleFile is the part of a gitleaks configuration file destill reads.
type ruleFile struct {
	Allowlist  ruleAllowlist   `toml:"allowlist"`
	Allowlists []ruleAllowlist `toml:"allowlists"`
	Rules      []ruleSpec      `toml:"rules"`
}

// ruleSpec is one rule of a ruleFile.
type ruleSpec struct {
	ID          string          `toml:"id"`
	Regex       string          `toml:"regex"`
	Path        string          `toml:"path"`
	SecretGroup int             `toml:"secretGroup"`
	Entropy     float64         `toml:"entropy"`
	Keywords    []string        `toml:"keywords"`
	Allowlists  []ruleAllowlist `toml:"allowlists"`
}

// ruleAllowlist is a gitleaks allowlist: a match it covers is not a secret.
type ruleAllowlist struct {
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	Stopwords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
}

// secretRule is one rule: a line holding one of its keywords (in any case)
// is matched against its pattern; the secret is the pattern's secretGroup,
// else its first non-empty group, else the whole match, and counts only
// when its entropy is above the rule's and no allowlist covers it.
type secretRule struct {
	id          string
	pattern     string
	secretGroup int
	entropy     float64
	allow       *allowlists
	// global is the allowlist of the rule's file, which covers its rules.
	global *allowlists

	reOnce     sync.Once
	re         *regexp.Regexp
	screenOnce sync.Once
	// follows, when set, must pass on a line for re to match in it
	// (prefilter.go): most lines that hold a keyword fail them.
	follows []follow
}

// allowlist is a compiled ruleAllowlist.
type allowlist struct {
	target    string // "" (the secret), "match" or "line"
	and       bool   // every check must hold, not just one
	patterns  []string
	regexes   []*regexp.Regexp
	stopwords []string
	// other is set when the allowlist also checks paths or commits, which
	// a log line does not have: under AND it then never holds.
	other bool
}

// screen derives the rule's follow checks on first use: most runs meet
// few of the rules, and most lines with a rule's keyword fail its checks.
func (r *secretRule) screen() []follow {
	r.screenOnce.Do(func() {
		if e, ok := tabledScreens(r.pattern); ok {
			r.follows = e.followChecks()
			return
		}
		if screenMiss != nil {
			screenMiss(r.pattern)
		}
		if raw, err := syntax.Parse(r.pattern, syntax.Perl); err == nil {
			r.follows = followsOf(raw)
		}
	})
	return r.follows
}

// compiled compiles the rule's pattern on first use: only once a line
// passed its follow checks.
func (r *secretRule) compiled() *regexp.Regexp {
	r.reOnce.Do(func() { r.re = regexp.MustCompile(r.pattern) })
	return r.re
}

// compile derives the checks and compiles the pattern.
func (r *secretRule) compile() {
	r.screen()
	r.compiled()
}

// allowlists are the allowlists of a rule or of a file, compiled on first
// use.
type allowlists struct {
	once  sync.Once
	lists []allowlist
}

// compiled returns the allowlists with their patterns compiled.
func (s *allowlists) compiled() []allowlist {
	s.once.Do(func() {
		for i := range s.lists {
			a := &s.lists[i]
			for _, p := range a.patterns {
				a.regexes = append(a.regexes, regexp.MustCompile(p))
			}
		}
	})
	return s.lists
}

// secretRules are the rules of secretRuleFiles with the index of their
// keywords.
type secretRules struct {
	rules []*secretRule
	index *keywordIndex
}

var (
	loadedRules     *secretRules
	loadedRulesErr  error
	loadedRulesOnce sync.Once
)

// rulesForRedaction returns the rules, read once. The rules of the
// shipped files and their keyword index are compiled in (secretRuleList
// and secretKeywords, keyword_tables.go); they are read from the files
// only when the files hold another number of rules than the tables were
// written for. A rule changed in place keeps the count; TestKeywordTables
// catches that (and any other stale table) before a build ships. The rule
// files are checked by the tests, so an error here is a build defect.
func rulesForRedaction() *secretRules {
	loadedRulesOnce.Do(func() {
		if shippedSecretRules() == len(secretRuleList) {
			loadedRules = &secretRules{rules: secretRuleList, index: &secretKeywords}
			return
		}
		loadedRules, loadedRulesErr = loadSecretRules(secretRuleFiles...)
	})
	if loadedRulesErr != nil {
		panic(loadedRulesErr)
	}
	return loadedRules
}

// shippedSecretRules counts the rules of the shipped files that
// collectSecretRules keeps.
func shippedSecretRules() int {
	n := 0
	for _, f := range secretRuleFiles {
		for i := range f.Rules {
			if runsOnLines(&f.Rules[i]) {
				n++
			}
		}
	}
	return n
}

// runsOnLines reports whether a rule is run on log lines: it has a pattern, is
// not a rule on file names, and is not done in code.
func runsOnLines(r *ruleSpec) bool { return r.Regex != "" && r.Path == "" && !skippedRules[r.ID] }

// loadSecretRules reads rule files into rules and their keyword index.
func loadSecretRules(files ...ruleFile) (*secretRules, error) {
	rs, words, wordRules, err := collectSecretRules(files...)
	if err != nil {
		return nil, err
	}
	if rs.index, err = newKeywordIndex(words, wordRules, len(rs.rules)); err != nil {
		return nil, err
	}
	return rs, nil
}

// collectSecretRules reads rule files into rules, and the keywords their
// index needs with the rules of each; the index of the shipped files is
// built at compile time (secretKeywords, keyword_tables.go).
func collectSecretRules(files ...ruleFile) (rs *secretRules, words []string, wordRules [][]int, err error) {
	rs = &secretRules{}
	seen := map[string]int{}
	for fi, f := range files {
		p := fmt.Sprintf("file %d", fi+1)
		if fi < len(secretRuleSources) {
			p = secretRuleSources[fi]
		}
		global := newAllowlists(append([]ruleAllowlist{f.Allowlist}, f.Allowlists...))
		for _, r := range f.Rules {
			if !runsOnLines(&r) {
				continue
			}
			if len(r.Keywords) == 0 {
				return nil, nil, nil, fmt.Errorf("secret rules %s: rule %s has no keywords: it would run on every line", p, r.ID)
			}
			n := len(rs.rules)
			rs.rules = append(rs.rules, &secretRule{id: r.ID, pattern: r.Regex, secretGroup: r.SecretGroup,
				entropy: r.Entropy, allow: newAllowlists(r.Allowlists), global: global})
			for _, k := range r.Keywords {
				k = strings.ToLower(k)
				i, ok := seen[k]
				if !ok {
					i = len(words)
					seen[k] = i
					words = append(words, k)
					wordRules = append(wordRules, nil)
				}
				wordRules[i] = append(wordRules[i], n)
			}
		}
	}
	// Keywords of the patterns written in code (redact.go) that no rule
	// has: they only make a line worth redacting (keyWords only with a key
	// assignment).
	for _, k := range append([]string{"authorization", "-----begin"}, keyWords...) {
		if _, ok := seen[k]; !ok {
			seen[k] = len(words)
			words = append(words, k)
			wordRules = append(wordRules, nil)
		}
	}
	return rs, words, wordRules, nil
}

func newAllowlists(in []ruleAllowlist) *allowlists {
	var out []allowlist
	for _, a := range in {
		if len(a.Regexes) == 0 && len(a.Stopwords) == 0 && len(a.Paths) == 0 && len(a.Commits) == 0 {
			continue
		}
		sw := make([]string, len(a.Stopwords))
		for i, w := range a.Stopwords {
			sw[i] = strings.ToLower(w)
		}
		out = append(out, allowlist{target: a.RegexTarget, and: strings.EqualFold(a.Condition, "AND"),
			patterns: a.Regexes, stopwords: sw, other: len(a.Paths) > 0 || len(a.Commits) > 0})
	}
	return &allowlists{lists: out}
}

// allows reports whether the allowlist covers secret, found in match on line.
func (a *allowlist) allows(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	regexHit := false
	for _, re := range a.regexes {
		if re.MatchString(target) {
			regexHit = true
			break
		}
	}
	stopHit := false
	if len(a.stopwords) > 0 {
		lower := strings.ToLower(secret)
		for _, w := range a.stopwords {
			if strings.Contains(lower, w) {
				stopHit = true
				break
			}
		}
	}
	if !a.and {
		return regexHit || stopHit
	}
	if a.other {
		return false
	}
	return (len(a.regexes) == 0 || regexHit) && (len(a.stopwords) == 0 || stopHit)
}

// span is a byte range of a line.
type span struct{ from, to int }

// find appends to spans the secrets the rules find in line.
func (rs *secretRules) find(line string, spans []span) []span {
	var hits [4]uint64
	hit := hits[:]
	if w := (len(rs.rules) + 63) / 64; w > len(hit) {
		hit = make([]uint64, w)
	}
	if !rs.index.scan(line, hit) {
		return spans
	}
	for wi, word := range hit {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			spans = rs.rules[wi*64+b].find(line, spans)
		}
	}
	return spans
}

// find appends to spans the secrets r finds in line.
func (r *secretRule) find(line string, spans []span) []span {
	if fs := r.screen(); fs != nil && !followPossible(fs, line) {
		return spans
	}
	for _, m := range r.compiled().FindAllStringSubmatchIndex(line, -1) {
		from, to := m[0], m[1]
		switch {
		case r.secretGroup > 0 && 2*r.secretGroup+1 < len(m):
			from, to = m[2*r.secretGroup], m[2*r.secretGroup+1]
		case r.secretGroup == 0:
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 && m[g+1] > m[g] {
					from, to = m[g], m[g+1]
					break
				}
			}
		}
		if from < 0 || to <= from {
			continue
		}
		secret := line[from:to]
		if r.entropy != 0 && shannonEntropy(secret) <= r.entropy {
			continue
		}
		if allowedBy(r.global.compiled(), secret, line[m[0]:m[1]], line) || allowedBy(r.allow.compiled(), secret, line[m[0]:m[1]], line) {
			continue
		}
		spans = append(spans, span{from, to})
	}
	return spans
}

func allowedBy(lists []allowlist, secret, match, line string) bool {
	for i := range lists {
		if lists[i].allows(secret, match, line) {
			return true
		}
	}
	return false
}

// shannonEntropy is the entropy of s's characters in bits, as gitleaks
// computes it for its rules' thresholds.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var ascii [128]int
	var other map[rune]int
	n := 0
	for _, c := range s {
		n++
		if c < utf8.RuneSelf {
			ascii[c]++
			continue
		}
		if other == nil {
			other = map[rune]int{}
		}
		other[c]++
	}
	inv := 1 / float64(len(s))
	e := 0.0
	add := func(count int) {
		if count > 0 {
			f := float64(count) * inv
			e -= f * math.Log2(f)
		}
	}
	for _, c := range ascii {
		add(c)
	}
	for _, c := range other {
		add(c)
	}
	return e
}

// redactSpans returns line with the spans (in any order, possibly
// overlapping) replaced by Redacted; touching spans become one.
func redactSpans(line string, spans []span) string {
	if len(spans) == 0 {
		return line
	}
	sortSpans(spans)
	var b strings.Builder
	b.Grow(len(line))
	at := 0
	for i, s := range spans {
		if i > 0 && s.from <= at {
			at = max(at, s.to)
			continue
		}
		b.WriteString(line[at:s.from])
		b.WriteString(Redacted)
		at = s.to
	}
	b.WriteString(line[at:])
	return b.String()
}

// sortSpans orders spans by start (insertion sort: a line has few).
func sortSpans(s []span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].from < s[j-1].from; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// keywordIndex finds, in one pass over a line, which rules have a keyword
// in it, ignoring ASCII case, as keywordSet does for the analyzer's
// triggers: a keyword of four bytes or more is indexed by a hash of its
// least common 4-byte window (a 64 KiB table), a shorter one by its first
// two bytes (an 8 KiB bitset); five positions of the line are screened per
// 8-byte load, and only those that hit are compared with the keywords
// chained there.
type keywordIndex struct {
	hit4  [1 << hashBits]uint8 // 4-gram hash → 1 when a long keyword is indexed by it
	long  *chainHeads          // 4-gram hash → 1 + the first long keyword with it
	short *chainHeads          // folded byte pair → 1 + the first short keyword with it
	next  []uint16             // keyword → 1 + the next keyword in its chain
	weak  []bool               // keyword → a weak one (see scanState)
	at    []int                // keyword → offset of the window it is indexed by
	words []string             // folded keywords
	rules [][]int              // keyword → rules
}

// foldByte maps ASCII upper case to lower case; like fold, it also changes
// some punctuation, alike in keywords and lines, which only costs a
// comparison.
func foldByte(c byte) byte { return c | 0x20 }

func newKeywordIndex(words []string, rules [][]int, nRules int) (*keywordIndex, error) {
	if len(words) >= 1<<16-1 {
		return nil, fmt.Errorf("secret rules: %d keywords, at most %d", len(words), 1<<16-2)
	}
	x := &keywordIndex{next: make([]uint16, len(words)), at: make([]int, len(words)), weak: make([]bool, len(words)), rules: rules}
	long, short := chainBuilder{}, chainBuilder{}
	for i, w := range words {
		if len(w) < 2 {
			return nil, fmt.Errorf("secret rules: keyword %q is shorter than 2 bytes", w)
		}
		f := make([]byte, len(w))
		for j := range w {
			f[j] = foldByte(w[j])
		}
		x.words = append(x.words, string(f))
		x.weak[i] = len(rules[i]) == 0 && slices.Contains(keyWords, w)
		if len(f) < 4 {
			x.next[i] = short.push(uint16(f[0])|uint16(f[1])<<8, i)
			continue
		}
		at := rarestWindow(f)
		x.at[i] = at
		h := hash4(uint32(f[at]) | uint32(f[at+1])<<8 | uint32(f[at+2])<<16 | uint32(f[at+3])<<24)
		x.hit4[h] = 1
		x.next[i] = long.push(uint16(h), i)
	}
	x.long, x.short = long.heads(), short.heads()
	return x, nil
}

// scanState is what a scan found.
type scanState struct {
	hit   []uint64 // the rules with a keyword in the line; nil: stop at the first strong keyword
	found bool     // a strong keyword: one of a rule, or of a pattern written in code
	weak  bool     // a weak keyword: a name keyedSecret knows, which hasKeyAssignment must confirm
}

// scan sets in hit the bit of every rule with a keyword in line and reports
// whether there was any.
func (x *keywordIndex) scan(line string, hit []uint64) bool {
	st := scanState{hit: hit}
	return scanKeywords(x, line, &st)
}

// scanKeywords scans line into st and reports whether it found a strong
// keyword.
func scanKeywords[T ~string | ~[]byte](x *keywordIndex, line T, st *scanState) bool {
	n := len(line)
	pair := &x.short.bits
	i := 0
	for ; i+8 <= n; i += 5 {
		_ = line[i+7]
		w := (uint64(line[i]) | uint64(line[i+1])<<8 | uint64(line[i+2])<<16 | uint64(line[i+3])<<24 |
			uint64(line[i+4])<<32 | uint64(line[i+5])<<40 | uint64(line[i+6])<<48 | uint64(line[i+7])<<56) | fold<<32 | fold
		p0, p1, p2, p3, p4 := uint16(w), uint16(w>>8), uint16(w>>16), uint16(w>>24), uint16(w>>32)
		h0, h1, h2, h3, h4 := hash4(uint32(w)), hash4(uint32(w>>8)), hash4(uint32(w>>16)), hash4(uint32(w>>24)), hash4(uint32(w>>32))
		if x.hit4[h0]|x.hit4[h1]|x.hit4[h2]|x.hit4[h3]|x.hit4[h4] == 0 &&
			(pair[p0/64]>>(p0%64)|pair[p1/64]>>(p1%64)|pair[p2/64]>>(p2%64)|pair[p3/64]>>(p3%64)|pair[p4/64]>>(p4%64))&1 == 0 {
			continue
		}
		for k, h := range [5]uint32{h0, h1, h2, h3, h4} {
			matchAt(x, line, i+k, h, st)
			if st.found && st.hit == nil {
				return true
			}
		}
	}
	for ; i+1 < n; i++ {
		h := uint32(0)
		if i+4 <= n {
			h = hash4(uint32(foldByte(line[i])) | uint32(foldByte(line[i+1]))<<8 | uint32(foldByte(line[i+2]))<<16 | uint32(foldByte(line[i+3]))<<24)
		}
		matchAt(x, line, i, h, st)
		if st.found && st.hit == nil {
			return true
		}
	}
	return st.found
}

// matchAt compares with line the keywords that may be found from position
// i: the short ones starting there, the long ones whose indexed window has
// hash h there, and notes those that match in st.
func matchAt[T ~string | ~[]byte](x *keywordIndex, line T, i int, h uint32, st *scanState) {
	note := func(k int) {
		if x.weak[k] {
			st.weak = true
			return
		}
		st.found = true
		if st.hit != nil {
			for _, r := range x.rules[k] {
				st.hit[r/64] |= 1 << (r % 64)
			}
		}
	}
	for k := int(x.short.head(uint32(foldByte(line[i]))|uint32(foldByte(line[i+1]))<<8)) - 1; k >= 0; k = int(x.next[k]) - 1 {
		if hasFoldedPrefix(line[i:], x.words[k]) {
			note(k)
		}
	}
	if x.hit4[h] == 0 {
		return
	}
	for k := int(x.long.head(h)) - 1; k >= 0; k = int(x.next[k]) - 1 {
		if at := i - x.at[k]; at >= 0 && hasFoldedPrefix(line[at:], x.words[k]) {
			note(k)
		}
	}
}

// hasFoldedPrefix reports whether s starts with w (folded) in any ASCII
// case.
func hasFoldedPrefix[T ~string | ~[]byte](s T, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if foldByte(s[i]) != w[i] {
			return false
		}
	}
	return true
}
