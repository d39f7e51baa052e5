/*
 * test_link.c - checked text codes (include/hearth/textcode.h) and linking
 * a second device to an identity (include/hearth/devices.h, "linking a
 * device"): what the person at the new device relies on is that it ends up
 * holding the same identity, private space and keys as the first, and
 * that nothing else can make it take anything.
 *
 * Real SQLite files and real libsodium; each device is its own store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "hearth/audit.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/schema.h"
#include "hearth/store.h"
#include "hearth/textcode.h"

#define OK(call) do { \
	hearth_status st_ = (call); \
	if (st_ != HEARTH_OK) \
		fail_msg("%s: %s (%s)", #call, hearth_strerror(st_), hearth_errdetail()); \
} while (0)

/* ---- text codes ----------------------------------------------------------- */

static void test_textcode_round_trip(void **state)
{
	uint8_t in[41], out[64];
	char code[128], typed[128];
	size_t len, j = 0;

	(void)state;
	for (size_t n = 0; n <= sizeof in; n++) {
		randombytes_buf(in, n);
		OK(hearth_textcode_encode("HX1", in, n, code, sizeof code));
		assert_int_equal(strlen(code) + 1, hearth_textcode_size(3, n));
		OK(hearth_textcode_decode("HX1", code, out, sizeof out, &len));
		assert_int_equal(len, n);
		assert_memory_equal(in, out, n);
	}
	/* As a person types it: lower case, spaces for dashes, o for 0. */
	for (const char *p = code; *p != '\0'; p++) {
		char c = *p == '-' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);

		if (p >= code + 3)
			c = c == '0' ? 'o' : c == '1' ? 'l' : c;
		typed[j++] = c;
	}
	typed[j] = '\0';
	OK(hearth_textcode_decode("hx1", typed, out, sizeof out, &len));
	assert_int_equal(len, sizeof in);
	assert_memory_equal(in, out, sizeof in);
}

static void test_textcode_refuses_mistakes(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint8_t in[41], out[64];
	char code[128], bad[130];
	size_t len, n;

	(void)state;
	randombytes_buf(in, sizeof in);
	OK(hearth_textcode_encode("HX1", in, sizeof in, code, sizeof code));
	n = strlen(code);
	/* Every single wrong character after the prefix. */
	for (size_t i = 3; i < n; i++) {
		if (code[i] == '-')
			continue;
		for (size_t a = 0; a < 32; a++) {
			if (alphabet[a] == code[i])
				continue;
			memcpy(bad, code, n + 1);
			bad[i] = alphabet[a];
			assert_int_equal(hearth_textcode_decode("HX1", bad, out, sizeof out, &len),
					 HEARTH_EFORMAT);
		}
		/* A dropped character. */
		memcpy(bad, code, i);
		memcpy(bad + i, code + i + 1, n - i);
		assert_int_equal(hearth_textcode_decode("HX1", bad, out, sizeof out, &len),
				 HEARTH_EFORMAT);
	}
	/* Swapped neighbours (where they differ). */
	for (size_t i = 4; i + 1 < n; i++) {
		if (code[i] == '-' || code[i + 1] == '-' || code[i] == code[i + 1])
			continue;
		memcpy(bad, code, n + 1);
		bad[i] = code[i + 1];
		bad[i + 1] = code[i];
		assert_int_equal(hearth_textcode_decode("HX1", bad, out, sizeof out, &len),
				 HEARTH_EFORMAT);
	}
	/* Another kind of code, a character outside the alphabet, too long. */
	assert_int_equal(hearth_textcode_decode("HY1", code, out, sizeof out, &len),
			 HEARTH_EFORMAT);
	assert_non_null(strstr(hearth_errdetail(), "HY1"));
	memcpy(bad, code, n + 1);
	bad[5] = 'U';
	assert_int_equal(hearth_textcode_decode("HX1", bad, out, sizeof out, &len),
			 HEARTH_EFORMAT);
	assert_non_null(strstr(hearth_errdetail(), "position 6"));
	assert_int_equal(hearth_textcode_decode("HX1", code, out, 8, &len), HEARTH_EFORMAT);
	assert_int_equal(hearth_textcode_decode("HX1", "", out, sizeof out, &len),
			 HEARTH_EFORMAT);
	assert_int_equal(hearth_textcode_decode("HX1", "HX1", out, sizeof out, &len),
			 HEARTH_EFORMAT);
}

