#!/bin/sh
# The layering rules of docs/ARCHITECTURE.md, checked on the source tree:
#   - crypto/ includes only crypto's public headers; sync/ only crypto's
#     and its own; a public header only those of its layer and below;
#   - no two files include each other;
#   - the faces (cli/, gui-gtk/) hold no SQL and write nothing around the
#     core: no sqlite3 calls, no hearth_record_create/_set, no audit appends;
#   - builds list every source: no fs.exists, no HEARTH_HAVE_ switches.
# Usage: layers.sh SOURCE_ROOT.  Prints each breach; exits 1 if any.
set -u
root=${1:-.}
cd "$root" || exit 2
fail=0
breach() { echo "layers: $*"; fail=1; }

crypto_h='status.h crypto.h vfs.h identity.h textcode.h'
sync_h="$crypto_h hlc.h schema.h store.h envelope.h sync.h space.h reconcile.h relay.h"

# Public headers a file includes ("hearth/X.h" -> X.h).
public_includes() {
	sed -n 's/^#include "hearth\/\([a-z_]*\.h\)".*/\1/p' "$1"
}

allowed() { # header list
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

check_layer() { # files... with allowed list in $allow
	for f in "$@"; do
		[ -f "$f" ] || continue
		for h in $(public_includes "$f"); do
			allowed "$h" "$allow" || breach "$f includes hearth/$h, above its layer"
		done
		if grep -q '#include "\.\./\(core\|cli\|gui-gtk\)/' "$f"; then
			breach "$f includes a private header of a higher layer"
		fi
	done
}

allow=$crypto_h
check_layer crypto/*.c crypto/*.h
for h in $crypto_h; do check_layer "include/hearth/$h"; done
allow=$sync_h
check_layer sync/*.c sync/*.h
for h in hlc.h schema.h store.h envelope.h sync.h space.h reconcile.h relay.h; do check_layer "include/hearth/$h"; done
if grep -l '#include "\.\./sync/' crypto/*.c crypto/*.h 2>/dev/null; then
	breach "crypto/ includes a private header of sync/"
fi

# No two files include each other (local and public headers alike).
for f in crypto/* sync/* core/* include/hearth/*; do
	case "$f" in *.c|*.h) ;; *) continue ;; esac
	for g in $(sed -n 's/^#include "\(hearth\/\)\{0,1\}\([a-z_]*\.h\)".*/\2/p' "$f"); do
		other=$(ls crypto/"$g" sync/"$g" core/"$g" include/hearth/"$g" 2>/dev/null | head -1)
		[ -n "$other" ] || continue
		base=$(basename "$f")
		if grep -q "^#include \"\(hearth/\)\{0,1\}$base\"" "$other"; then
			breach "$f and $other include each other"
		fi
	done
done

# Thin faces.
hits=$(grep -rnE 'sqlite3_|hearth_record_(create|set)|hearth_audit_append|#include <sqlite3.h>' cli gui-gtk)
[ -z "$hits" ] || breach "a face writes or runs SQL around the core:
$hits"

# Explicit builds.
hits=$(grep -rnE 'fs\.exists|HEARTH_HAVE_' --include=meson.build --include='*.c' --include='*.h' \
	crypto sync core cli gui-gtk tests po meson.build)
[ -z "$hits" ] || breach "a build drops what is missing instead of failing:
$hits"

[ $fail -eq 0 ] && echo "layers: ok"
exit $fail
