/*
 * test_vault.c - the encrypted vault: create, open, passphrase change,
 * recovery, refusal of bad, newer or damaged vaults, schema migration, and
 * that no personal data reaches the disk in clear.  Key-file hardening:
 * Argon2id caps, key wraps bound to the file's clear facts, a key file of
 * another vault named as such, format 1 key files opened and upgraded,
 * recovery codes replaced when used, and the lock on vault.json.
 *
 * Argon2id runs with hearth_kdf_params_low() except in one test, which
 * proves the 256 MiB default works.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "hearth/hearth.h"

#include "../sync/db_private.h"
#include "../core/vault_private.h"

#define PASS "correct horse battery staple"
#define PASS2 "a different passphrase, 第二个"

/* Seeded generator for test data; the seed is printed when a test
 * fails. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

typedef struct fixture {
	char root[64];  /* mkdtemp directory */
	char dir[96];   /* root/vault, made by hearth_vault_create */
	hearth_kdf_params kdf;
	hearth_vault_options opt;
} fixture;

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof f->root, "/tmp/hearth-vault-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s/vault", f->root);
	f->kdf = hearth_kdf_params_low();
	f->opt.kdf = &f->kdf;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static char *path_in(const fixture *f, const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", f->dir, name);
	return buf[i];
}

/* Whole file into memory (NULL if it cannot be read). */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(fp);
	return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Byte snapshots of the vault's two files, to prove a refused operation
 * changed nothing. */
typedef struct snapshot {
	uint8_t *keyfile, *db;
	size_t keyfile_len, db_len;
} snapshot;

static void snap_take(const fixture *f, snapshot *s)
{
	s->keyfile = slurp(path_in(f, "vault.json"), &s->keyfile_len);
	s->db = slurp(path_in(f, "hearth.db"), &s->db_len);
	assert_non_null(s->keyfile);
	assert_non_null(s->db);
}

static void snap_check(const fixture *f, const snapshot *s, int check_keyfile)
{
	size_t len;
	uint8_t *now = slurp(path_in(f, "hearth.db"), &len);

	assert_non_null(now);
	assert_int_equal(len, s->db_len);
	assert_memory_equal(now, s->db, len);
	free(now);
	if (check_keyfile) {
		now = slurp(path_in(f, "vault.json"), &len);
		assert_non_null(now);
		assert_int_equal(len, s->keyfile_len);
		assert_memory_equal(now, s->keyfile, len);
		free(now);
	}
}

static void snap_free(snapshot *s)
{
	free(s->keyfile);
	free(s->db);
}

static void assert_detail_has(const char *needle)
{
	if (strstr(hearth_errdetail(), needle) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", hearth_errdetail(), needle);
}

static hearth_vault *create_vault(fixture *f, char code[HEARTH_RECOVERY_CODE_LEN + 1])
{
	char local[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = NULL;
	hearth_status st;

	st = hearth_vault_create(f->dir, PASS, strlen(PASS), &f->opt,
				 code ? code : local, &v);
	if (st != HEARTH_OK)
		fail_msg("create: %s", hearth_errdetail());
	assert_non_null(v);
	return v;
}

static hearth_vault *open_vault(fixture *f, const char *pass)
{
	hearth_vault *v = NULL;
	hearth_status st = hearth_vault_open(f->dir, pass, strlen(pass), NULL, &v);

	if (st != HEARTH_OK)
		fail_msg("open: %s", hearth_errdetail());
	return v;
}

static hearth_id add_person(hearth_vault *v, const char *name, const char *note,
			    const char *born)
{
	hearth_store *s = hearth_vault_store(v);
	hearth_id id;

	assert_int_equal(hearth_store_begin(s), HEARTH_OK);
	assert_int_equal(hearth_record_create(s, NULL, "person", &id), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "name", name), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "note", note), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "born", born), HEARTH_OK);
	assert_int_equal(hearth_store_commit(s), HEARTH_OK);
	return id;
}

static void check_person(hearth_vault *v, const hearth_id *id, const char *name)
{
	hearth_record *r = NULL;
	hearth_status st = hearth_record_load(hearth_vault_store(v), id, &r);

	if (st != HEARTH_OK)
		fail_msg("load: %s", hearth_errdetail());
	assert_string_equal(r->kind, "person");
	assert_non_null(hearth_record_field(r, "name"));
	assert_string_equal(hearth_record_field(r, "name"), name);
	hearth_record_free(r);
}

/* ---- recovery codes --------------------------------------------------- */

