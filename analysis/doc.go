// Package analysis finds the lines of a CI log that explain a failure.
//
// It is pure: no I/O, no clock, no goroutines. Callers push raw log bytes into
// an Analyzer (it is an io.Writer), take the JobResult when the log ends, and
// hand the results of every job of a build to Rank, which deduplicates,
// scores and orders them into Findings. Report is the JSON document
// ("destill.findings/v1") that every output of destill is built from.
//
// # How a line flows
//
// Analyzer.processLine (analyzer.go) takes each line through these stages,
// each in its own file with the state it keeps (one field of Analyzer):
//
//  1. lines.go: LineSplitter cuts the byte stream into lines, capped at
//     MaxLineBytes; a run of empty lines comes as a count, which blanks.go
//     takes at once where no stage needs to see each line.
//  2. clean.go: the cleaner removes what a terminal would not show (ANSI
//     codes, timestamps, CI markers) and notes the marker it removed.
//  3. keywords.go: one pass over the line looks for trigger words (and
//     ".go:", other source files' ".lua:", ".kt:", ... and a private key
//     header); most lines have none and are never classified.
//  4. spans.go: a private key block is hidden whole; a GitHub "Run" step's
//     script echo is counted down.
//  5. sections.go: step and group headers are recorded; a header line is
//     structure, and ends the open block.
//  6. block.go: the line continues the open block, or the block closes and
//     is recorded (dedupe.go); otherwise the line may open a block
//     (detect), if classification says it is a candidate.
//  7. classify.go, with the rules in rules_table.go: the line is matched
//     against the rules, through a cache by line shape (shape.go), a
//     literal automaton that picks the rules worth trying (literals.go,
//     rule_index.go; its table filled as lines reach its states,
//     lazy_literals.go), and screens derived from each pattern's syntax in
//     front of it (firstbytes.go, prefilter.go: the texts a match begins
//     with, strings it must contain, what must follow its literal); each
//     pattern is compiled on first use (pattern.go), and the cache goes
//     warm from one job's analyzer to the next. Failure words are the
//     fallback, and noise.go marks echoed commands, retries, deprecations
//     and zero counts.
//  8. gotest.go: verbose go test output is followed, so that a failed test
//     shows what it printed and output of passing tests counts as noise.
//  9. context.go: the last lines are kept in a ring for the context before
//     a block, and the findings of closed blocks collect the lines after.
//  10. dedupe.go: a closed block becomes a Candidate, or one more
//     occurrence of a message seen before (fingerprints: normalize.go),
//     within per-job caps. Lines are kept whole until shown.go redacts
//     them (redact.go, with the token formats of secretrules/, compiled
//     into secretrules_table.go, each rule behind a follow check) and only
//     then cuts them to the bytes shown.
//
// Result returns the candidates and sections (result.go); chunk.go cuts a
// log into chunks analyzed apart and merges their results, and parallel.go
// does the same in process, to read one log on every core. A ShownBudget
// (shown_budget.go) keeps the shown lines of a build's best candidates
// only, as its jobs finish, and packs the others into what ranking reads
// of them (packed_candidates.go), so that memory does not grow with the
// logs.
// Rank (rank.go) scores candidates by where they sit in their job (failed
// step, verdict, repeats; the step by binary search, section_index.go)
// and against passing logs (baseline.go), joins the adjacent candidates
// of one event (events.go), merges them across jobs and orders them.
//
// Nothing is set up at package init: the rule index, the trigger set, the
// patterns and the secret rules are built on first use; the patterns'
// screens come from screens_table.go, derived ahead of time.
//
// # Adding a failure shape
//
// Everything about one ecosystem's failures is in rules_table.go: a rule
// in the rules table recognizes the trigger line (its literals, pattern,
// category and score), and names the blockSpec that says which lines after
// it belong to the finding (how the block continues, its range cap, which
// line is the message, whether it only wraps a failure reported above).
// Rules are tried in table order; at most maxRules fit, and the build
// stops when the table outgrows it. A rule needs a literal (or a leading
// marker in classify.go) to be tried at all: keep the pattern off lines
// that cannot match. A tool's closing count or wrapper is a follow-on, so
// the block with the specifics ranks first. TestRuleShapes holds a line
// of each shape; TestShapeCases and TestShapeCorpusFloor rank the shape
// corpus in testdata/shapes.
package analysis
