#!/bin/sh
# Writes PNGs of hearth-gtk's main pages, from the --demo vault, at phone
# (360x720) and desktop (1280x800) sizes, in English and Simplified Chinese.
#
#   tests/gui/screenshots.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR defaults to ./build, OUT_DIR to BUILD_DIR/screenshots.  Each
# shot is rendered by the app itself (--screenshot, through its GSK
# renderer) under Xvfb, so no desktop is needed.  Needs xvfb-run and a CJK
# font (fonts-wqy-microhei or fonts-noto-cjk) for the Chinese shots, and
# ImageMagick's identify.
#
# Each PNG must be exactly the size asked for: a window cannot shrink below
# what its content needs, so a page too wide for a phone comes out wider
# than 360 px, and fails the run (tests/gui/test_gui_width.c names it).
#
# Each shot waits 1.5 s for its page to settle, so the shots are shared
# among HEARTH_SHOT_JOBS workers (default 3), each one Xvfb that runs its
# shots one after another; a failed shot in any worker fails the run.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)

# Worker mode (run under xvfb-run by the loop at the end): the shots whose
# number is K modulo N.
if [ "${1:-}" = --worker ]; then
  k=$2 n=$3 build=$4 out=$5
  worker=1
else
  build=${1:-$top/build}
  out=${2:-$build/screenshots}
  worker=0
fi
app="$build/gui-gtk/hearth-gtk"
[ -x "$app" ] || { echo "screenshots.sh: no $app (build it first)" >&2; exit 1; }
command -v identify >/dev/null || { echo "screenshots.sh: needs identify (imagemagick)" >&2; exit 1; }
mkdir -p "$out"

if [ $worker = 0 ]; then
  n=${HEARTH_SHOT_JOBS:-3}
  pids=""
  k=0
  while [ $k -lt "$n" ]; do
    # Each worker searches for a free display from its own number: two
    # `xvfb-run -a` started at once can both pick :99.
    xvfb-run -a -n $((4600 + 10 * k)) -s "-screen 0 1400x1000x24" \
      sh "$0" --worker "$k" "$n" "$build" "$out" &
    pids="$pids $!"
    k=$((k + 1))
  done
  fail=0
  for p in $pids; do
    wait "$p" || fail=1
  done
  exit $fail
fi

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/gui-gtk"
export HEARTH_DATA_DIR="$top/data"
export HEARTH_LOCALEDIR="$build/po/locale"
export GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none
export ASAN_OPTIONS=detect_leaks=0
export LANG=C.UTF-8

i=0
shot() { # mode lang size page
  i=$((i + 1))
  [ $((i % n)) -eq "$k" ] || return 0
  name="$out/$1-$4-$2-$3.png"
  rm -f "$name"
  LANGUAGE=$2 timeout 120 \
    "$app" --demo --demo-mode "$1" --size "$3" --page "$4" \
    --screenshot "$name" >/dev/null 2>&1 || true
  if [ ! -s "$name" ]; then
    echo "screenshots.sh: failed: $name" >&2; fail=1; return
  fi
  got=$(identify -format '%wx%h' "$name")
  if [ "$got" != "$3" ]; then
    echo "screenshots.sh: $name is $got, not $3" >&2; fail=1; return
  fi
  echo "$name"
}

fail=0
for lang in en zh_CN; do
  for size in 360x720 1280x800; do
    for page in today people person appointments activities reports \
                screening followups notes activity-log; do
      shot counsellor "$lang" "$size" "$page"
    done
    for page in checkin trends exercises help; do
      shot journal "$lang" "$size" "$page"
    done
  done
  # The Sync page (pushed from the primary menu), at a short phone too.
  for size in 360x640 1280x800; do
    shot counsellor "$lang" "$size" sync
  done
  # The Team page (primary menu): the demo vault is in no team space, so
  # this is its empty state; test_gui's /gui/team saves it with members
  # (HEARTH_GUI_SHOTS).
  for size in 360x640 1280x800; do
    shot counsellor "$lang" "$size" team
  done
done
exit $fail