/* ---- linking ---------------------------------------------------------------- */

typedef struct device_fx {
	char dir[64];
	sqlite3 *db;
	hearth_store *s;
} device_fx;

static void device_open(device_fx *d)
{
	char path[96];

	strcpy(d->dir, "/tmp/hearth-link-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(path, sizeof path, "%s/test.db", d->dir);
	assert_int_equal(sqlite3_open(path, &d->db), SQLITE_OK);
	OK(hearth_schema_migrate(d->db, hearth_schema_latest()));
	OK(hearth_store_open(d->db, NULL, &d->s));
	OK(hearth_devices_ensure(d->s, NULL));
}

static void device_close(device_fx *d)
{
	char path[96];

	hearth_store_close(d->s);
	sqlite3_close(d->db);
	snprintf(path, sizeof path, "%s/test.db", d->dir);
	unlink(path);
	rmdir(d->dir);
}

typedef struct link_fx {
	device_fx a, b, c;
} link_fx;

static int link_setup(void **state)
{
	link_fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	device_open(&f->a);
	device_open(&f->b);
	device_open(&f->c);
	*state = f;
	return 0;
}

static int link_teardown(void **state)
{
	link_fx *f = *state;

	device_close(&f->a);
	device_close(&f->b);
	device_close(&f->c);
	free(f);
	return 0;
}

struct found {
	uint64_t device;
	int linked, this_device, revoked, n;
	uint64_t cutoff, last_change_ms;
};

static int find_cb(const hearth_device_info *d, void *ctx)
{
	struct found *f = ctx;

	if (d->device == f->device) {
		f->linked = d->linked && d->certified;
		f->this_device = d->this_device;
		f->revoked = d->revoked;
		f->cutoff = d->cutoff;
		f->last_change_ms = d->last_change_ms;
		f->n++;
	}
	return 0;
}

static struct found device_seen(hearth_store *s, uint64_t device)
{
	struct found f = { .device = device };

	OK(hearth_devices_each(s, find_cb, &f));
	return f;
}

/* Everything a store holds that a link may change, for before/after. */
static char *snapshot(hearth_store *s)
{
	char fp[HEARTH_FINGERPRINT_LEN + 1], *dump, *out;
	hearth_id space = hearth_store_private_space(s);
	uint8_t key[256];
	size_t len, n;
	int found;

	OK(hearth_identity_fingerprint_get(s, fp));
	OK(hearth_store_dump(s, &dump, &len));
	OK(hearth_store_secret_get(s, "device_key", key, sizeof key, &n, &found));
	assert_true(found && n > 0);
	len = strlen(dump) + 256;
	out = malloc(len);
	assert_non_null(out);
	snprintf(out, len, "%s|%02x%02x|%02x%02x|%s", fp, space.b[0], space.b[15],
		 key[0], key[n - 1], dump);
	free(dump);
	return out;
}

struct audit_ctx {
	const char *action;
	int n;
};

static int audit_cb(const hearth_audit_entry *e, void *ctx)
{
	struct audit_ctx *a = ctx;

	a->n += strcmp(e->action, a->action) == 0;
	return 0;
}

static int audit_count(hearth_store *s, const char *action)
{
	struct audit_ctx a = { action, 0 };

	OK(hearth_audit_each(s, audit_cb, &a));
	return a.n;
}

static const char epoch_key_name[] =
	"key.00112233445566778899aabbccddeeff.0000000000000001";

static void test_link_two_devices(void **state)
{
	link_fx *f = *state;
	char code[HEARTH_LINK_CODE_MAX], fa[HEARTH_FINGERPRINT_LEN + 1];
	char fb[HEARTH_FINGERPRINT_LEN + 1];
	uint8_t key[32], got[32], *pkg = NULL, *pkg2 = NULL;
	size_t len, len2, n;
	uint64_t device = 0;
	hearth_id sa, sb;
	int found;

	randombytes_buf(key, sizeof key);
	OK(hearth_store_secret_put(f->a.s, epoch_key_name, key, sizeof key));
	OK(hearth_identity_fingerprint_get(f->a.s, fa));
	OK(hearth_identity_fingerprint_get(f->b.s, fb));
	assert_string_not_equal(fa, fb);

	OK(hearth_link_request(f->b.s, code));
	assert_int_equal(strncmp(code, "HL-", 3), 0);
	OK(hearth_link_approve(f->a.s, code, &pkg, &len, &device));
	assert_true(device == hearth_store_device(f->b.s));
	OK(hearth_link_accept(f->b.s, pkg, len));

	/* One identity, one private space, the keys, each device knows the
	 * other, and B can sign as itself. */
	OK(hearth_identity_fingerprint_get(f->b.s, fb));
	assert_string_equal(fa, fb);
	sa = hearth_store_private_space(f->a.s);
	sb = hearth_store_private_space(f->b.s);
	assert_memory_equal(sa.b, sb.b, sizeof sa.b);
	OK(hearth_store_secret_get(f->b.s, epoch_key_name, got, sizeof got, &n, &found));
	assert_true(found);
	assert_memory_equal(key, got, sizeof key);
	assert_int_equal(device_seen(f->a.s, hearth_store_device(f->b.s)).linked, 1);
	assert_int_equal(device_seen(f->b.s, hearth_store_device(f->a.s)).linked, 1);
	assert_int_equal(device_seen(f->b.s, hearth_store_device(f->b.s)).this_device, 1);
	/* A holds changes of its own (the link it approved), none of B's yet. */
	assert_true(device_seen(f->a.s, hearth_store_device(f->a.s)).last_change_ms > 0);
	assert_int_equal(device_seen(f->a.s, hearth_store_device(f->b.s)).last_change_ms, 0);
	{
		hearth_device_key *k = NULL;

		OK(hearth_device_key_load(f->b.s, &k, NULL));
		hearth_device_key_free(k);
	}
	/* Reopening B keeps all of it (the store read its space from meta). */
	hearth_store_close(f->b.s);
	OK(hearth_store_open(f->b.db, NULL, &f->b.s));
	sb = hearth_store_private_space(f->b.s);
	assert_memory_equal(sa.b, sb.b, sizeof sa.b);
	OK(hearth_identity_fingerprint_get(f->b.s, fb));
	assert_string_equal(fa, fb);

	/* Approving the same code again (a lost file) keeps one entry. */
	OK(hearth_link_approve(f->a.s, code, &pkg2, &len2, NULL));
	assert_int_equal(device_seen(f->a.s, hearth_store_device(f->b.s)).n, 1);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_APPROVE), 2);
	assert_int_equal(audit_count(f->b.s, HEARTH_AUDIT_DEVICE_LINK), 1);
	free(pkg);
	free(pkg2);
}

