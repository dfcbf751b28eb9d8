// Package ui is destill's interactive terminal UI: a findings list, a detail
// pane and a status bar that fill in while a build is analyzed.
//
// State holds everything the screen shows and changes only through its
// methods; it imports no tview. The widgets draw a State. Run owns the
// terminal: one pump goroutine moves Events into the tview event loop with
// QueueUpdateDraw, key handlers run on that loop and never queue updates.
// ui imports analysis and never the pipeline or a backend: app adapts those
// into Events.
package ui
