#!/bin/sh
# Installs every Debian 12 package that building, testing and running Hearth
# need.  Non-interactive and idempotent: safe to run again at any time.
set -eu

packages="
  build-essential pkg-config meson ninja-build
  clang llvm libclang-rt-14-dev
  libsqlite3-dev sqlite3 libsodium-dev libcurl4-openssl-dev libjansson-dev
  libcmocka-dev
  gettext locales
"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $missing
fi