static void test_link_refusals(void **state)
{
	link_fx *f = *state;
	char code[HEARTH_LINK_CODE_MAX], *before, *after;
	uint8_t *pkg = NULL, *bad;
	size_t len;
	hearth_id rec;

	OK(hearth_link_request(f->b.s, code));
	OK(hearth_link_approve(f->a.s, code, &pkg, &len, NULL));

	/* A device the package is not for opens nothing and changes nothing. */
	before = snapshot(f->c.s);
	assert_int_equal(hearth_link_accept(f->c.s, pkg, len), HEARTH_EAUTH);
	after = snapshot(f->c.s);
	assert_string_equal(before, after);
	free(after);

	/* A flipped byte anywhere, a cut, the wrong magic: refused, no change. */
	bad = malloc(len);
	assert_non_null(bad);
	for (size_t i = 0; i < len; i += 7) {
		memcpy(bad, pkg, len);
		bad[i] ^= 0x20;
		assert_int_not_equal(hearth_link_accept(f->c.s, bad, len), HEARTH_OK);
	}
	assert_int_not_equal(hearth_link_accept(f->c.s, pkg, len - 1), HEARTH_OK);
	assert_int_equal(hearth_link_accept(f->c.s, pkg, 5), HEARTH_EFORMAT);
	after = snapshot(f->c.s);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(bad);

	/* B already wrote a record of its own: it is not left behind. */
	before = snapshot(f->b.s);
	OK(hearth_record_create(f->b.s, NULL, "journal", &rec));
	free(before);
	before = snapshot(f->b.s);
	assert_int_equal(hearth_link_accept(f->b.s, pkg, len), HEARTH_ESTATE);
	after = snapshot(f->b.s);
	assert_string_equal(before, after);
	free(after);
	free(before);

	/* Its own code, a mistyped code. */
	OK(hearth_link_request(f->a.s, code));
	assert_int_equal(hearth_link_approve(f->a.s, code, &bad, &len, NULL), HEARTH_EINVAL);
	code[10] = code[10] == 'A' ? 'B' : 'A';
	assert_int_equal(hearth_link_approve(f->a.s, code, &bad, &len, NULL), HEARTH_EFORMAT);
	assert_non_null(strstr(hearth_errdetail(), "mistyped"));
	free(pkg);
}

