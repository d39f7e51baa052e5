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

# The app's main pages as PNGs, phone and desktop sizes, both languages,
# from the demo vault; a page that fails to render fails the run.
if [ -x "$build/gui-gtk/hearth-gtk" ]; then
  sh tests/gui/screenshots.sh "$build" "$build/screenshots" >/dev/null
  echo "screenshots: $(ls "$build/screenshots" | wc -l) PNGs in $build/screenshots"
fi

# Fuzz smoke run: each target over its seed corpus plus a few seconds of
# new inputs.  A crash or sanitizer report fails the run.
fuzzbuild=${HEARTH_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$fuzzbuild/build.ninja" ]; then
  CC=clang meson setup "$fuzzbuild" -Dfuzz=true -Dbench=false -Dgui=false \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C "$fuzzbuild" >/dev/null
for f in "$fuzzbuild"/tests/fuzz/fuzz_*; do
  [ -f "$f" ] && [ -x "$f" ] || continue
  name=$(basename "$f")
  corpus="tests/fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $name"
  "$f" -max_total_time="${HEARTH_FUZZ_SECONDS:-10}" -print_final_stats=0 \
    "$work" >"$work.log" 2>&1 || { tail -40 "$work.log"; exit 1; }
  rm -rf "$work" "$work.log"
done
echo "all tests passed"