static void test_recovery_code_format(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t seed = (uint64_t)time(NULL);
	(void)state;

	rng_state = seed | 1;
	for (int round = 0; round < 200; round++) {
		uint8_t raw[HEARTH_RECOVERY_BYTES], back[HEARTH_RECOVERY_BYTES];
		char code[HEARTH_RECOVERY_CODE_LEN + 1];

		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (uint8_t)rng_next();
		if (round == 0)
			memset(raw, 0xff, sizeof raw);
		if (round == 1)
			memset(raw, 0, sizeof raw);
		hearth_recovery_encode(code, raw);
		if (strlen(code) != HEARTH_RECOVERY_CODE_LEN)
			fail_msg("seed %llu: code '%s' has the wrong length",
				 (unsigned long long)seed, code);
		for (size_t i = 0; i < HEARTH_RECOVERY_CODE_LEN; i++) {
			if (i % 5 == 4) {
				assert_int_equal(code[i], '-');
				continue;
			}
			if (strchr(alphabet, code[i]) == NULL)
				fail_msg("seed %llu: '%c' in '%s' is not in the alphabet",
					 (unsigned long long)seed, code[i], code);
		}
		if (hearth_recovery_decode(back, code) != HEARTH_OK ||
		    memcmp(raw, back, sizeof raw) != 0)
			fail_msg("seed %llu: '%s' does not decode to its bytes",
				 (unsigned long long)seed, code);
	}
	/* 0xff.. is all 'Z'; 0 is all '0'. */
	{
		uint8_t raw[HEARTH_RECOVERY_BYTES];
		char code[HEARTH_RECOVERY_CODE_LEN + 1];

		memset(raw, 0xff, sizeof raw);
		hearth_recovery_encode(code, raw);
		assert_string_equal(code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
	}
}

static void test_recovery_code_typing(void **state)
{
	const char *code = "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ";
	uint8_t want[HEARTH_RECOVERY_BYTES], got[HEARTH_RECOVERY_BYTES];
	/* The same code as a person might type it. */
	static const char *const same[] = {
		"0123456789abcdefghjkmnpqrstvwxyz",
		"o123-4567-89ab-cdef-ghjk-mnpq-rstv-wxyz",
		"OI23 4567 89AB CDEF GHJK MNPQ RSTV WXYZ",
		"0L23-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ",
		" 0123 - 4567 -89ABCDEF-GHJK-MNPQ-RSTV-WXYZ-- ",
	};
	static const char *const bad[] = {
		"",
		"0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXY",     /* one short */
		"0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ0",   /* one long */
		"0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYU",    /* U is not a digit */
		"0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXY*",
		"0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXY\xc3\xa9",
	};
	(void)state;

	assert_int_equal(hearth_recovery_decode(want, code), HEARTH_OK);
	{
		char back[HEARTH_RECOVERY_CODE_LEN + 1];

		hearth_recovery_encode(back, want);
		assert_string_equal(back, code);
	}
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
		if (hearth_recovery_decode(got, same[i]) != HEARTH_OK)
			fail_msg("'%s' refused: %s", same[i], hearth_errdetail());
		assert_memory_equal(got, want, sizeof want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(got, 0xaa, sizeof got);
		if (hearth_recovery_decode(got, bad[i]) != HEARTH_EPASSPHRASE)
			fail_msg("'%s' accepted", bad[i]);
		/* Nothing half-decoded is left behind. */
		for (size_t j = 0; j < sizeof got; j++)
			assert_int_equal(got[j], 0);
	}
}

/* ---- vault.json ------------------------------------------------------- */

static void test_keyfile_roundtrip(void **state)
{
	hearth_keyfile kf, back;
	char *text = NULL;
	(void)state;

	memset(&kf, 0, sizeof kf);
	kf.format = HEARTH_VAULT_FORMAT;
	hearth_random(kf.vault_id, sizeof kf.vault_id);
	kf.passphrase.kdf = hearth_kdf_params_default();
	hearth_random(kf.passphrase.salt, sizeof kf.passphrase.salt);
	hearth_random(kf.passphrase.wrapped, sizeof kf.passphrase.wrapped);
	kf.recovery.kdf = hearth_kdf_params_low();
	hearth_random(kf.recovery.salt, sizeof kf.recovery.salt);
	hearth_random(kf.recovery.wrapped, sizeof kf.recovery.wrapped);
	/* A slot carried over from format 1 keeps its mark. */
	kf.recovery.legacy_ad = 1;
	assert_int_equal(hearth_keyfile_format(&kf, &text), HEARTH_OK);
	assert_int_equal(hearth_keyfile_parse(&back, text, strlen(text), "x"), HEARTH_OK);
	assert_int_equal(back.format, kf.format);
	assert_memory_equal(back.vault_id, kf.vault_id, sizeof kf.vault_id);
	assert_memory_equal(&back.passphrase, &kf.passphrase, sizeof kf.passphrase);
	assert_memory_equal(&back.recovery, &kf.recovery, sizeof kf.recovery);
	assert_int_equal(back.passphrase.legacy_ad, 0);
	assert_int_equal(back.recovery.legacy_ad, 1);
	free(text);

	/* Format 1 marks nothing: every slot of it is legacy. */
	kf.format = 1;
	kf.recovery.legacy_ad = 0;
	assert_int_equal(hearth_keyfile_format(&kf, &text), HEARTH_OK);
	assert_null(strstr(text, "legacy_ad"));
	assert_int_equal(hearth_keyfile_parse(&back, text, strlen(text), "x"), HEARTH_OK);
	assert_int_equal(back.passphrase.legacy_ad, 1);
	assert_int_equal(back.recovery.legacy_ad, 1);
	free(text);
}

/* ---- create and open -------------------------------------------------- */

static void test_create_open(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v;
	hearth_id a, b;
	struct stat sb;

	assert_false(hearth_vault_exists(f->dir));
	v = create_vault(f, code);
	assert_true(hearth_vault_exists(f->dir));
	assert_int_equal(strlen(code), HEARTH_RECOVERY_CODE_LEN);
	assert_string_equal(hearth_vault_dir(v), f->dir);
	assert_non_null(hearth_vault_db(v));
	a = add_person(v, "Li Na", "first visit", "1990-01-02");
	b = add_person(v, "王芳", "跟进", "1985-12-31");
	hearth_vault_close(v);

	/* Only the owner can read the vault. */
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(path_in(f, "vault.json"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(path_in(f, "hearth.db"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	v = open_vault(f, PASS);
	check_person(v, &a, "Li Na");
	check_person(v, &b, "王芳");
	assert_int_equal(hearth_schema_version(hearth_vault_db(v)), hearth_schema_latest());
	assert_int_equal(hearth_vault_check(v), HEARTH_OK);
	/* The connection is set up as documented. */
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(v),
			"SELECT * FROM pragma_journal_mode, pragma_synchronous, "
			"pragma_cache_size, pragma_foreign_keys", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
		assert_int_equal(sqlite3_column_int(st, 1), 2);
		assert_int_equal(sqlite3_column_int(st, 2), -32768);
		assert_int_equal(sqlite3_column_int(st, 3), 1);
		sqlite3_finalize(st);
	}
	hearth_vault_close(v);
	hearth_vault_close(NULL);
}

static void test_create_refuses_existing(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = create_vault(f, NULL);
	hearth_id a = add_person(v, "Zhou Jie", "n", "2000-01-01");
	snapshot s;

	hearth_vault_close(v);
	snap_take(f, &s);
	v = (hearth_vault *)1;
	assert_int_equal(hearth_vault_create(f->dir, PASS2, strlen(PASS2), &f->opt,
					     code, &v), HEARTH_EEXISTS);
	assert_null(v);
	assert_detail_has(f->dir);
	snap_check(f, &s, 1);
	snap_free(&s);
	v = open_vault(f, PASS);
	check_person(v, &a, "Zhou Jie");
	hearth_vault_close(v);

	/* A database without a key file is not overwritten either. */
	assert_int_equal(unlink(path_in(f, "vault.json")), 0);
	assert_int_equal(hearth_vault_create(f->dir, PASS2, strlen(PASS2), &f->opt,
					     code, &v), HEARTH_EEXISTS);
	assert_detail_has("hearth.db");
	assert_false(hearth_vault_exists(f->dir));
}

static void test_create_bad_arguments(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_kdf_params weak = { .opslimit = 1, .memlimit = 1024 };
	hearth_vault_options opt = { .kdf = &weak };
	hearth_vault *v = NULL;

	assert_int_equal(hearth_vault_create(f->dir, "", 0, &f->opt, code, &v),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_vault_create(f->dir, PASS, strlen(PASS), &opt, code, &v),
			 HEARTH_EINVAL);
	assert_null(v);
	assert_false(hearth_vault_exists(f->dir));
}

static void test_wrong_passphrase(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	snapshot s;

	add_person(v, "Chen Lei", "n", "1970-07-07");
	hearth_vault_close(v);
	snap_take(f, &s);
	v = (hearth_vault *)1;
	assert_int_equal(hearth_vault_open(f->dir, "wrong", 5, NULL, &v),
			 HEARTH_EPASSPHRASE);
	assert_null(v);
	assert_string_equal(hearth_errdetail(), "wrong passphrase");
	assert_int_equal(hearth_vault_open(f->dir, "", 0, NULL, &v), HEARTH_EPASSPHRASE);
	/* A prefix of the right passphrase is wrong too. */
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS) - 1, NULL, &v),
			 HEARTH_EPASSPHRASE);
	snap_check(f, &s, 1);
	snap_free(&s);
}

static void test_change_passphrase(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	hearth_id a = add_person(v, "Sun Li", "n", "1999-09-09");
	snapshot s;

	hearth_vault_close(v);
	snap_take(f, &s);

	/* Wrong old passphrase: refused, nothing changes. */
	assert_int_equal(hearth_vault_change_passphrase(f->dir, "nope", 4, PASS2,
							strlen(PASS2), &f->opt),
			 HEARTH_EPASSPHRASE);
	snap_check(f, &s, 1);

	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS),
							PASS2, strlen(PASS2), &f->opt),
			 HEARTH_OK);
	/* The database is not touched; only vault.json changed. */
	snap_check(f, &s, 0);
	{
		size_t len;
		uint8_t *now = slurp(path_in(f, "vault.json"), &len);

		assert_non_null(now);
		assert_false(len == s.keyfile_len && memcmp(now, s.keyfile, len) == 0);
		free(now);
	}
	snap_free(&s);
	/* No temporary file is left behind. */
	{
		DIR *d = opendir(f->dir);
		struct dirent *e;

		assert_non_null(d);
		while ((e = readdir(d)) != NULL)
			if (strncmp(e->d_name, ".vault.json", 11) == 0)
				fail_msg("temporary file '%s' left behind", e->d_name);
		closedir(d);
	}

	v = NULL;
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EPASSPHRASE);
	v = open_vault(f, PASS2);
	check_person(v, &a, "Sun Li");
	hearth_vault_close(v);
}

static void test_recover(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], typed[64], wrong[64];
	hearth_vault *v = create_vault(f, code);
	hearth_id a = add_person(v, "Guo Mei", "n", "1980-08-08");
	snapshot s;

	hearth_vault_close(v);
	snap_take(f, &s);

	/* A wrong code: change one character to another valid one. */
	snprintf(wrong, sizeof wrong, "%s", code);
	wrong[0] = wrong[0] == '7' ? '8' : '7';
	assert_int_equal(hearth_vault_recover(f->dir, wrong, "x", 1, &f->opt, typed),
			 HEARTH_EPASSPHRASE);
	assert_string_equal(hearth_errdetail(), "wrong recovery code");
	assert_int_equal(hearth_vault_recover(f->dir, "not a code", "x", 1, &f->opt,
					      typed), HEARTH_EPASSPHRASE);
	assert_detail_has("recovery code");
	snap_check(f, &s, 1);
	snap_free(&s);

	/* The code as typed: lower case, no dashes, spaces.  Each use
	 * replaces the code: the one used stops working, the new one
	 * works. */
	for (int variant = 0; variant < 3; variant++) {
		char newpass[32], next[HEARTH_RECOVERY_CODE_LEN + 1];
		size_t n = 0;

		for (const char *p = code; *p; p++) {
			if (variant == 0)
				typed[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			else if (variant == 1 && *p != '-')
				typed[n++] = *p;
			else if (variant == 2)
				typed[n++] = *p == '-' ? ' ' : *p;
		}
		typed[n] = '\0';
		snprintf(newpass, sizeof newpass, "recovered %d", variant);
		if (hearth_vault_recover(f->dir, typed, newpass, strlen(newpass),
					 &f->opt, next) != HEARTH_OK)
			fail_msg("'%s' refused: %s", typed, hearth_errdetail());
		assert_int_equal(strlen(next), HEARTH_RECOVERY_CODE_LEN);
		assert_string_not_equal(next, code);
		v = NULL;
		assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
				 HEARTH_EPASSPHRASE);
		v = open_vault(f, newpass);
		check_person(v, &a, "Guo Mei");
		hearth_vault_close(v);

		/* The used code unwraps nothing any more, and changes
		 * nothing. */
		snap_take(f, &s);
		assert_int_equal(hearth_vault_recover(f->dir, code, "x", 1, &f->opt, typed),
				 HEARTH_EPASSPHRASE);
		assert_string_equal(hearth_errdetail(), "wrong recovery code");
		assert_string_equal(typed, "");
		snap_check(f, &s, 1);
		snap_free(&s);
		memcpy(code, next, sizeof code);
	}
	/* The last one set is the passphrase now; the earlier ones are not. */
	v = NULL;
	assert_int_equal(hearth_vault_open(f->dir, "recovered 0", 11, NULL, &v),
			 HEARTH_EPASSPHRASE);
	v = open_vault(f, "recovered 2");
	hearth_vault_close(v);
	/* No place for the new code: refused before anything is read. */
	assert_int_equal(hearth_vault_recover(f->dir, code, "x", 1, &f->opt, NULL),
			 HEARTH_EINVAL);
}

/* ---- refusals --------------------------------------------------------- */

static void test_missing_vault(void **state)
{
	fixture *f = *state;
	hearth_vault *v = (hearth_vault *)1;
	char want[256];

	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_ENOVAULT);
	assert_null(v);
	snprintf(want, sizeof want, "no vault at '%s': run 'hearth init'", f->dir);
	assert_string_equal(hearth_errdetail(), want);
	/* An existing but empty directory. */
	assert_int_equal(hearth_vault_open(f->root, PASS, strlen(PASS), NULL, &v),
			 HEARTH_ENOVAULT);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), "x",
							1, &f->opt), HEARTH_ENOVAULT);
	{
		char code[HEARTH_RECOVERY_CODE_LEN + 1];

		assert_int_equal(hearth_vault_recover(f->dir, "0000", "x", 1, &f->opt, code),
				 HEARTH_ENOVAULT);
	}
	assert_false(hearth_vault_exists(f->dir));
}

