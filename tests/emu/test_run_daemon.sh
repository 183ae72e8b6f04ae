#!/bin/sh
# A program that leaves a daemon (fork, setsid, fork): the daemon is in
# no process group of the run and has lost its parent, yet it must not
# outlive the run.
. "$(dirname "$0")/lib.sh"

mkdir "$T/pids"
run_snemu run -n 8 -- "$PROGS/prog_daemon" "$T/pids"
expect_rc 0
expect_no_ranks
exit 0