/* B's private-space ops as a bundle, imported by A: the report. */
/* Exports the private space from one device and imports it on another. */
static hearth_sync_report private_to(device_fx *from, device_fx *to)
{
	hearth_id space = hearth_store_private_space(from->s);
	hearth_sync_report r;
	char path[96];

	snprintf(path, sizeof path, "%s/p.bundle", from->dir);
	OK(hearth_offline_export(from->s, NULL, &space, 0, path, &r));
	OK(hearth_offline_import(to->s, NULL, path, NULL, NULL, &r));
	unlink(path);
	return r;
}

/* Links device d on approver: d's code, approved there, accepted on d. */
static void link_on(device_fx *approver, device_fx *d)
{
	char code[HEARTH_LINK_CODE_MAX];
	uint8_t *pkg = NULL;
	size_t len;

	OK(hearth_link_request(d->s, code));
	OK(hearth_link_approve(approver->s, code, &pkg, &len, NULL));
	OK(hearth_link_accept(d->s, pkg, len));
	free(pkg);
}

static hearth_sync_report private_b_to_a(link_fx *f)
{
	return private_to(&f->b, &f->a);
}

static int max_seq_cb(const hearth_device_head *h, void *ctx)
{
	uint64_t *v = ctx;

	if (h->device == v[0])
		v[1] = h->max_seq;
	return 0;
}

static uint64_t max_seq_of(hearth_store *s, uint64_t device)
{
	uint64_t v[2] = { device, 0 };

	OK(hearth_store_heads(s, max_seq_cb, v));
	return v[1];
}

/* A revokes linked B (a lost phone): B is listed as revoked with A's
 * last seq of it as cutoff, A's private space refuses B's later ops and
 * keeps the earlier ones, and a device linked afterwards is not told of
 * B.  Bad names, this device and a second revocation are refused with no
 * change. */