static void test_missing_database(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);

	hearth_vault_close(v);
	assert_int_equal(unlink(path_in(f, "hearth.db")), 0);
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EDAMAGED);
	assert_detail_has("hearth.db");
	/* Opening did not make an empty database in its place. */
	assert_int_equal(access(path_in(f, "hearth.db"), F_OK), -1);
}

/* Replaces vault.json with the text made by edit(original). */
static void rewrite_keyfile(fixture *f, const char *text)
{
	spit(path_in(f, "vault.json"), text, strlen(text));
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);

	assert_non_null(at);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

static void test_newer_format(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	char *orig, *text, want[256];
	size_t len;
	snapshot s;

	hearth_vault_close(v);
	orig = (char *)slurp(path_in(f, "vault.json"), &len);
	assert_non_null(orig);
	text = replace(orig, "\"format\": 2", "\"format\": 3");
	rewrite_keyfile(f, text);
	snap_take(f, &s);
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_ENEWER);
	snprintf(want, sizeof want,
		 "vault at '%s' was made by a newer version of hearth (format 3)", f->dir);
	assert_string_equal(hearth_errdetail(), want);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), "x",
							1, &f->opt), HEARTH_ENEWER);
	snap_check(f, &s, 1);
	snap_free(&s);
	free(text);

	/* A newer format need not keep any other member. */
	rewrite_keyfile(f, "{\"format\": 7, \"keys\": []}");
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_ENEWER);
	assert_detail_has("(format 7)");
	free(orig);
}

static void test_malformed_keyfile(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	char *orig, *text;
	size_t len;
	snapshot s;
	/* A salt or wrapped key of the right length with a non-hex digit. */
	struct {
		const char *from, *to, *needle;
	} edits[] = {
		{ "\"format\": 2", "\"format\": \"2\"", "\"format\" is not an integer" },
		{ "\"format\": 2", "\"format\": 0", "\"format\"" },
		{ "\"vault_id\"", "\"vault_ident\"", "\"vault_id\" is missing" },
		{ "\"recovery\"", "\"recovered\"", "\"recovery\" is missing" },
		{ "\"alg\": \"argon2id13\"", "\"alg\": \"scrypt\"", "unknown algorithm" },
		{ "\"opslimit\": 1", "\"opslimit\": 0", "passes 0 out of range" },
		{ "\"opslimit\": 1", "\"opslimit\": 1.5", "\"opslimit\" is not an integer" },
		{ "\"opslimit\": 1", "\"opslimit\": -1", "\"opslimit\" is negative" },
		{ "\"memlimit\": 8388608", "\"memlimit\": 1024", "memory 1024 bytes out of range" },
		/* Above the caps: the field and the limit are named, and no
		 * memory is asked for. */
		{ "\"memlimit\": 8388608", "\"memlimit\": 9223372036854775807",
		  "\"memlimit\" is 9223372036854775807 bytes: above the limit of "
		  "4294967296 bytes (4 GiB)" },
		{ "\"memlimit\": 8388608", "\"memlimit\": 4398046511104",
		  "\"passphrase\".\"kdf\".\"memlimit\" is 4398046511104 bytes: above the "
		  "limit of 4294967296 bytes (4 GiB)" },
		{ "\"memlimit\": 8388608", "\"memlimit\": 4294967297",
		  "above the limit of 4294967296 bytes (4 GiB)" },
		{ "\"opslimit\": 1", "\"opslimit\": 4294967295",
		  "\"passphrase\".\"kdf\".\"opslimit\" is 4294967295 passes: above the "
		  "limit of 32 passes" },
		{ "\"opslimit\": 1", "\"opslimit\": 33",
		  "\"opslimit\" is 33 passes: above the limit of 32 passes" },
		{ "\"wrapped_key\": \"", "\"legacy_ad\": 1, \"wrapped_key\": \"",
		  "\"legacy_ad\" is not true or false" },
		{ "\"vault_id\": \"", "\"vault_id\": \"00", "must have 32 hex digits" },
		{ "\"salt\": \"", "\"salt\": \"zz", "must have 32 hex digits" },
		{ "\"wrapped_key\": \"", "\"wrapped_key\": 5, \"x\": \"", "\"wrapped_key\" is not a string" },
	};

	hearth_vault_close(v);
	orig = (char *)slurp(path_in(f, "vault.json"), &len);
	assert_non_null(orig);
	snap_take(f, &s);

	/* Truncated half-way. */
	text = strndup(orig, len / 2);
	rewrite_keyfile(f, text);
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EFORMAT);
	assert_detail_has("vault.json");
	assert_detail_has("not JSON");
	free(text);

	/* Empty, and not an object. */
	rewrite_keyfile(f, "");
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EFORMAT);
	rewrite_keyfile(f, "[1, 2]");
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EFORMAT);
	assert_detail_has("not a JSON object");

	/* Bad hex of the right length. */
	{
		char *salt = strstr(orig, "\"salt\": \"");

		assert_non_null(salt);
		text = strdup(orig);
		text[salt - orig + 9 + 5] = 'g';
		rewrite_keyfile(f, text);
		assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
				 HEARTH_EFORMAT);
		assert_detail_has("\"salt\" is not hexadecimal");
		free(text);
	}

	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		hearth_status st;

		text = replace(orig, edits[i].from, edits[i].to);
		rewrite_keyfile(f, text);
		v = NULL;
		st = hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v);
		if (st != HEARTH_EFORMAT || v != NULL)
			fail_msg("edit %zu (%s): status %d, detail \"%s\"", i, edits[i].to,
				 st, hearth_errdetail());
		assert_detail_has(path_in(f, "vault.json"));
		assert_detail_has(edits[i].needle);
		/* passwd and recover read the same file the same way. */
		assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS),
								"x", 1, &f->opt),
				 HEARTH_EFORMAT);
		free(text);
	}
	/* The database never changed, and the original file still works. */
	rewrite_keyfile(f, orig);
	snap_check(f, &s, 1);
	snap_free(&s);
	v = open_vault(f, PASS);
	hearth_vault_close(v);
	free(orig);
}

/* ---- key-file hardening ---------------------------------------------- */

static void test_kdf_caps(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], *text = NULL;
	hearth_kdf_params big = { .opslimit = 1,
				  .memlimit = HEARTH_KEYFILE_MAX_MEMLIMIT + 1 };
	hearth_kdf_params slow = { .opslimit = HEARTH_KEYFILE_MAX_OPSLIMIT + 1,
				   .memlimit = HEARTH_KDF_MIN_MEMLIMIT };
	hearth_vault_options opt = { .kdf = &big };
	hearth_keyfile kf, back;
	hearth_vault *v = NULL;

	/* Exactly at the caps is accepted by the parser (nothing is
	 * derived here). */
	memset(&kf, 0, sizeof kf);
	kf.format = HEARTH_VAULT_FORMAT;
	kf.passphrase.kdf.memlimit = HEARTH_KEYFILE_MAX_MEMLIMIT;
	kf.passphrase.kdf.opslimit = HEARTH_KEYFILE_MAX_OPSLIMIT;
	kf.recovery.kdf = hearth_kdf_params_low();
	assert_int_equal(hearth_keyfile_format(&kf, &text), HEARTH_OK);
	assert_int_equal(hearth_keyfile_parse(&back, text, strlen(text), "x"), HEARTH_OK);
	assert_int_equal(back.passphrase.kdf.memlimit, UINT64_C(4294967296));
	assert_int_equal(back.passphrase.kdf.opslimit, 32);
	free(text);
	/* One above, in the recovery slot too. */
	kf.recovery.kdf.opslimit = 33;
	assert_int_equal(hearth_keyfile_format(&kf, &text), HEARTH_OK);
	assert_int_equal(hearth_keyfile_parse(&back, text, strlen(text), "x"),
			 HEARTH_EFORMAT);
	assert_string_equal(hearth_errdetail(),
			    "malformed 'x': \"recovery\".\"kdf\".\"opslimit\" is 33 passes: "
			    "above the limit of 32 passes");
	free(text);

	/* A new vault or passphrase is held to the same caps. */
	assert_int_equal(hearth_vault_create(f->dir, PASS, strlen(PASS), &opt, code, &v),
			 HEARTH_EINVAL);
	assert_detail_has("above the limit of 4294967296 bytes (4 GiB)");
	assert_false(hearth_vault_exists(f->dir));
	opt.kdf = &slow;
	assert_int_equal(hearth_vault_create(f->dir, PASS, strlen(PASS), &opt, code, &v),
			 HEARTH_EINVAL);
	assert_detail_has("passes 33 is above the limit of 32");
	v = create_vault(f, code);
	hearth_vault_close(v);
	{
		snapshot s;

		snap_take(f, &s);
		assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS),
								PASS2, strlen(PASS2), &opt),
				 HEARTH_EINVAL);
		opt.kdf = &big;
		assert_int_equal(hearth_vault_recover(f->dir, code, PASS2, strlen(PASS2),
						      &opt, code), HEARTH_EINVAL);
		snap_check(f, &s, 1);
		snap_free(&s);
	}
}

/* The associated data of each wrap names every clear fact of its slot:
 * with the right key-encryption key, the wrap opens under the slot's own
 * facts and under no variation of any one of them. */
