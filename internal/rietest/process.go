package rietest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long the emulator gets to shut its function down after
// SIGTERM before everything is killed.
const stopGrace = 3 * time.Second

// stop ends the emulator and the function it started. The emulator runs
// the bootstrap in a process group of its own, so the groups of all its
// descendants are collected first: once the emulator is gone they can no
// longer be found through it. The emulator's group gets SIGTERM (it then
// stops the function gracefully) and, after stopGrace or once it has
// exited, every collected group gets SIGKILL.
func (e *Emulator) stop() {
	pid := e.cmd.Process.Pid
	groups := append([]int{pid}, descendantGroups(pid)...)
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(stopGrace):
	}
	own := syscall.Getpgrp()
	for _, g := range groups {
		if g > 1 && g != own {
			_ = syscall.Kill(-g, syscall.SIGKILL)
		}
	}
	<-e.done
}

// descendantGroups returns the process group IDs of every descendant of
// pid, read from /proc (Linux); it returns none where /proc is missing.
func descendantGroups(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	children := map[int][]int{}
	group := map[int]int{}
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process has exited
		}
		p, ppid, pgrp, ok := parseStat(string(b))
		if !ok {
			continue
		}
		children[ppid] = append(children[ppid], p)
		group[p] = pgrp
	}
	seen := map[int]bool{}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if g := group[p]; !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
		queue = append(queue, children[p]...)
	}
	return out
}

// parseStat reads the pid, parent pid and process group from the contents
// of /proc/<pid>/stat: "pid (comm) state ppid pgrp ...", where comm may
// itself hold spaces and parentheses.
func parseStat(s string) (pid, ppid, pgrp int, ok bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return 0, 0, 0, false
	}
	fields := strings.Fields(s[end+1:])
	if len(fields) < 3 {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	pid, err1 = strconv.Atoi(strings.TrimSpace(s[:open]))
	ppid, err2 = strconv.Atoi(fields[1])
	pgrp, err3 = strconv.Atoi(fields[2])
	return pid, ppid, pgrp, err1 == nil && err2 == nil && err3 == nil
}
