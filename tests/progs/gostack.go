// SPDX-License-Identifier: GPL-2.0-or-later
// gostack.go - a Go program binding 5 calls deep, built stripped
// (-ldflags="-s -w") by tests/live/stacks.sh: its frames must be named
// from .gopclntab.  Go calls bind(2) itself, without libc.

package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

//go:noinline
func kbtGoBind(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

//go:noinline
func kbtGoDeep(n int, addr string) error {
	if n > 0 {
		return kbtGoDeep(n-1, addr)
	}
	return kbtGoBind(addr)
}

func main() {
	if err := kbtGoDeep(5, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// alive a little: a static binary's comm is read from /proc (no libc probe)
	time.Sleep(300 * time.Millisecond)
}