static void test_revoke(void **state)
{
	link_fx *f = *state;
	char code[HEARTH_LINK_CODE_MAX], hex[HEARTH_DEVICE_HEX + 1], *before, *after;
	uint64_t b = hearth_store_device(f->b.s), cutoff;
	hearth_device_revocation rv;
	hearth_sync_report r;
	uint8_t *pkg = NULL;
	hearth_id rec;
	size_t len;

	OK(hearth_link_request(f->b.s, code));
	OK(hearth_link_approve(f->a.s, code, &pkg, &len, NULL));
	OK(hearth_link_accept(f->b.s, pkg, len));
	free(pkg);
	OK(hearth_record_create(f->b.s, NULL, "journal", &rec));
	r = private_b_to_a(f);
	assert_true(r.applied > 0);
	cutoff = max_seq_of(f->a.s, b);
	assert_true(cutoff > 0);

	before = snapshot(f->a.s);
	hearth_device_hex(hearth_store_device(f->a.s), hex);
	assert_int_equal(hearth_device_revoke(f->a.s, hex, &rv), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "this device"));
	assert_int_equal(hearth_device_revoke(f->a.s, "0123", &rv), HEARTH_EINVAL);
	assert_int_equal(hearth_device_revoke(f->a.s, "XYZXYZXYZ", &rv), HEARTH_EINVAL);
	hearth_device_hex(hearth_store_device(f->c.s), hex);
	assert_int_equal(hearth_device_revoke(f->a.s, hex, &rv), HEARTH_ENOTFOUND);
	after = snapshot(f->a.s);
	assert_string_equal(before, after);
	free(after);
	free(before);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_REVOKE), 0);

	hearth_device_hex(b, hex);
	hex[HEARTH_DEVICE_SHORT] = '\0'; /* a prefix will do */
	OK(hearth_device_revoke(f->a.s, hex, &rv));
	assert_true(rv.device == b);
	assert_true(rv.cutoff == cutoff);
	assert_int_equal(rv.spaces, 0);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_REVOKE), 1);
	assert_int_equal(device_seen(f->a.s, b).revoked, 1);
	assert_int_equal(device_seen(f->a.s, b).linked, 0);
	assert_true(device_seen(f->a.s, b).cutoff == cutoff);
	assert_int_equal(hearth_device_revoke(f->a.s, hex, &rv), HEARTH_ESTATE);

	/* B writes on: A refuses it; what A held from B stays. */
	OK(hearth_record_create(f->b.s, NULL, "journal", &rec));
	r = private_b_to_a(f);
	assert_int_equal(r.applied, 0);
	assert_true(r.refused > 0);
	assert_true(max_seq_of(f->a.s, b) == cutoff);

	/* C, linked by A now, is not told of B. */
	OK(hearth_link_request(f->c.s, code));
	OK(hearth_link_approve(f->a.s, code, &pkg, &len, NULL));
	OK(hearth_link_accept(f->c.s, pkg, len));
	free(pkg);
	assert_int_equal(device_seen(f->c.s, b).n, 0);
	assert_int_equal(device_seen(f->c.s, hearth_store_device(f->a.s)).linked, 1);
}


/* Writes on f->b a revocation record in the private space. */
static void revocation_on_b(link_fx *f, const char *device, const char *cutoff)
{
	hearth_id rec;

	OK(hearth_record_create(f->b.s, NULL, HEARTH_KIND_REVOCATION, &rec));
	OK(hearth_record_set(f->b.s, &rec, "device", device));
	OK(hearth_record_set(f->b.s, &rec, "cutoff", cutoff));
}

/* Revocations written by another device of the identity in the private
 * space are taken on import, once; malformed ones, one naming the
 * importing device, and one naming its own writer are ignored. */