static void test_wrap_binding(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	uint8_t kek[HEARTH_KEYBYTES], key[HEARTH_KEYBYTES];
	char ad[HEARTH_KEYSLOT_AD_MAX];
	hearth_keyfile kf, alt;

	hearth_vault_close(v);
	assert_int_equal(hearth_keyfile_load(&kf, f->dir), HEARTH_OK);
	assert_int_equal(kf.format, 2);
	assert_int_equal(kf.passphrase.legacy_ad, 0);
	assert_int_equal(kf.recovery.legacy_ad, 0);
	assert_int_equal(hearth_kdf_derive(kek, PASS, strlen(PASS), kf.passphrase.salt,
					   &kf.passphrase.kdf), HEARTH_OK);
	hearth_keyslot_ad(ad, &kf, &kf.passphrase, HEARTH_SLOT_PASSPHRASE);
	assert_int_equal(hearth_key_unwrap(key, kf.passphrase.wrapped, kek, ad), HEARTH_OK);
	/* The label alone (format 1's binding) no longer opens it. */
	assert_int_equal(hearth_key_unwrap(key, kf.passphrase.wrapped, kek,
					   HEARTH_SLOT_PASSPHRASE), HEARTH_EAUTH);
	for (int what = 0; what < 7; what++) {
		const char *label = HEARTH_SLOT_PASSPHRASE;

		alt = kf;
		switch (what) {
		case 0: alt.format = 3; break;
		case 1: alt.vault_id[5] ^= 1; break;
		case 2: label = HEARTH_SLOT_RECOVERY; break;
		case 3: alt.passphrase.kdf.memlimit += 1024; break;
		case 4: alt.passphrase.kdf.opslimit += 1; break;
		case 5: alt.passphrase.salt[0] ^= 0x80; break;
		case 6: alt.passphrase.legacy_ad = 1; break;
		}
		hearth_keyslot_ad(ad, &alt, &alt.passphrase, label);
		if (hearth_key_unwrap(key, kf.passphrase.wrapped, kek, ad) != HEARTH_EAUTH)
			fail_msg("variation %d (AD \"%s\") still unwraps", what, ad);
	}
	hearth_wipe(kek, sizeof kek);
	hearth_wipe(key, sizeof key);
}

/* Edits of vault.json's clear facts make the unwrap fail with the usual
 * message, change nothing, and the original file still opens. */
static void test_keyfile_tampering(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], next[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = create_vault(f, code);
	char *orig, *text;
	hearth_keyfile kf, alt;
	size_t len;
	snapshot s;

	add_person(v, "Tang Yu", "n", "1977-07-17");
	hearth_vault_close(v);
	orig = (char *)slurp(path_in(f, "vault.json"), &len);
	assert_non_null(orig);
	assert_int_equal(hearth_keyfile_parse(&kf, orig, len, "x"), HEARTH_OK);
	snap_take(f, &s);
	for (int what = 0; what < 6; what++) {
		hearth_status st;

		alt = kf;
		switch (what) {
		case 0: /* another vault id: the old format opened this */
			alt.vault_id[0] ^= 1;
			break;
		case 1: /* the two salts swapped */
			memcpy(alt.passphrase.salt, kf.recovery.salt, sizeof kf.recovery.salt);
			memcpy(alt.recovery.salt, kf.passphrase.salt, sizeof kf.passphrase.salt);
			break;
		case 2: /* cheaper parameters */
			alt.passphrase.kdf.memlimit = HEARTH_KDF_MIN_MEMLIMIT + (1u << 20);
			alt.recovery.kdf.opslimit = 2;
			break;
		case 3: /* the two wraps swapped */
			memcpy(alt.passphrase.wrapped, kf.recovery.wrapped,
			       sizeof kf.recovery.wrapped);
			memcpy(alt.recovery.wrapped, kf.passphrase.wrapped,
			       sizeof kf.passphrase.wrapped);
			break;
		case 4: /* claims the old binding */
			alt.passphrase.legacy_ad = 1;
			alt.recovery.legacy_ad = 1;
			break;
		case 5: /* claims the old format */
			alt.format = 1;
			break;
		}
		assert_int_equal(hearth_keyfile_format(&alt, &text), HEARTH_OK);
		rewrite_keyfile(f, text);
		free(text);
		v = NULL;
		st = hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v);
		if (st != HEARTH_EPASSPHRASE || v != NULL)
			fail_msg("edit %d: status %d (%s)", what, st, hearth_errdetail());
		assert_string_equal(hearth_errdetail(), "wrong passphrase");
		assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS),
								PASS2, strlen(PASS2), &f->opt),
				 HEARTH_EPASSPHRASE);
		assert_int_equal(hearth_vault_recover(f->dir, code, PASS2, strlen(PASS2),
						      &f->opt, next), HEARTH_EPASSPHRASE);
		assert_string_equal(hearth_errdetail(), "wrong recovery code");
		rewrite_keyfile(f, orig);
		snap_check(f, &s, 1);
	}
	snap_free(&s);
	v = open_vault(f, PASS);
	hearth_vault_close(v);
	free(orig);
}

/* Reads meta 'vault_id' of an open vault (0 when there is none). */
static int db_vault_id(hearth_vault *v, uint8_t id[HEARTH_IDBYTES])
{
	sqlite3_stmt *q = NULL;
	int found = 0;

	assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(v),
		"SELECT value FROM meta WHERE key='vault_id'", -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW) {
		assert_int_equal(sqlite3_column_bytes(q, 0), HEARTH_IDBYTES);
		memcpy(id, sqlite3_column_blob(q, 0), HEARTH_IDBYTES);
		found = 1;
	}
	sqlite3_finalize(q);
	return found;
}

static void test_other_vault_keyfile(void **state)
{
	fixture *f = *state;
	char mine[sizeof f->dir], other[sizeof f->dir];
	uint8_t id[HEARTH_IDBYTES];
	hearth_vault *v = create_vault(f, NULL);
	hearth_id a = add_person(v, "Lu Xin", "n", "1991-01-19");
	hearth_keyfile kf;
	uint8_t *keyfile;
	size_t len;
	snapshot s;

	/* The database keeps the key file's vault id, and so does the clear
	 * marker beside it. */
	assert_int_equal(hearth_keyfile_load(&kf, f->dir), HEARTH_OK);
	assert_true(db_vault_id(v, id));
	assert_memory_equal(id, kf.vault_id, sizeof id);
	hearth_vault_close(v);
	assert_true(hearth_vault_marker_read(f->dir, id));
	assert_memory_equal(id, kf.vault_id, sizeof id);

	/* A second vault with the same passphrase: its key file unwraps
	 * fine, but its master key is not this database's. */
	snprintf(mine, sizeof mine, "%s", f->dir);
	snprintf(other, sizeof other, "%s/other", f->root);
	snprintf(f->dir, sizeof f->dir, "%s", other);
	v = create_vault(f, NULL);
	hearth_vault_close(v);
	keyfile = slurp(path_in(f, "vault.json"), &len);
	assert_non_null(keyfile);
	snprintf(f->dir, sizeof f->dir, "%s", mine);
	spit(path_in(f, "vault.json"), keyfile, len);
	snap_take(f, &s);
	v = (hearth_vault *)1;
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EOTHERVAULT);
	assert_null(v);
	assert_string_equal(hearth_errdetail(), "this key file belongs to another vault");
	/* Nothing of the database was opened: no WAL made, no file changed. */
	assert_int_equal(access(path_in(f, "hearth.db-wal"), F_OK), -1);
	snap_check(f, &s, 1);
	snap_free(&s);
	free(keyfile);

	/* Without the marker (a vault made before it was kept) the failure
	 * on page 1 is all there is to go on. */
	assert_int_equal(rename(path_in(f, "hearth.id"), path_in(f, "hearth.id.kept")), 0);
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EDAMAGED);
	assert_string_equal(hearth_errdetail(), "vault damaged: page 1 failed authentication");
	assert_int_equal(rename(path_in(f, "hearth.id.kept"), path_in(f, "hearth.id")), 0);

	/* The id inside the database is checked too, once page 1 opens: a
	 * database whose id is not the key file's is refused. */
	keyfile = slurp(path_in(f, "vault.json"), &len); /* the other's */
	snprintf(f->dir, sizeof f->dir, "%s", other);
	spit(path_in(f, "vault.json"), keyfile, len);
	free(keyfile);
	v = open_vault(f, PASS);
	assert_int_equal(sqlite3_exec(hearth_vault_db(v),
		"UPDATE meta SET value=x'0102030405060708090a0b0c0d0e0f10' "
		"WHERE key='vault_id'", NULL, NULL, NULL), SQLITE_OK);
	hearth_vault_close(v);
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EOTHERVAULT);
	assert_string_equal(hearth_errdetail(), "this key file belongs to another vault");
	assert_null(v);

	/* This vault's own key file, put back, opens it. */
	snprintf(f->dir, sizeof f->dir, "%s", mine);
	assert_int_equal(hearth_keyfile_store(&kf, f->dir, 0), HEARTH_OK);
	v = open_vault(f, PASS);
	check_person(v, &a, "Lu Xin");
	hearth_vault_close(v);
}

/* A vault made by the format 1 code (key wraps bound to the slot label
 * alone, no vault id in the database) opens, and the open rewrites it:
 * format 2, the passphrase slot bound to everything, the vault id in the
 * database and beside it.  The recovery slot keeps its old binding until
 * the code is used, then is replaced. */
