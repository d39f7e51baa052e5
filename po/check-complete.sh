#!/bin/sh
# Fails when a translatable string of the sources has no translation in
# the catalogue: extracts them with xgettext (the sources listed in
# po/POTFILES) and compares with msgcmp, which names each missing msgid.
#   check-complete.sh XGETTEXT MSGCMP CATALOGUE.po OUTDIR [XGETTEXT ARGS...]
set -eu
xgettext=$1 msgcmp=$2 po=$3 out=$4
shift 4
pot="$out/check-$(basename "$po" .po).pot"
"$xgettext" "$@" --output="$pot"
"$msgcmp" "$po" "$pot"
