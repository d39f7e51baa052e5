#!/bin/bash
# relay_lan.sh RELAY CONF_EXAMPLE - hearth-relay's command line: bad arguments exit
# non-zero with a message, --help, a config file, and --lan: a self-signed
# certificate kept beside the store, TLS with it, the pin printed (as
# text and as a QR code) equal to openssl's SHA-256 of the public key and
# accepted by curl's --pinnedpubkey; the same pin after a restart.
set -u
relay=$1
example=$2
dir=$(mktemp -d /tmp/hearth-relay-lan-XXXXXX)
rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Bad arguments: a message naming the problem, exit 2.
"$relay" --bogus > "$dir/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "unknown option '--bogus'" "$dir/out" || fail "--bogus: $rc $(cat "$dir/out")"
"$relay" --listen 127.0.0.1:0 > "$dir/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q -- "--store is required" "$dir/out" || fail "no store: $rc"
"$relay" --store "sqlite:$dir/x.db" --quota lots > "$dir/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "'lots' is not a number" "$dir/out" || fail "--quota lots: $rc"
"$relay" --store "sqlite:$dir/x.db" --tls-cert a.pem > "$dir/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "go together" "$dir/out" || fail "cert without key: $rc"
"$relay" --store "postgresql:nothing" --listen 127.0.0.1:0 > "$dir/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "unknown store 'postgresql:nothing'" "$dir/out" || fail "a store URI of no known scheme: $rc"
# A build without PostgreSQL says so; with it, there is no server there.
"$relay" --store "postgresql:///nothing?host=$dir" --listen 127.0.0.1:0 > "$dir/out" 2>&1; rc=$?
[ $rc = 1 ] || fail "postgresql with no server: $rc $(cat "$dir/out")"
printf 'store = sqlite:%s/x.db\nnonsense = 1\n' "$dir" > "$dir/bad.conf"
"$relay" --config "$dir/bad.conf" > "$dir/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "unknown setting 'nonsense'" "$dir/out" || fail "bad config: $rc"
"$relay" --help | grep -q -- "--lan" || fail "--help"
LANGUAGE=zh_CN "$relay" --help | grep -q "用法" || fail "--help in Chinese"

# shellcheck source=relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
start() {
	relay_start "$dir/log" --config "$dir/lan.conf"
}
# packaging/hearth-relay.conf.example is read without complaint.
relay_start "$dir/log" --config "$example" --store "sqlite:$dir/e.db" --listen 127.0.0.1:0
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=

mkdir "$dir/store"
printf '# LAN mode\nstore = sqlite:%s/store/relay.db\nlisten=127.0.0.1:0\nlan = yes\n' \
	"$dir" > "$dir/lan.conf"
start
pin=$(sed -n 's/.*fingerprint: *\(sha256\/\/[A-Za-z0-9+/=]*\).*/\1/p' "$dir/log.out")
[ -n "$pin" ] || fail "no fingerprint printed: $(cat "$dir/log.out")"
grep -q "hearth sync --relay https://127.0.0.1:$port --pin $pin" "$dir/log.out" || fail "no sync line"
grep -q "█" "$dir/log.out" || fail "no QR code"
[ -f "$dir/store/relay-cert.pem" ] && [ -f "$dir/store/relay-key.pem" ] || fail "no certificate beside the store"
[ "$(stat -c %a "$dir/store/relay-key.pem")" = 600 ] || fail "the key is readable by others"
want="sha256//$(openssl x509 -in "$dir/store/relay-cert.pem" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
[ "$pin" = "$want" ] || fail "pin $pin is not openssl's $want"
body=$(curl -s -k --pinnedpubkey "$pin" "https://127.0.0.1:$port/healthz") || fail "curl with the pin"
[ "$body" = ok ] || fail "healthz over TLS: $body"
curl -s -k --pinnedpubkey "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
	"https://127.0.0.1:$port/healthz" > /dev/null && fail "a wrong pin was accepted"
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=
start
pin2=$(sed -n 's/.*fingerprint: *\(sha256\/\/[A-Za-z0-9+/=]*\).*/\1/p' "$dir/log.out")
[ "$pin2" = "$pin" ] || fail "the pin changed across a restart"
kill "$rpid"; wait "$rpid" 2>/dev/null; rpid=

# TLS from given files (here the LAN mode's): the same key, the same pin.
relay_start "$dir/log" --store "sqlite:$dir/store/relay.db" --listen 127.0.0.1:0 \
	--tls-cert "$dir/store/relay-cert.pem" --tls-key "$dir/store/relay-key.pem"
body=$(curl -s -k --pinnedpubkey "$pin" "https://127.0.0.1:$port/healthz") || fail "--tls-cert: curl"
[ "$body" = ok ] || fail "--tls-cert: healthz: $body"
curl -s "http://127.0.0.1:$port/healthz" > /dev/null && fail "--tls-cert: plain HTTP answered"
echo "relay_lan: ok"