static void test_v1_keyfile_upgrade(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], next[HEARTH_RECOVERY_CODE_LEN + 1];
	uint8_t kek[HEARTH_KEYBYTES], key[HEARTH_KEYBYTES], id[HEARTH_IDBYTES];
	hearth_keyfile kf, up;
	hearth_vault *v;
	hearth_id a;
	char *text;
	size_t len;

	assert_int_equal(hearth_vault_build_v1(f->dir, PASS, strlen(PASS), &f->opt, code),
			 HEARTH_OK);
	text = (char *)slurp(path_in(f, "vault.json"), &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"format\": 1"));
	assert_null(strstr(text, "legacy_ad"));
	free(text);
	assert_int_equal(access(path_in(f, "hearth.id"), F_OK), -1);
	/* Wrapped exactly as the format 1 code did: the label is the whole
	 * associated data. */
	assert_int_equal(hearth_keyfile_load(&kf, f->dir), HEARTH_OK);
	assert_int_equal(hearth_kdf_derive(kek, PASS, strlen(PASS), kf.passphrase.salt,
					   &kf.passphrase.kdf), HEARTH_OK);
	assert_int_equal(hearth_key_unwrap(key, kf.passphrase.wrapped, kek,
					   HEARTH_SLOT_PASSPHRASE), HEARTH_OK);

	v = open_vault(f, PASS);
	assert_true(db_vault_id(v, id));
	assert_memory_equal(id, kf.vault_id, sizeof id);
	a = add_person(v, "Old Key File", "n", "1966-06-16");
	hearth_vault_close(v);

	assert_int_equal(hearth_keyfile_load(&up, f->dir), HEARTH_OK);
	assert_int_equal(up.format, 2);
	assert_memory_equal(up.vault_id, kf.vault_id, sizeof id);
	assert_int_equal(up.passphrase.legacy_ad, 0);
	assert_int_equal(up.recovery.legacy_ad, 1);
	/* Same salt and cost: no Argon2id was run again, only rewrapped. */
	assert_memory_equal(up.passphrase.salt, kf.passphrase.salt, sizeof kf.passphrase.salt);
	assert_memory_equal(&up.recovery, &kf.recovery, sizeof kf.recovery);
	assert_int_equal(hearth_key_unwrap(key, up.passphrase.wrapped, kek,
					   HEARTH_SLOT_PASSPHRASE), HEARTH_EAUTH);
	assert_true(hearth_vault_marker_read(f->dir, id));
	assert_memory_equal(id, kf.vault_id, sizeof id);
	text = (char *)slurp(path_in(f, "vault.json"), &len);
	assert_non_null(strstr(text, "\"legacy_ad\": true"));
	free(text);

	/* Opens again (now under the new binding), and the old-bound
	 * recovery slot still takes the code, then is replaced. */
	v = open_vault(f, PASS);
	check_person(v, &a, "Old Key File");
	hearth_vault_close(v);
	assert_int_equal(hearth_vault_recover(f->dir, code, PASS2, strlen(PASS2), &f->opt,
					      next), HEARTH_OK);
	assert_int_equal(hearth_keyfile_load(&up, f->dir), HEARTH_OK);
	assert_int_equal(up.recovery.legacy_ad, 0);
	assert_int_equal(hearth_vault_recover(f->dir, code, PASS, strlen(PASS), &f->opt,
					      next), HEARTH_EPASSPHRASE);
	v = open_vault(f, PASS2);
	check_person(v, &a, "Old Key File");
	hearth_vault_close(v);

	/* passwd on a format 1 file writes format 2 as well. */
	snprintf(f->dir, sizeof f->dir, "%s/v1-passwd", f->root);
	assert_int_equal(hearth_vault_build_v1(f->dir, PASS, strlen(PASS), &f->opt, code),
			 HEARTH_OK);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), PASS2,
							strlen(PASS2), &f->opt), HEARTH_OK);
	assert_int_equal(hearth_keyfile_load(&up, f->dir), HEARTH_OK);
	assert_int_equal(up.format, 2);
	assert_int_equal(up.passphrase.legacy_ad, 0);
	assert_int_equal(up.recovery.legacy_ad, 1);
	v = open_vault(f, PASS2);
	hearth_vault_close(v);
	assert_int_equal(hearth_vault_recover(f->dir, code, PASS, strlen(PASS), &f->opt,
					      next), HEARTH_OK);
	hearth_wipe(kek, sizeof kek);
	hearth_wipe(key, sizeof key);
}

static void test_keyfile_lock_held(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1], next[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = create_vault(f, code);
	snapshot s;
	int lock, other;

	hearth_vault_close(v);
	assert_int_equal(hearth_keyfile_lock(f->dir, &lock), HEARTH_OK);
	snap_take(f, &s);
	/* A second taker, in this process or another, is refused at
	 * once. */
	assert_int_equal(hearth_keyfile_lock(f->dir, &other), HEARTH_EBUSY);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), PASS2,
							strlen(PASS2), &f->opt),
			 HEARTH_EBUSY);
	assert_string_equal(hearth_errdetail(),
			    "another change to the key file is in progress");
	assert_int_equal(hearth_vault_recover(f->dir, code, PASS2, strlen(PASS2), &f->opt,
					      next), HEARTH_EBUSY);
	assert_string_equal(hearth_errdetail(),
			    "another change to the key file is in progress");
	/* Opening needs no lock. */
	v = open_vault(f, PASS);
	hearth_vault_close(v);
	snap_check(f, &s, 1);
	snap_free(&s);
	hearth_keyfile_unlock(lock);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), PASS2,
							strlen(PASS2), &f->opt), HEARTH_OK);
	/* The lock follows vault.json to its new version. */
	assert_int_equal(hearth_keyfile_lock(f->dir, &lock), HEARTH_OK);
	assert_int_equal(hearth_vault_change_passphrase(f->dir, PASS2, strlen(PASS2), PASS,
							strlen(PASS), &f->opt), HEARTH_EBUSY);
	hearth_keyfile_unlock(lock);
}

/* Child of the race: waits for the start signal, changes PASS to its own
 * passphrase, and reports how it went as its exit code. */
enum { RACE_OK = 0, RACE_BUSY = 1, RACE_WRONG = 2, RACE_OTHER = 3 };

static void race_child(fixture *f, int start_fd, const char *pass)
{
	char c;
	hearth_status st;
	int rc;

	if (read(start_fd, &c, 1) != 1)
		_exit(RACE_OTHER);
	st = hearth_vault_change_passphrase(f->dir, PASS, strlen(PASS), pass,
					    strlen(pass), &f->opt);
	if (st == HEARTH_OK)
		rc = RACE_OK;
	else if (st == HEARTH_EBUSY &&
		 strcmp(hearth_errdetail(), "another change to the key file is in progress") == 0)
		rc = RACE_BUSY;
	else if (st == HEARTH_EPASSPHRASE)
		rc = RACE_WRONG;
	else
		rc = RACE_OTHER;
	_exit(rc);
}

/* Two processes change the passphrase from the same one at the same
 * moment.  Without the lock both read the same file and both report
 * success, and the one renamed first is lost.  With it, exactly one
 * succeeds; the other is told another change is in progress, or (when it
 * came second) that its old passphrase is no longer right; and the
 * passphrase that succeeded opens the vault. */
static void test_keyfile_lock_race(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	static const char *const pass[2] = { "first racer's passphrase",
					     "second racer's passphrase" };

	hearth_vault_close(v);
	for (int round = 0; round < 8; round++) {
		int fds[2], status[2], ok = 0, winner = -1;
		pid_t pid[2];

		assert_int_equal(pipe(fds), 0);
		for (int i = 0; i < 2; i++) {
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0) {
				close(fds[1]);
				race_child(f, fds[0], pass[i]);
			}
		}
		close(fds[0]);
		assert_int_equal(write(fds[1], "go", 2), 2);
		close(fds[1]);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(waitpid(pid[i], &status[i], 0), pid[i]);
			assert_true(WIFEXITED(status[i]));
			status[i] = WEXITSTATUS(status[i]);
			if (status[i] == RACE_OK) {
				ok++;
				winner = i;
			}
		}
		if (ok != 1 || status[1 - winner] == RACE_OTHER)
			fail_msg("round %d: racers ended %d and %d (0 ok, 1 busy, 2 wrong)",
				 round, status[0], status[1]);
		/* The winner's passphrase is the vault's; the loser's is
		 * not. */
		v = NULL;
		assert_int_equal(hearth_vault_open(f->dir, pass[1 - winner],
						   strlen(pass[1 - winner]), NULL, &v),
				 HEARTH_EPASSPHRASE);
		assert_int_equal(hearth_vault_change_passphrase(f->dir, pass[winner],
								strlen(pass[winner]), PASS,
								strlen(PASS), &f->opt),
				 HEARTH_OK);
	}
	v = open_vault(f, PASS);
	hearth_vault_close(v);
}

/* ---- damage ----------------------------------------------------------- */

static int count_cb(const hearth_record *r, void *ctx)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

/* A page of table field (where field values are stored) that holds
 * record data: a leaf from dbstat, or the table's root page. */
static uint32_t field_page(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	uint32_t page = 0;

	if (sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name='field' "
			       "AND pagetype='leaf' ORDER BY pageno DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_prepare_v2(db,
			"SELECT rootpage FROM sqlite_schema WHERE name='field'", -1,
			&st, NULL), SQLITE_OK);
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		page = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_true(page > 1);
	return page;
}

static void flip_byte(fixture *f, uint32_t page, uint32_t offset)
{
	int fd = open(path_in(f, "hearth.db"), O_RDWR);
	off_t at = (off_t)(page - 1) * HEARTH_VFS_PAGE_SIZE + offset;
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	assert_int_equal(close(fd), 0);
}

static void test_damaged_page(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	char name[64], want[128];
	hearth_status st;
	uint32_t page;
	sqlite3_stmt *q = NULL;
	int rc;

	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof name, "person %d", i);
		add_person(v, name, "a note long enough to fill pages a little faster "
			   "than a name alone", "2001-02-03");
	}
	page = field_page(hearth_vault_db(v));
	/* Closing the last connection checkpoints the WAL into hearth.db and
	 * removes the WAL. */
	hearth_vault_close(v);
	assert_int_equal(access(path_in(f, "hearth.db-wal"), F_OK), -1);
	flip_byte(f, page, 1000);
	snprintf(want, sizeof want, "vault damaged: page %lu failed authentication",
		 (unsigned long)page);

	/* Open reads only the pages it needs (see vault.c), so it succeeds;
	 * the damage shows as soon as the page is read, with the page named,
	 * and never as data. */
	v = open_vault(f, PASS);
	rc = sqlite3_prepare_v2(hearth_vault_db(v),
				"SELECT count(*), sum(length(hlc)) FROM field NOT INDEXED",
				-1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(q);
	assert_int_not_equal(rc, SQLITE_ROW);
	sqlite3_finalize(q);
	assert_int_equal(hearth_db_error(hearth_vault_db(v), rc, "cannot count fields"),
			 HEARTH_EDAMAGED);
	assert_string_equal(hearth_errdetail(), want);

	/* The same through the store: an error, not a short list. */
	st = hearth_store_each(hearth_vault_store(v), "person", 0, count_cb, &rc);
	assert_int_equal(st, HEARTH_EDAMAGED);
	assert_detail_has("vault damaged");

	/* And through the full check. */
	assert_int_equal(hearth_vault_check(v), HEARTH_EDAMAGED);
	assert_string_equal(hearth_errdetail(), want);
	hearth_vault_close(v);
}

