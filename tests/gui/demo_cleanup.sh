#!/bin/sh
# A --demo vault lives in a temporary directory that the app removes when it
# quits.  Ctrl+C in the terminal that started it (SIGINT) and SIGTERM must
# quit it the same way: no hearth-demo-* directory may be left behind.
#
#   tests/gui/demo_cleanup.sh APP
#
# Runs under xvfb-run (the caller provides the display).
set -u
app=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for sig in INT TERM; do
  work="$tmp/$sig"
  mkdir "$work"
  TMPDIR="$work" "$app" --demo >"$work.log" 2>&1 &
  pid=$!
  # Wait for the demo vault to be made and filled (up to 60 s under ASan).
  i=0
  while [ $i -lt 600 ]; do
    set -- "$work"/hearth-demo-*/vault.json
    [ -f "$1" ] && break
    i=$((i + 1))
    sleep 0.1
  done
  if [ ! -f "$1" ]; then
    echo "demo_cleanup: no demo vault appeared in $work" >&2
    cat "$work.log" >&2
    kill -KILL "$pid" 2>/dev/null
    exit 1
  fi
  sleep 1
  kill -"$sig" "$pid"
  # Up to 90 s: the app quits once the main loop takes the signal, which
  # waits for the demo's filling to end (on a loaded machine under ASan,
  # more than the 30 s this once allowed).
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 900 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "demo_cleanup: SIG$sig did not quit the app" >&2
    kill -KILL "$pid" 2>/dev/null
    fail=1
  fi
  wait "$pid" 2>/dev/null
  left=$(ls -d "$work"/hearth-demo-* 2>/dev/null)
  if [ -n "$left" ]; then
    echo "demo_cleanup: SIG$sig left $left behind" >&2
    fail=1
  else
    echo "ok: SIG$sig removes the demo vault"
  fi
done
exit $fail
