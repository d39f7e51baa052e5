/*
 * cli/cmd_audit.c - `hearth audit`: the vault's hash-chained audit log.
 *
 *   audit list [--last N]   seq, time, action, short subject, detail
 *   audit verify            exit 0 "audit log intact: N entries", exit 1
 *                           "audit log broken at entry N: ..." when an
 *                           entry was removed, altered or reordered, or
 *                           the log was cut short
 *
 * Neither command adds to the log: reading it is not an access to anyone's
 * record.  The rules live in core/audit.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/audit.h"

enum { OPT_LAST = 0x100 };

/* ---- audit list --------------------------------------------------------- */

struct list_ctx {
	struct hearth_cli *cli;
	int64_t skip;        /* entries to pass over (for --last) */
	struct cli_table *t;
	json_t *arr;
	int failed;
};

static int count_cb(const hearth_audit_entry *e, void *ctx)
{
	(void)e;
	(*(int64_t *)ctx)++;
	return 0;
}

static int list_cb(const hearth_audit_entry *e, void *ctx)
{
	struct list_ctx *l = ctx;
	char seq[24], when[32], subj[HEARTH_ID_HEX + 1];
	const char *cells[5];

	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	if (e->has_subject)
		hearth_id_to_hex(&e->subject, subj);
	if (l->arr != NULL) {
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s?}",
				      "seq", (json_int_t)e->seq,
				      "at_ms", (json_int_t)e->at_ms,
				      "at", cli_format_ms((uint64_t)e->at_ms, when),
				      "action", e->action,
				      "subject", e->has_subject ? subj : NULL,
				      "detail", e->detail);

		if (o == NULL || json_array_append_new(l->arr, o) != 0) {
			l->failed = 1;
			return 1;
		}
		return 0;
	}
	snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
	if (e->has_subject)
		subj[8] = '\0';
	cells[0] = seq;
	cells[1] = cli_format_ms((uint64_t)e->at_ms, when);
	cells[2] = e->action;
	cells[3] = e->has_subject ? subj : "";
	cells[4] = e->detail ? e->detail : "";
	if (cli_table_add(l->t, cells) != 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

static int audit_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"last", required_argument, NULL, OPT_LAST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct list_ctx l;
	hearth_store *s;
	hearth_status st;
	long last = -1;
	int64_t total = 0;
	char *end;
	int c, rc;

	cli_set_command(cli, "audit list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_LAST:
			last = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || last < 1)
				return cli_usage(cli, _("--last needs a number of entries (1 or more), not '%s'"),
						 optarg);
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth audit list [--last N]\n"
					       "List the audit log of this vault, oldest first: every\n"
					       "change, every 'person show', report and export.\n"
					       "\n"
					       "  --last N    only the newest N entries\n"
					       "\n"
					       "Columns: number, time, action, the record concerned (short\n"
					       "id), detail.  The log never holds names.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	memset(&l, 0, sizeof l);
	l.cli = cli;
	if (last > 0) {
		if ((st = hearth_audit_each(s, count_cb, &total)) != HEARTH_OK)
			return cli_error_status(cli, st);
		l.skip = total > last ? total - last : 0;
	}
	if (cli->json) {
		l.arr = json_array();
		if (l.arr == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	} else {
		const char *header[5] = { _("#"), _("Time"), _("Action"), _("Record"), _("Detail") };

		l.t = cli_table_new(5, header);
		if (l.t == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	}
	st = hearth_audit_each(s, list_cb, &l);
	return cli_list_finish(cli, st, l.failed, l.arr, l.t, "entries");
}

/* ---- audit verify ------------------------------------------------------- */

/* The core's reasons, for translation. */
static const char *reason_text(const char *why)
{
	static const struct cli_word words[] = {
		{"entry missing", N_("entry missing")},
		{"sequence out of order", N_("sequence out of order")},
		{"entry malformed", N_("entry malformed")},
		{"does not follow the entry before it", N_("does not follow the entry before it")},
		{"entry altered", N_("entry altered")},
		{"last entry missing", N_("last entry missing")},
		{"last entries missing", N_("last entries missing")},
		{"entry not counted by the log", N_("entry not counted by the log")},
		{"newest entry replaced", N_("newest entry replaced")},
		{"stored hash has the wrong size", N_("stored hash has the wrong size")},
	};

	return cli_word(words, CLI_COUNT(words), why);
}

static int audit_verify(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_store *s;
	hearth_status st;
	int64_t n = 0;
	long long at = 0;
	int c, rc, off = 0;

	cli_set_command(cli, "audit verify");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth audit verify\n"
					       "Check the audit log's hash chain.  Exits 0 when it is intact,\n"
					       "and 1 naming the first entry that was removed, altered or\n"
					       "reordered, or where the log was cut short.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_audit_verify(s, &n);
	if (st == HEARTH_OK) {
		if (cli->json)
			return cli_json_print(cli, json_pack("{s:b, s:I}", "intact", 1,
							     "entries", (json_int_t)n));
		printf(ngettext("audit log intact: %lld entry\n",
				"audit log intact: %lld entries\n", (unsigned long)n),
		       (long long)n);
		return CLI_EXIT_OK;
	}
	if (st != HEARTH_EDAMAGED ||
	    sscanf(hearth_errdetail(), "audit log broken at entry %lld: %n", &at, &off) != 1 ||
	    off == 0)
		return cli_error_status(cli, st);
	{
		/* Copy the reason: the detail buffer may change below. */
		char why[128];

		snprintf(why, sizeof why, "%s", hearth_errdetail() + off);
		if (cli->json) {
			json_t *doc = json_pack("{s:b, s:I, s:s}", "intact", 0,
						"broken_at", (json_int_t)at,
						"reason", why);

			cli_json_print(cli, doc);
		}
		return cli_error(cli, _("audit log broken at entry %lld: %s"), at,
				 reason_text(why));
	}
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct cli_subcommand subs[] = {
	{"list", N_("list the audit log, oldest first"), audit_list},
	{"verify", N_("check that no entry was removed or altered"), audit_verify},
};

static const struct cli_group group = {
	.name = "audit",
	.head = N_("Usage: hearth audit SUBCOMMAND\n"
		   "Show and check the vault's audit log: who looked at or changed\n"
		   "what on this device, in a hash chain that shows tampering.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 13,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_audit(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
