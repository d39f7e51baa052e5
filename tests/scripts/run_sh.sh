#!/bin/sh
# packaging/run.sh must show why a build failed: a broken build once printed
# nothing and exited 1.  Runs run.sh in a throw-away tree whose only source
# does not compile (dependency installation stubbed out) and checks that
# the compiler's complaint reaches stderr with a non-zero exit.
#
#   tests/scripts/run_sh.sh SOURCE_ROOT
set -u
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/packaging"
cp "$src/packaging/run.sh" "$tmp/packaging/run.sh"
printf '#!/bin/sh\nexit 0\n' >"$tmp/packaging/install-deps.sh"
cat >"$tmp/meson.build" <<'MESON'
project('broken', 'c')
executable('hearth', 'broken.c')
MESON
echo "option('tests', type : 'boolean', value : true)" >"$tmp/meson_options.txt"
printf 'int main(void) { return undeclared_name_in_broken_build; }\n' >"$tmp/broken.c"

sh "$tmp/packaging/run.sh" hearth --help >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ]; then
  echo "run_sh: run.sh exited 0 on a broken build" >&2
  exit 1
fi
if ! grep -q undeclared_name_in_broken_build "$tmp/err"; then
  echo "run_sh: run.sh did not show the compiler's error; stderr was:" >&2
  cat "$tmp/err" >&2
  exit 1
fi
if ! grep -q 'run.sh: the build failed' "$tmp/err"; then
  echo "run_sh: run.sh did not say the build failed" >&2
  exit 1
fi
echo "ok: run.sh shows the build error and exits $rc"
