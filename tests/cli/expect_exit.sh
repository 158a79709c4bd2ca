#!/usr/bin/env bash
# Runs a command and checks its exit code and its output (stdout + stderr) against an extended regex.
# Usage: expect_exit.sh CODE REGEX COMMAND [ARGS...]
set -u
want=$1 regex=$2
shift 2
out=$("$@" 2>&1)
got=$?
printf '%s\n' "$out"
if [ "$got" -ne "$want" ]; then echo "expect_exit: exit code $got, expected $want" >&2; exit 1; fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then echo "expect_exit: output does not match: $regex" >&2; exit 1; fi