static void test_revocation_records(void **state)
{
	link_fx *f = *state;
	char hex[HEARTH_DEVICE_HEX + 1], upper[HEARTH_DEVICE_HEX + 1];
	uint64_t a = hearth_store_device(f->a.s), b = hearth_store_device(f->b.s);
	uint64_t c = hearth_store_device(f->c.s);
	size_t i;

	link_on(&f->a, &f->b);
	link_on(&f->a, &f->c);
	assert_int_equal(device_seen(f->a.s, c).linked, 1);

	hearth_device_hex(c, hex);
	for (i = 0; i <= HEARTH_DEVICE_HEX; i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 'A' : hex[i]);
	if (strcmp(upper, hex) != 0)
		revocation_on_b(f, upper, "4");
	revocation_on_b(f, hex, "04");
	revocation_on_b(f, hex, "-4");
	revocation_on_b(f, "00000000000000000", "4");
	revocation_on_b(f, "0000000000000000", "4");
	revocation_on_b(f, "zzzzzzzzzzzzzzzz", "4");
	hearth_device_hex(b, hex);
	revocation_on_b(f, hex, "4"); /* B names itself */
	hearth_device_hex(a, hex);
	revocation_on_b(f, hex, "4"); /* the importing device */
	(void)private_b_to_a(f);
	assert_int_equal(device_seen(f->a.s, a).revoked, 0);
	assert_int_equal(device_seen(f->a.s, b).revoked, 0);
	assert_int_equal(device_seen(f->a.s, c).revoked, 0);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_REVOKE), 0);

	hearth_device_hex(c, hex);
	revocation_on_b(f, hex, "4");
	(void)private_b_to_a(f);
	assert_int_equal(device_seen(f->a.s, c).revoked, 1);
	assert_int_equal(device_seen(f->a.s, c).linked, 0);
	assert_true(device_seen(f->a.s, c).cutoff == 4);
	assert_int_equal(device_seen(f->a.s, b).linked, 1);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_REVOKE), 1);
	/* Again (and a second record for it): taken once. */
	revocation_on_b(f, hex, "9");
	(void)private_b_to_a(f);
	assert_true(device_seen(f->a.s, c).cutoff == 4);
	assert_int_equal(audit_count(f->a.s, HEARTH_AUDIT_DEVICE_REVOKE), 1);
}

/* A links B; B (not A) links C.  A learns C's certificate from B's
 * private space, so what C writes reaches A, directly or through B, and
 * the three converge. */
static void test_link_chain(void **state)
{
	link_fx *f = *state;
	hearth_sync_report r;
	hearth_id p, space;

	link_on(&f->a, &f->b);
	link_on(&f->b, &f->c);
	assert_int_equal(device_seen(f->a.s, hearth_store_device(f->c.s)).linked, 0);

	space = hearth_store_private_space(f->c.s);
	OK(hearth_record_create(f->c.s, &space, "person", &p));
	OK(hearth_record_set(f->c.s, &p, "name", "陈静"));
	/* C's bundle first: A does not know C yet and keeps it aside. */
	r = private_to(&f->c, &f->a);
	assert_int_equal(r.waiting, 1);
	/* Then B's: it names C's certificate, and C's envelope is applied. */
	r = private_to(&f->b, &f->a);
	assert_int_equal(device_seen(f->a.s, hearth_store_device(f->c.s)).linked, 1);
	assert_int_equal(r.waiting, 0);
	{
		hearth_record *rec = NULL;

		OK(hearth_record_load(f->a.s, &p, &rec));
		assert_string_equal(hearth_record_field(rec, "name"), "陈静");
		hearth_record_free(rec);
	}
	/* And back: all three hold the same private space. */
	private_to(&f->a, &f->b);
	private_to(&f->a, &f->c);
	private_to(&f->c, &f->b);
	{
		char *da = NULL, *db = NULL, *dc = NULL;
		size_t n;

		OK(hearth_store_dump(f->a.s, &da, &n));
		OK(hearth_store_dump(f->b.s, &db, &n));
		OK(hearth_store_dump(f->c.s, &dc, &n));
		assert_string_equal(da, db);
		assert_string_equal(da, dc);
		free(da);
		free(db);
		free(dc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textcode_round_trip),
		cmocka_unit_test(test_textcode_refuses_mistakes),
		cmocka_unit_test_setup_teardown(test_link_two_devices, link_setup, link_teardown),
		cmocka_unit_test_setup_teardown(test_link_refusals, link_setup, link_teardown),
		cmocka_unit_test_setup_teardown(test_revoke, link_setup, link_teardown),
		cmocka_unit_test_setup_teardown(test_revocation_records, link_setup, link_teardown),
		cmocka_unit_test_setup_teardown(test_link_chain, link_setup, link_teardown),
	};

	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
