// Package ui is destill's interactive terminal UI: a findings list, a detail
// pane and a status bar that fill in while a build is analyzed.
//
// State holds everything the screen shows and changes only through its
// methods; it imports no tview. The widgets draw a State. A Feed carries
// the analysis to the UI without ever blocking its sender, keeping only the
// newest Snapshot the screen has not shown. Run owns the terminal: one pump
// goroutine moves what the Feed holds into the tview event loop with
// QueueUpdateDraw, key handlers run on that loop and never queue updates.
// ui imports analysis and never app, the pipeline, a backend or a provider:
// app adapts those into Events.
package ui
