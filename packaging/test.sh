#!/bin/sh
# Sets everything up and runs the whole test suite: unit suites, the
# end-to-end command-line tests, crash and convergence tests, the app's
# tests under Xvfb, all under AddressSanitizer and UndefinedBehaviorSanitizer
# with warnings as errors; then screenshots of the app's pages, and every
# fuzz target briefly over its seed corpus.
# Exits non-zero when anything fails.
set -eu
cd "$(dirname "$0")/.."

sh packaging/install-deps.sh

build=${HEARTH_TEST_BUILD:-build-test}
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" >/dev/null
else
  meson setup "$build" -Db_sanitize=address,undefined -Dwerror=true \
    -Dbuildtype=debugoptimized -Dbench=true
fi
# Build everything first: `meson test` alone builds only what tests link,
# not the translation catalogue the command-line tests read.
ninja -C "$build"
meson test -C "$build" --print-errorlogs --num-processes 2

# What is left runs two things at a time (the machine it is measured on
# has two cores): the screenshots, whose shots mostly wait for their pages
# to settle, alongside the build of the fuzz targets; then the fuzz targets
# two at a time.  Each background job's output goes to a log that is shown
# when the job fails, and any failure fails the run.
fuzzbuild=${HEARTH_FUZZ_BUILD:-build-fuzz}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
if [ ! -f "$fuzzbuild/build.ninja" ]; then
  CC=clang meson setup "$fuzzbuild" -Dfuzz=true -Dbench=false -Dgui=false \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
# Only the fuzz targets: the unit suites of that tree were run above.
fuzz_targets=$(ninja -C "$fuzzbuild" -t targets all |
  sed -n 's|^\(tests/fuzz/fuzz_[A-Za-z0-9_]*\): .*|\1|p')
# shellcheck disable=SC2086
ninja -C "$fuzzbuild" $fuzz_targets >"$logs/fuzzbuild" 2>&1 &
fuzzbuild_pid=$!

# The app's main pages as PNGs, phone and desktop sizes, both languages,
# from the demo vault; a page that fails to render fails the run.
if [ -x "$build/gui-gtk/hearth-gtk" ]; then
  sh tests/gui/screenshots.sh "$build" "$build/screenshots" >/dev/null || {
    kill "$fuzzbuild_pid" 2>/dev/null; exit 1; }
  echo "screenshots: $(ls "$build/screenshots" | wc -l) PNGs in $build/screenshots"
fi

wait "$fuzzbuild_pid" || { tail -40 "$logs/fuzzbuild"; exit 1; }
# One target per tests/fuzz/fuzz_*.c: a source without its target fails
# the run rather than go unfuzzed.
set --
for c in tests/fuzz/fuzz_*.c; do
  f="$fuzzbuild/tests/fuzz/$(basename "$c" .c)"
  [ -f "$f" ] && [ -x "$f" ] || { echo "fuzz: no target $f for $c" >&2; exit 1; }
  set -- "$@" "$f"
done

# Fuzz smoke run: each target over its seed corpus plus a few seconds of
# new inputs, two at a time.  A crash or sanitizer report fails the run.
fuzz_one() { # target: runs it, prints its log's end if it fails
  name=$(basename "$1")
  corpus="tests/fuzz/corpus/${name#fuzz_}"
  work="$logs/$name"
  mkdir "$work"
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  "$1" -max_total_time="${HEARTH_FUZZ_SECONDS:-10}" -print_final_stats=0 \
    "$work" >"$work.log" 2>&1 || { echo "fuzz: $name FAILED"; tail -40 "$work.log"; return 1; }
  rm -rf "$work" "$work.log"
}
while [ $# -gt 0 ]; do
  a=$1; shift
  echo "fuzz: $(basename "$a")"
  fuzz_one "$a" & pa=$!
  pb=""
  if [ $# -gt 0 ]; then
    echo "fuzz: $(basename "$1")"
    fuzz_one "$1" & pb=$!
    shift
  fi
  fuzz_fail=0
  wait "$pa" || fuzz_fail=1
  [ -z "$pb" ] || wait "$pb" || fuzz_fail=1
  [ $fuzz_fail = 0 ] || exit 1
done
echo "all tests passed"
