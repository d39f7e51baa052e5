/*
 * tests/tools/vault_sql.c - run one SQL text inside an encrypted vault.
 *
 *   HEARTH_PASSPHRASE=... vault_sql DIR SQL
 *
 * Opens the vault in DIR with the passphrase in $HEARTH_PASSPHRASE and
 * runs SQL (one or more statements) on its database, printing each result
 * row as tab-separated values (NULL prints as empty, blobs as lowercase
 * hex), one row a line.  Exit 0 on success, 1 when the vault does not open
 * or a statement fails (the reason on stderr), 2 on bad usage.
 *
 *   HEARTH_PASSPHRASE=... vault_sql --merge FROM DIR
 *   HEARTH_PASSPHRASE=... vault_sql --dump DIR
 *
 * Sends every op the vault in FROM holds to the vault in DIR (both open
 * with the one passphrase), as a sync between the two devices would, and
 * prints how many arrived.  --dump prints the store's canonical dump
 * (hearth_store_dump): equal for two vaults that merged the same ops.
 *
 *   HEARTH_PASSPHRASE=... vault_sql --ship SPACE FROM DIR
 *
 * Sends what the vault in FROM wrote in SPACE (32 hex) to the vault in DIR
 * the way envelopes will carry it: the space's control ops (epoch 0, a
 * public key) as they are, then each data op sealed in an envelope of its
 * own at FROM's current epoch, signed by FROM's device, applied in DIR
 * only if DIR's own trust (membership, its keyring) opens it; DIR then
 * refreshes the space (keeps the keys sealed to it).  Prints how many
 * envelopes opened and how many were refused.
 *
 * Test-only: the end-to-end scripts use it to tamper with what the
 * command line never lets a user touch (e.g. removing an audit entry to
 * check that `hearth audit verify` notices), and to bring two vaults
 * together before `hearth sync` exists.  It is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hearth/hearth.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

static void print_value(sqlite3_stmt *st, int col)
{
	const unsigned char *b;
	int i, n;

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		break;
	case SQLITE_BLOB:
		b = sqlite3_column_blob(st, col);
		n = sqlite3_column_bytes(st, col);
		for (i = 0; i < n; i++)
			printf("%02x", b[i]);
		break;
	default:
		fputs((const char *)sqlite3_column_text(st, col), stdout);
		break;
	}
}

/* Runs every statement of sql in turn; returns 0 or 1 after a message. */
static int run_sql(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	int rc = 0, src, i, ncol;

	while (tail != NULL && *tail != '\0') {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
			fprintf(stderr, "vault_sql: %s\n", sqlite3_errmsg(db));
			rc = 1;
			goto out;
		}
		if (st == NULL) /* only white space or a comment was left */
			continue;
		ncol = sqlite3_column_count(st);
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			for (i = 0; i < ncol; i++) {
				if (i > 0)
					putchar('\t');
				print_value(st, i);
			}
			putchar('\n');
		}
		if (src != SQLITE_DONE) {
			fprintf(stderr, "vault_sql: %s\n", sqlite3_errmsg(db));
			rc = 1;
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

struct merge {
	hearth_store *to;
	size_t n;
	int failed;
};

static int merge_op(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		    void *ctx)
{
	struct merge *m = ctx;

	(void)arrival;
	(void)state;
	if (hearth_store_apply(m->to, op, 1, NULL) != HEARTH_OK) {
		fprintf(stderr, "vault_sql: cannot apply an op: %s\n", hearth_errdetail());
		m->failed = 1;
		return 1;
	}
	m->n++;
	return 0;
}

/* --merge FROM DIR */
static int merge(const char *from, const char *dir, const char *pass)
{
	hearth_vault *a = NULL, *b = NULL;
	struct merge m = { NULL, 0, 0 };
	int rc = 1;

	if (hearth_vault_open(from, pass, strlen(pass), NULL, &a) != HEARTH_OK ||
	    hearth_vault_open(dir, pass, strlen(pass), NULL, &b) != HEARTH_OK) {
		fprintf(stderr, "vault_sql: cannot open a vault: %s\n", hearth_errdetail());
		goto out;
	}
	m.to = hearth_vault_store(b);
	if (hearth_store_begin(m.to) != HEARTH_OK)
		goto out;
	if (hearth_store_ops_since(hearth_vault_store(a), 0, merge_op, &m) != HEARTH_OK ||
	    m.failed) {
		hearth_store_rollback(m.to);
		goto out;
	}
	if (hearth_store_commit(m.to) != HEARTH_OK) {
		fprintf(stderr, "vault_sql: cannot commit: %s\n", hearth_errdetail());
		goto out;
	}
	printf("%zu\n", m.n);
	rc = 0;
out:
	hearth_vault_close(a);
	hearth_vault_close(b);
	return rc;
}

struct ship {
	hearth_store *to;
	hearth_id space;
	uint64_t device;
	int control;             /* this pass: control ops, else data */
	const uint8_t *key, *sk;
	uint64_t epoch;
	hearth_space_trust *trust;
	size_t opened, refused;
	int failed;
};

static int ship_op(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	struct ship *sh = ctx;
	hearth_envelope_trust tr;
	hearth_envelope_batch b;
	uint8_t *env = NULL;
	size_t len = 0;

	(void)arrival;
	if (state == HEARTH_OP_SUPERSEDED || op->id.device != sh->device ||
	    !hearth_id_equal(&op->space, &sh->space) ||
	    hearth_op_is_control(op) != sh->control)
		return 0;
	if (sh->control) {
		if (hearth_store_apply(sh->to, op, 1, NULL) != HEARTH_OK)
			goto failed;
		return 0;
	}
	if (hearth_envelope_seal(op, 1, &sh->space, sh->epoch, sh->key, sh->sk, &env,
				 &len) != HEARTH_OK)
		goto failed;
	memset(&b, 0, sizeof b);
	tr = hearth_space_trust_envelope(sh->trust);
	if (hearth_envelope_open(env, len, &tr, &b) == HEARTH_OK) {
		if (hearth_store_apply(sh->to, b.ops, b.n, NULL) != HEARTH_OK) {
			hearth_envelope_batch_release(&b);
			free(env);
			goto failed;
		}
		sh->opened++;
	} else {
		hearth_errdetail_clear();
		sh->refused++;
	}
	hearth_envelope_batch_release(&b);
	free(env);
	return 0;
failed:
	fprintf(stderr, "vault_sql: cannot ship an op: %s\n", hearth_errdetail());
	sh->failed = 1;
	return 1;
}

/* --ship SPACE FROM DIR */
static int ship(const char *space, const char *from, const char *dir, const char *pass)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	hearth_vault *a = NULL, *b = NULL;
	hearth_space_state *st = NULL;
	hearth_device_key *dk = NULL;
	struct ship sh;
	int found = 0, rc = 1;

	memset(&sh, 0, sizeof sh);
	if (hearth_id_from_hex(&sh.space, space) != HEARTH_OK) {
		fprintf(stderr, "vault_sql: '%s' is not a space id\n", space);
		return 2;
	}
	if (hearth_vault_open(from, pass, strlen(pass), NULL, &a) != HEARTH_OK ||
	    hearth_vault_open(dir, pass, strlen(pass), NULL, &b) != HEARTH_OK ||
	    hearth_space_load(hearth_vault_store(a), &sh.space, &st) != HEARTH_OK ||
	    hearth_device_key_load(hearth_vault_store(a), &dk, NULL) != HEARTH_OK) {
		fprintf(stderr, "vault_sql: cannot open a vault: %s\n", hearth_errdetail());
		goto out;
	}
	if (st->current == NULL ||
	    hearth_keyring_get(hearth_vault_store(a), &sh.space, st->current->epoch, key,
			       &found) != HEARTH_OK || !found) {
		fprintf(stderr, "vault_sql: FROM holds no current key of the space\n");
		goto out;
	}
	sh.to = hearth_vault_store(b);
	sh.device = hearth_store_device(hearth_vault_store(a));
	sh.epoch = st->current->epoch;
	sh.key = key;
	sh.sk = hearth_device_key_secret(dk);
	/* Control first, then what the space's state now lets DIR open. */
	sh.control = 1;
	if (hearth_store_ops_since(hearth_vault_store(a), 0, ship_op, &sh) != HEARTH_OK ||
	    sh.failed || hearth_space_refresh(sh.to, &sh.space, NULL) != HEARTH_OK ||
	    hearth_space_trust_new(sh.to, &sh.trust) != HEARTH_OK)
		goto out;
	sh.control = 0;
	if (hearth_store_ops_since(hearth_vault_store(a), 0, ship_op, &sh) != HEARTH_OK ||
	    sh.failed)
		goto out;
	printf("%zu %zu\n", sh.opened, sh.refused);
	rc = 0;
out:
	hearth_wipe(key, sizeof key);
	hearth_space_trust_free(sh.trust);
	hearth_device_key_free(dk);
	hearth_space_state_free(st);
	hearth_vault_close(a);
	hearth_vault_close(b);
	return rc;
}

