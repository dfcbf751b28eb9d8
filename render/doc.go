// Package render turns a findings report into text for people (plain or
// coloured), JSON for programs, and Markdown for CI summaries.
package render
