#!/bin/sh
# Installs every Debian 12 package that building, testing and running Hearth
# need.  Non-interactive and idempotent: safe to run again at any time.
#
# Packages go in with --no-install-recommends, so whatever only a
# recommendation would bring is named here: librsvg2-common is the SVG
# loader of gdk-pixbuf, without which GTK draws every SVG icon (the app's
# own and Adwaita's scalable ones) as "image missing".
set -eu

packages="
  build-essential pkg-config meson ninja-build
  clang llvm libclang-rt-14-dev
  libsqlite3-dev sqlite3 libsodium-dev libssl-dev libcurl4-openssl-dev libjansson-dev
  libcmocka-dev
  libmicrohttpd-dev libqrencode-dev libpq-dev postgresql wrk
  gettext locales jq
  libgtk-4-dev libadwaita-1-dev libglib2.0-dev-bin
  librsvg2-common
  xvfb xauth dbus-x11 desktop-file-utils appstream-util
  imagemagick at-spi2-core fonts-wqy-microhei
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

# Simplified Chinese is a first-class language: generate its locale so
# LANG=zh_CN.UTF-8 works (a fresh Debian has only C, C.UTF-8 and POSIX).
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  $sudo sed -i 's/^# *\(zh_CN.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^zh_CN.UTF-8 UTF-8' /etc/locale.gen ||
    echo 'zh_CN.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
  $sudo locale-gen >/dev/null
fi
