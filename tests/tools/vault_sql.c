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

	if (argc != 3 && !(argc == 4 && strcmp(argv[1], "--merge") == 0)) {
		fprintf(stderr, "usage: vault_sql DIR SQL | vault_sql --merge FROM DIR"
			" | vault_sql --dump DIR  (passphrase in $HEARTH_PASSPHRASE)\n");
		return 2;
	}
	if (pass == NULL) {
		fprintf(stderr, "vault_sql: set HEARTH_PASSPHRASE\n");
		return 2;
	}
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
