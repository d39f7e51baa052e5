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
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
out=${2:-$build/screenshots}
app="$build/gui-gtk/hearth-gtk"
[ -x "$app" ] || { echo "screenshots.sh: no $app (build it first)" >&2; exit 1; }
command -v identify >/dev/null || { echo "screenshots.sh: needs identify (imagemagick)" >&2; exit 1; }
mkdir -p "$out"

export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/gui-gtk"
export HEARTH_DATA_DIR="$top/data"
export HEARTH_LOCALEDIR="$build/po/locale"
export GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none
export ASAN_OPTIONS=detect_leaks=0
export LANG=C.UTF-8

shot() { # mode lang size page
  name="$out/$1-$4-$2-$3.png"
  LANGUAGE=$2 timeout 120 xvfb-run -a -s "-screen 0 1400x1000x24" \
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
done
exit $fail
