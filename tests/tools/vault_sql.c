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
 * Test-only: the end-to-end scripts use it to tamper with what the
 * command line never lets a user touch (e.g. removing an audit entry to
 * check that `hearth audit verify` notices).  It is not installed.
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

int main(int argc, char **argv)
{
	const char *pass = getenv("HEARTH_PASSPHRASE");
	hearth_vault *v = NULL;
	hearth_status st;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: vault_sql DIR SQL  (passphrase in $HEARTH_PASSPHRASE)\n");
		return 2;
	}
	if (pass == NULL) {
		fprintf(stderr, "vault_sql: set HEARTH_PASSPHRASE\n");
		return 2;
	}
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