static void test_damaged_first_page(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	snapshot s;

	add_person(v, "Ma Jun", "n", "1960-06-06");
	hearth_vault_close(v);
	flip_byte(f, 1, 200);
	snap_take(f, &s);
	v = NULL;
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_EDAMAGED);
	assert_null(v);
	assert_string_equal(hearth_errdetail(),
			    "vault damaged: page 1 failed authentication");
	snap_check(f, &s, 1);
	snap_free(&s);
}

/* A bulk change bigger than the page cache: SQLite writes part of the
 * transaction to the WAL before the commit and rewrites some of those
 * frames in place.  All of it must be there after reopening. */
static void test_large_transaction(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	hearth_store *s = hearth_vault_store(v);
	hearth_id first, last;
	int n = 0;

	/* A small cache makes a modest transaction spill. */
	assert_int_equal(sqlite3_exec(hearth_vault_db(v), "PRAGMA cache_size=20",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(hearth_store_begin(s), HEARTH_OK);
	for (int i = 0; i < 1500; i++) {
		char name[32];
		hearth_id id;

		snprintf(name, sizeof name, "bulk %d", i);
		assert_int_equal(hearth_record_create(s, NULL, "person", &id), HEARTH_OK);
		assert_int_equal(hearth_record_set(s, &id, "name", name), HEARTH_OK);
		assert_int_equal(hearth_record_set(s, &id, "note", "imported from the "
						   "old paper register"), HEARTH_OK);
		if (i == 0)
			first = id;
		last = id;
	}
	assert_int_equal(hearth_store_commit(s), HEARTH_OK);
	hearth_vault_close(v);

	v = open_vault(f, PASS);
	assert_int_equal(hearth_vault_check(v), HEARTH_OK);
	assert_int_equal(hearth_store_each(hearth_vault_store(v), "person", 0, count_cb,
					   &n), HEARTH_OK);
	assert_int_equal(n, 1500);
	check_person(v, &first, "bulk 0");
	check_person(v, &last, "bulk 1499");
	hearth_vault_close(v);
}

/* ---- errors of a live database ---------------------------------------- */

static void test_db_error_busy(void **state)
{
	fixture *f = *state;
	hearth_vault *v1 = create_vault(f, NULL);
	hearth_vault *v2 = open_vault(f, PASS);
	sqlite3 *db2 = hearth_vault_db(v2);
	int rc;

	assert_int_equal(sqlite3_exec(hearth_vault_db(v1), "BEGIN IMMEDIATE", NULL,
				      NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db2, 0);
	rc = sqlite3_exec(db2, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	assert_int_equal(rc & 0xff, SQLITE_BUSY);
	assert_int_equal(hearth_db_error(db2, rc, "cannot save"), HEARTH_EBUSY);
	assert_detail_has("cannot save");
	assert_int_equal(sqlite3_exec(hearth_vault_db(v1), "ROLLBACK", NULL, NULL,
				      NULL), SQLITE_OK);
	rc = sqlite3_exec(db2, "SELECT * FROM no_such_table", NULL, NULL, NULL);
	assert_int_equal(hearth_db_error(db2, rc, "cannot list"), HEARTH_EDB);
	assert_detail_has("no_such_table");
	hearth_vault_close(v2);
	hearth_vault_close(v1);
}

/* ---- schema versions -------------------------------------------------- */

static void test_migrates_old_schemas(void **state)
{
	fixture *f = *state;

	for (int k = 0; k < hearth_schema_latest(); k++) {
		char code[HEARTH_RECOVERY_CODE_LEN + 1];
		hearth_vault *v = NULL;
		hearth_id id;

		snprintf(f->dir, sizeof f->dir, "%s/vault-v%d", f->root, k);
		if (hearth_vault_build(f->dir, PASS, strlen(PASS), &f->opt, k, code) != HEARTH_OK)
			fail_msg("build at version %d: %s", k, hearth_errdetail());
		assert_int_equal(strlen(code), HEARTH_RECOVERY_CODE_LEN);
		v = open_vault(f, PASS);
		assert_int_equal(hearth_schema_version(hearth_vault_db(v)),
				 hearth_schema_latest());
		/* The vault id is kept in the meta table, which schema 1
		 * made: a vault built before it gets it at this open. */
		{
			uint8_t want[HEARTH_IDBYTES], got[HEARTH_IDBYTES];
			hearth_keyfile kf;

			assert_int_equal(hearth_keyfile_load(&kf, f->dir), HEARTH_OK);
			memcpy(want, kf.vault_id, sizeof want);
			assert_true(db_vault_id(v, got));
			assert_memory_equal(got, want, sizeof got);
		}
		id = add_person(v, "Old Schema", "n", "1950-05-05");
		hearth_vault_close(v);
		v = open_vault(f, PASS);
		check_person(v, &id, "Old Schema");
		hearth_vault_close(v);
	}
}

static void test_newer_schema(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	char sql[64];
	snapshot s;

	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", hearth_schema_latest() + 1);
	assert_int_equal(sqlite3_exec(hearth_vault_db(v), sql, NULL, NULL, NULL), SQLITE_OK);
	hearth_vault_close(v);
	snap_take(f, &s);
	v = NULL;
	assert_int_equal(hearth_vault_open(f->dir, PASS, strlen(PASS), NULL, &v),
			 HEARTH_ENEWER);
	assert_null(v);
	assert_detail_has("newer");
	snap_check(f, &s, 1);
	snap_free(&s);
}

/* ---- default cost ----------------------------------------------------- */

static void test_default_kdf(void **state)
{
	fixture *f = *state;
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault *v = NULL;
	hearth_keyfile kf;
	hearth_id id;

	assert_int_equal(hearth_vault_create(f->dir, PASS, strlen(PASS), NULL, code, &v),
			 HEARTH_OK);
	id = add_person(v, "Default Cost", "n", "1940-04-04");
	hearth_vault_close(v);
	assert_int_equal(hearth_keyfile_load(&kf, f->dir), HEARTH_OK);
	assert_int_equal(kf.passphrase.kdf.memlimit, HEARTH_KDF_DEFAULT_MEMLIMIT);
	assert_int_equal(kf.passphrase.kdf.opslimit, HEARTH_KDF_DEFAULT_OPSLIMIT);
	assert_int_equal(kf.recovery.kdf.memlimit, HEARTH_KDF_DEFAULT_MEMLIMIT);
	v = open_vault(f, PASS);
	check_person(v, &id, "Default Cost");
	hearth_vault_close(v);
}

/* ---- nothing in clear ------------------------------------------------- */

static const char *const secrets[] = {
	"Xiaoming Plaintext-Marker",
	"刘晓明",
	"sleeps badly since the night shift rota changed",
	"夜班后失眠，情绪低落",
	"1978-11-23",
	"PHQ9-MARKER-ANSWERS",
};

/* Fails if any file in dir holds one of the secrets. */
static void scan_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		uint8_t *buf;
		size_t len;

		if (e->d_name[0] == '.' && (e->d_name[1] == '\0' ||
		    (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		buf = slurp(path, &len);
		assert_non_null(buf);
		files++;
		for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
			if (memmem(buf, len, secrets[i], strlen(secrets[i])) != NULL)
				fail_msg("'%s' holds \"%s\" in clear", path, secrets[i]);
		free(buf);
	}
	closedir(d);
	assert_true(files >= 2);
}

/* Copies file src to dst byte for byte (a user copying a vault folder). */
static void copy_file(const char *src, const char *dst)
{
	FILE *in = fopen(src, "rb"), *out;
	char buf[8192];
	size_t n;

	if (in == NULL)
		return; /* -wal and -shm may not exist */
	out = fopen(dst, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* Ops of this device, counted. */
static int count_mine(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		      void *ctx)
{
	(void)op;
	(void)arrival;
	(void)state;
	(*(int *)ctx)++;
	return 0;
}

/* A copied vault folder knows it is a copy: it moves to a new device id
 * before writing, so the two copies never issue different ops under one
 * id.  The original keeps its id; reopening either keeps what it has. */
static void test_copied_vault_new_device(void **state)
{
	static const char *const files[] = { "vault.json", HEARTH_VAULT_DBFILE,
		HEARTH_VAULT_DBFILE "-wal", "vault.id" };
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	char copy[160], src[256], dst[256];
	hearth_vault_notice notice;
	uint64_t orig, cloned;
	hearth_id id;
	size_t i;
	int n = 0;

	add_person(v, "陈静", "", "1990");
	orig = hearth_store_device(hearth_vault_store(v));
	hearth_vault_close(v);

	snprintf(copy, sizeof copy, "%s/copy", f->root);
	assert_int_equal(mkdir(copy, 0700), 0);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(src, sizeof src, "%s/%s", f->dir, files[i]);
		snprintf(dst, sizeof dst, "%s/%s", copy, files[i]);
		copy_file(src, dst);
	}

	v = open_vault(f, PASS);
	assert_true(hearth_store_device(hearth_vault_store(v)) == orig);
	assert_int_equal(hearth_vault_take_notice(v, NULL), 0);
	hearth_vault_close(v);

	assert_int_equal(hearth_vault_open(copy, PASS, strlen(PASS), NULL, &v), HEARTH_OK);
	cloned = hearth_store_device(hearth_vault_store(v));
	assert_true(cloned != orig && cloned != 0);
	/* It says so once, naming both ids. */
	assert_int_equal(hearth_vault_take_notice(v, &notice), 1);
	assert_int_equal(notice.kind, HEARTH_NOTICE_COPY_NEW_DEVICE);
	assert_true(notice.old_device == orig);
	assert_true(notice.new_device == cloned);
	assert_int_equal(hearth_vault_take_notice(v, &notice), 0);
	assert_int_equal(notice.kind, HEARTH_NOTICE_NONE);
	/* The copy still holds everything, and writes under its new id from
	 * seq 1. */
	id = add_person(v, "王强", "", "1985");
	check_person(v, &id, "王强");
	assert_int_equal(hearth_store_ops(hearth_vault_store(v), cloned, 1, 0,
					  count_mine, &n), HEARTH_OK);
	assert_int_equal(n, 4);
	hearth_vault_close(v);

	/* Reopening the copy keeps its new id, with nothing more to tell. */
	assert_int_equal(hearth_vault_open(copy, PASS, strlen(PASS), NULL, &v), HEARTH_OK);
	assert_true(hearth_store_device(hearth_vault_store(v)) == cloned);
	assert_int_equal(hearth_vault_take_notice(v, NULL), 0);
	hearth_vault_close(v);
}

/* A settable wall clock for the store (ms since the epoch). */
static uint64_t fake_now(void *ctx)
{
	return *(const uint64_t *)ctx;
}

/* Opens f's vault with the store's wall clock at *wall and max_drift_ms
 * (0: the default). */
static hearth_vault *open_at(fixture *f, uint64_t *wall, uint64_t max_drift_ms)
{
	hearth_store_options so = { .now = fake_now, .now_ctx = wall,
				    .max_drift_ms = max_drift_ms };
	hearth_vault_options o = { .store = &so };
	hearth_vault *v = NULL;

	if (hearth_vault_open(f->dir, PASS, strlen(PASS), &o, &v) != HEARTH_OK)
		fail_msg("open: %s", hearth_errdetail());
	return v;
}

/* Takes every notice of v and returns how many were the clock's (the
 * last one in *out). */
static int clock_notices(hearth_vault *v, hearth_vault_notice *out)
{
	hearth_vault_notice n;
	int k = 0;

	memset(out, 0, sizeof *out);
	while (hearth_vault_take_notice(v, &n))
		if (n.kind == HEARTH_NOTICE_CLOCK_AHEAD) {
			*out = n;
			k++;
		}
	return k;
}

/* A device whose clock ran a day fast wrote day-ahead stamps; once its
 * clock is right again, every open says that its stamps are a day ahead
 * (once per open), and stops once the lead is within the drift. */
static void test_clock_ahead_noticed(void **state)
{
	/* 2026-12-01 08:00 UTC; the fast clock read a day later. */
	const uint64_t t = UINT64_C(1796112000000), day = UINT64_C(86400000);
	const uint64_t drift = HEARTH_HLC_DEFAULT_MAX_DRIFT_MS;
	fixture *f = *state;
	uint64_t wall = t + day;
	hearth_store_options so = { .now = fake_now, .now_ctx = &wall };
	hearth_vault_notice n;
	hearth_vault *v;

	f->opt.store = &so;
	v = create_vault(f, NULL);
	hearth_vault_close(v);
	v = open_at(f, &wall, 0);
	/* The clock is right when it writes: nothing to tell. */
	assert_int_equal(clock_notices(v, &n), 0);
	add_person(v, "陈静", "", "1990");
	hearth_vault_close(v);

	/* The clock is set right: the open tells, once. */
	wall = t;
	v = open_at(f, &wall, 0);
	assert_int_equal(hearth_vault_take_notice(v, &n), 1);
	assert_int_equal(n.kind, HEARTH_NOTICE_CLOCK_AHEAD);
	assert_true(n.ahead_ms == day);
	assert_true(n.max_drift_ms == drift);
	assert_true(n.at_ms == (int64_t)t);
	assert_int_equal(hearth_vault_take_notice(v, &n), 0);
	assert_int_equal(n.kind, HEARTH_NOTICE_NONE);
	/* A write now is stamped a day ahead still. */
	add_person(v, "王强", "", "1985");
	hearth_vault_close(v);

	/* Every open tells again while it lasts, with what is left. */
	wall = t + day / 2;
	v = open_at(f, &wall, 0);
	assert_int_equal(clock_notices(v, &n), 1);
	assert_true(n.ahead_ms == day / 2);
	hearth_vault_close(v);

	/* A lead within the drift is not a notice, nor one of exactly the
	 * drift; a millisecond more is. */
	wall = t + day - drift;
	v = open_at(f, &wall, 0);
	assert_int_equal(clock_notices(v, &n), 0);
	hearth_vault_close(v);
	wall = t + day - drift - 1;
	v = open_at(f, &wall, 0);
	assert_int_equal(clock_notices(v, &n), 1);
	assert_true(n.ahead_ms == drift + 1);
	hearth_vault_close(v);
	wall = t + day - 4 * 60 * 1000;
	v = open_at(f, &wall, 0);
	assert_int_equal(clock_notices(v, &n), 0);
	hearth_vault_close(v);

	/* The drift allowed is the store's. */
	wall = t;
	v = open_at(f, &wall, 2 * day);
	assert_int_equal(clock_notices(v, &n), 0);
	hearth_vault_close(v);
	v = open_at(f, &wall, day / 2);
	assert_int_equal(clock_notices(v, &n), 1);
	assert_true(n.max_drift_ms == day / 2);
	hearth_vault_close(v);

	/* A copy of it has two things to tell, the copy first, each once. */
	{
		static const char *const files[] = { "vault.json", HEARTH_VAULT_DBFILE,
			HEARTH_VAULT_DBFILE "-wal", "vault.id" };
		char src[256], dst[256];
		size_t i;

		snprintf(dst, sizeof dst, "%s/copy", f->root);
		assert_int_equal(mkdir(dst, 0700), 0);
		for (i = 0; i < sizeof files / sizeof files[0]; i++) {
			snprintf(src, sizeof src, "%s/%s", f->dir, files[i]);
			snprintf(dst, sizeof dst, "%s/copy/%s", f->root, files[i]);
			copy_file(src, dst);
		}
		snprintf(f->dir, sizeof f->dir, "%s/copy", f->root);
		v = open_at(f, &wall, 0);
		assert_int_equal(hearth_vault_take_notice(v, &n), 1);
		assert_int_equal(n.kind, HEARTH_NOTICE_COPY_NEW_DEVICE);
		assert_int_equal(hearth_vault_take_notice(v, &n), 1);
		assert_int_equal(n.kind, HEARTH_NOTICE_CLOCK_AHEAD);
		assert_true(n.ahead_ms == day);
		assert_int_equal(hearth_vault_take_notice(v, &n), 0);
		hearth_vault_close(v);
	}
}

/* The case of the issue with the real clock: table meta's "clock" a day
 * ahead (as a device that ran fast leaves it) is found at open. */
static void test_meta_clock_ahead_noticed(void **state)
{
	const uint64_t day = UINT64_C(86400000);
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	hearth_vault_notice n;
	sqlite3_stmt *st = NULL;
	uint64_t now = (uint64_t)time(NULL) * 1000;
	hearth_hlc ahead = hearth_hlc_make(now + day, 0,
					   hearth_store_device(hearth_vault_store(v)));

	assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(v),
		"UPDATE meta SET value=?1 WHERE key='clock'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_blob(st, 1, ahead.b, sizeof ahead.b, SQLITE_STATIC),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_changes(hearth_vault_db(v)), 1);
	hearth_vault_close(v);

	v = open_vault(f, PASS);
	assert_int_equal(hearth_vault_take_notice(v, &n), 1);
	assert_int_equal(n.kind, HEARTH_NOTICE_CLOCK_AHEAD);
	/* Measured a moment later than planted. */
	assert_true(n.ahead_ms <= day && n.ahead_ms > day - 60 * 1000);
	assert_true(n.max_drift_ms == HEARTH_HLC_DEFAULT_MAX_DRIFT_MS);
	assert_int_equal(hearth_vault_take_notice(v, &n), 0);
	hearth_vault_close(v);
}

/* Durations in words: the two largest units, rounded to the smaller. */
static void test_duration_words(void **state)
{
	static const struct {
		uint64_t ms;
		const char *words;
	} cases[] = {
		{ 0, "0 seconds" },
		{ 1000, "1 second" },
		{ 29400, "29 seconds" },
		{ 59500, "1 minute" },
		{ 5 * 60000, "5 minutes" },
		{ 5 * 60000 + 50000, "6 minutes" },
		{ 59 * 60000 + 29000, "59 minutes" },
		{ 59 * 60000 + 31000, "1 hour" },
		{ 3600000 + 60000, "1 hour 1 minute" },
		{ 2 * 3600000 + 5 * 60000, "2 hours 5 minutes" },
		{ 86400000 - 1000, "1 day" },
		{ 86400000, "1 day" },
		{ 86400000 + 29 * 60000, "1 day" },
		{ 86400000 + 31 * 60000, "1 day 1 hour" },
		{ 3 * 86400000 + 5 * 3600000, "3 days 5 hours" },
	};
	char buf[64];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = hearth_duration_words(cases[i].ms, buf, sizeof buf);

		if (strcmp(buf, cases[i].words) != 0)
			fail_msg("%llu ms: '%s', not '%s'", (unsigned long long)cases[i].ms,
				 buf, cases[i].words);
		assert_int_equal(n, (int)strlen(buf));
	}
	/* Cut to the buffer, NUL-terminated; the length it wanted. */
	assert_int_equal(hearth_duration_words(2 * 3600000 + 5 * 60000, buf, 10), 17);
	assert_string_equal(buf, "2 hours 5");
	assert_int_equal(hearth_duration_words(2 * 3600000 + 5 * 60000, buf, 8), 7);
	assert_string_equal(buf, "2 hours");
}

/* A note is never changed once written, whoever asks. */
static void test_notes_immutable_in_store(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	hearth_store *s = hearth_vault_store(v);
	hearth_id id;

	assert_int_equal(hearth_record_create(s, NULL, "note", &id), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "text", "first words"), HEARTH_OK);
	assert_int_equal(hearth_record_set(s, &id, "text", "rewritten"), HEARTH_ESTATE);
	assert_int_equal(hearth_record_set(s, &id, "date", "2026-12-06"), HEARTH_OK);
	hearth_vault_close(v);
}

/* Sends the ops of one vault the other does not hold. */
struct sendbuf {
	hearth_store *to;
	int failed;
	size_t n;
};

static int send_one(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		    void *ctx)
{
	struct sendbuf *b = ctx;

	(void)arrival;
	(void)state;
	if (hearth_store_apply(b->to, op, 1, NULL) != HEARTH_OK)
		b->failed = 1;
	b->n++;
	return b->failed;
}

static void sync_to(hearth_vault *from, hearth_vault *to)
{
	struct sendbuf b = { hearth_vault_store(to), 0, 0 };

	assert_int_equal(hearth_store_ops_since(hearth_vault_store(from), 0, send_one, &b),
			 HEARTH_OK);
	assert_int_equal(b.failed, 0);
}

/* Counts ops of a record whose value is still held. */
struct valcount {
	hearth_id record;
	int with_value, listed;
};

static int count_values(const hearth_op *op, uint64_t arrival, hearth_op_state state,
			void *ctx)
{
	struct valcount *c = ctx;

	(void)arrival;
	(void)state;
	if (hearth_id_equal(&op->record, &c->record)) {
		c->listed++;
		if (op->value != NULL && strcmp(op->field, HEARTH_FIELD_PURGED) != 0)
			c->with_value++;
	}
	return 0;
}

/* An erasure request: purging a record removes its values from the
 * fields and the op log of every vault that merges the purge; what the
 * purge leaves is the id, and later writes to it are refused or emptied. */
static void test_purge_erases_everywhere(void **state)
{
	fixture *f = *state;
	hearth_vault *a = create_vault(f, NULL), *b = NULL;
	char other[160];
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_record *r = NULL;
	struct valcount vc;
	hearth_id p;
	sqlite3_stmt *st = NULL;

	snprintf(other, sizeof other, "%s/other", f->root);
	assert_int_equal(hearth_vault_create(other, PASS, strlen(PASS), &f->opt, code, &b),
			 HEARTH_OK);
	p = add_person(a, "周敏", "失眠，家庭矛盾", "1979");
	sync_to(a, b);
	/* b edits it before hearing of the purge. */
	assert_int_equal(hearth_record_set(hearth_vault_store(b), &p, "note", "后来说想辞职"),
			 HEARTH_OK);

	assert_int_equal(hearth_record_purge(hearth_vault_store(a), &p), HEARTH_OK);
	sync_to(a, b);
	sync_to(b, a);

	hearth_vault *both[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		hearth_store *s = hearth_vault_store(both[i]);

		assert_int_equal(hearth_record_load(s, &p, &r), HEARTH_OK);
		assert_true(r->deleted);
		assert_int_equal(r->nfields, 0);
		hearth_record_free(r);
		/* No value of it left in the op log (the purged ops are not
		 * even listed for forwarding), nor in any table. */
		memset(&vc, 0, sizeof vc);
		vc.record = p;
		assert_int_equal(hearth_store_ops_since(s, 0, count_values, &vc), HEARTH_OK);
		assert_int_equal(vc.with_value, 0);
		assert_int_equal(sqlite3_prepare_v2(hearth_vault_db(both[i]),
			"SELECT count(*) FROM op WHERE value IN ('周敏', '失眠，家庭矛盾', "
			"'1979', '后来说想辞职')", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 0);
		sqlite3_finalize(st);
		/* Writing to it is refused. */
		assert_int_equal(hearth_record_set(s, &p, "name", "again"), HEARTH_ESTATE);
	}
	hearth_vault_close(a);
	hearth_vault_close(b);
}

struct space_count {
	hearth_id local, priv;
	int n_local, n_priv;
};

static int count_spaces(const hearth_record *r, void *ctx)
{
	struct space_count *c = ctx;

	c->n_local += hearth_id_equal(&r->space, &c->local);
	c->n_priv += hearth_id_equal(&r->space, &c->priv);
	return 0;
}

/* The language a device speaks is its own: it stays in the device-local
 * space and never reaches another device, while the vault's settings
 * record does.  A language set before there was a local space still counts, and
 * clearing it clears that too. */
static void test_device_local_settings(void **state)
{
	fixture *f = *state;
	hearth_vault *a = create_vault(f, NULL), *b = NULL;
	char other[160], code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_store *sa = hearth_vault_store(a), *sb;
	hearth_id local = hearth_store_local_space(sa), local_b, legacy;
	struct space_count sp = { 0 };
	char *v = NULL;

	snprintf(other, sizeof other, "%s/other", f->root);
	assert_int_equal(hearth_vault_create(other, PASS, strlen(PASS), &f->opt, code, &b),
			 HEARTH_OK);
	sb = hearth_vault_store(b);
	local_b = hearth_store_local_space(sb);
	assert_false(hearth_id_equal(&local, &local_b));

	assert_int_equal(hearth_settings_set(sa, HEARTH_SETTING_LANG, "zh_CN"), HEARTH_OK);
	assert_int_equal(hearth_settings_set(sa, HEARTH_SETTING_HELPLINES,
					     "Union hotline:0355-1234567"), HEARTH_OK);
	sync_to(a, b);
	/* b got a's settings record (in a's private space), not the one in
	 * a's local space. */
	sp.local = local;
	sp.priv = hearth_store_private_space(sa);
	assert_int_equal(hearth_store_each(sb, HEARTH_SETTINGS_KIND, 1, count_spaces, &sp),
			 HEARTH_OK);
	assert_int_equal(sp.n_priv, 1);
	assert_int_equal(sp.n_local, 0);
	assert_int_equal(hearth_settings_get(sb, HEARTH_SETTING_LANG, &v), HEARTH_OK);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(hearth_settings_get(sa, HEARTH_SETTING_LANG, &v), HEARTH_OK);
	assert_string_equal(v, "zh_CN");
	free(v);

	/* An older vault kept the language with the vault's settings. */
	assert_int_equal(hearth_record_create(sb, NULL, HEARTH_SETTINGS_KIND, &legacy),
			 HEARTH_OK);
	assert_int_equal(hearth_record_set(sb, &legacy, HEARTH_SETTING_LANG, "en"), HEARTH_OK);
	assert_int_equal(hearth_settings_get(sb, HEARTH_SETTING_LANG, &v), HEARTH_OK);
	assert_string_equal(v, "en");
	free(v);
	assert_int_equal(hearth_settings_set(sb, HEARTH_SETTING_LANG, ""), HEARTH_OK);
	assert_int_equal(hearth_settings_get(sb, HEARTH_SETTING_LANG, &v), HEARTH_OK);
	assert_string_equal(v, "");
	free(v);
	hearth_vault_close(a);
	hearth_vault_close(b);
}

static void test_no_plaintext_on_disk(void **state)
{
	fixture *f = *state;
	hearth_vault *v = create_vault(f, NULL);
	hearth_id ids[40];

	for (int i = 0; i < 40; i++) {
		ids[i] = add_person(v, i % 2 ? secrets[0] : secrets[1],
				    i % 2 ? secrets[2] : secrets[3], secrets[4]);
		assert_int_equal(hearth_record_set(hearth_vault_store(v), &ids[i], "answers",
						   secrets[5]), HEARTH_OK);
	}
	/* Edits and deletes go through the journal too. */
	assert_int_equal(hearth_record_set(hearth_vault_store(v), &ids[3], "note",
					   secrets[2]), HEARTH_OK);
	assert_int_equal(hearth_record_delete(hearth_vault_store(v), &ids[4]), HEARTH_OK);
	/* While open: the WAL holds the latest pages. */
	assert_int_equal(access(path_in(f, "hearth.db-wal"), F_OK), 0);
	scan_dir(f->dir);
	/* After a checkpoint into the main file. */
	assert_int_equal(sqlite3_wal_checkpoint_v2(hearth_vault_db(v), NULL,
						   SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
			 SQLITE_OK);
	scan_dir(f->dir);
	hearth_vault_close(v);
	scan_dir(f->dir);
	v = open_vault(f, PASS);
	check_person(v, &ids[0], secrets[1]);
	check_person(v, &ids[1], secrets[0]);
	hearth_vault_close(v);
	scan_dir(f->dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recovery_code_format),
		cmocka_unit_test(test_recovery_code_typing),
		cmocka_unit_test(test_keyfile_roundtrip),
		cmocka_unit_test_setup_teardown(test_create_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_passphrase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_keyfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kdf_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyfile_tampering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_vault_keyfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_keyfile_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyfile_lock_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyfile_lock_race, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_first_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copied_vault_new_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_ahead_noticed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_clock_ahead_noticed, setup, teardown),
		cmocka_unit_test(test_duration_words),
		cmocka_unit_test_setup_teardown(test_notes_immutable_in_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_erases_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_local_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_error_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrates_old_schemas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_kdf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plaintext_on_disk, setup, teardown),
	};

	return cmocka_run_group_tests_name("vault", tests, NULL, NULL);
}
