// Command minimal prints a word and exits: the start-up of a Go program
// that does nothing else, measured beside destill's (make bench).
package main

import "os"

func main() { os.Stdout.WriteString("minimal\n") }