/* --dump DIR */
static int dump(const char *dir, const char *pass)
{
	hearth_vault *v = NULL;
	char *text = NULL;
	int rc = 1;

	if (hearth_vault_open(dir, pass, strlen(pass), NULL, &v) != HEARTH_OK ||
	    hearth_store_dump(hearth_vault_store(v), &text, NULL) != HEARTH_OK)
		fprintf(stderr, "vault_sql: cannot dump '%s': %s\n", dir, hearth_errdetail());
	else
		rc = fputs(text, stdout) < 0;
	free(text);
	hearth_vault_close(v);
	return rc;
}

int main(int argc, char **argv)
{
	const char *pass = getenv("HEARTH_PASSPHRASE");
	hearth_vault *v = NULL;
	hearth_status st;
	int rc;

	if (argc != 3 && !(argc == 4 && strcmp(argv[1], "--merge") == 0) &&
	    !(argc == 5 && strcmp(argv[1], "--ship") == 0)) {
		fprintf(stderr, "usage: vault_sql DIR SQL | vault_sql --merge FROM DIR"
			" | vault_sql --ship SPACE FROM DIR"
			" | vault_sql --dump DIR  (passphrase in $HEARTH_PASSPHRASE)\n");
		return 2;
	}
	if (pass == NULL) {
		fprintf(stderr, "vault_sql: set HEARTH_PASSPHRASE\n");
		return 2;
	}
	if (argc == 5)
		return ship(argv[2], argv[3], argv[4], pass);
	if (argc == 4)
		return merge(argv[2], argv[3], pass);
	if (strcmp(argv[1], "--dump") == 0)
		return dump(argv[2], pass);
	st = hearth_vault_open(argv[1], pass, strlen(pass), NULL, &v);
	if (st != HEARTH_OK) {
		fprintf(stderr, "vault_sql: cannot open vault '%s': %s\n", argv[1],
			hearth_errdetail());
		return 1;
	}
	rc = run_sql(hearth_vault_db(v), argv[2]);
	hearth_vault_close(v);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc;
}
