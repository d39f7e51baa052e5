/*
 * cli/cmd_sync.c - `hearth sync`: every space through a relay
 * (core/relaysync.c; docs/protocol.md §14), or a space's envelopes
 * through a file when there is no network (core/offline.c; §10).
 *
 *   sync [--relay URL] [--space SPACE] [--pin FP] [--cacert FILE]
 *       pushes and pulls every team space (or SPACE) through the relay
 *       (the one remembered when --relay is not given), with progress on
 *       stderr when it is a terminal; a summary per space.  Exit 1 when a
 *       space failed or is not in sync with the relay.
 *   sync status
 *       per relay and space: last sync, pending changes, cursor, problem.
 *   sync export --space SPACE --out FILE [--since CURSOR]
 *       seals this device's new ops of SPACE and writes every envelope of
 *       SPACE this vault keeps past CURSOR to FILE (written beside it,
 *       synced, renamed into place); prints the cursor to give --since
 *       next time.  SPACE is "private" (this identity's private space,
 *       shared by its linked devices and copies), or a team space by
 *       name, id or id prefix (hearth_space_resolve).
 *   sync import FILE
 *       checks the whole file, then applies its envelopes in one
 *       transaction.  Again, it applies nothing.  A truncated or tampered
 *       file applies nothing, and the exit status is 1.  Envelopes whose
 *       author this vault does not (yet) know are kept aside, named, and
 *       the exit status is 1 too: not everything in the file was applied.
 *
 * Nothing printed is secret: ids, counts, device ids.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
#include "hearth/relaysync.h"
#include "hearth/spaces.h"

/* Envelope ids are shown by their first 16 hex digits. */
#define ENV_ID_SHORT 16u

/* Prints label/value pairs (NULL-terminated) as a two-column table. */
static int print_kv(struct hearth_cli *cli, const char *const *pairs)
{
	struct cli_table *kv = cli_kv_new();

	if (kv == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	for (; pairs[0] != NULL; pairs += 2)
		if (cli_kv_add(kv, pairs[0], pairs[1]) != 0) {
			cli_table_free(kv);
			return cli_error(cli, "%s", _("out of memory"));
		}
	cli_table_print(kv, stdout);
	cli_table_free(kv);
	return CLI_EXIT_OK;
}

/* ---- sync export ------------------------------------------------------------ */

/* SPACE as given: "private", or a team space by name, id or id prefix.
 * Returns 0 or an exit code after a message. */
static int parse_space(struct hearth_cli *cli, hearth_store *s, const char *arg,
		       hearth_id *out)
{
	hearth_status st;

	if (strcmp(arg, "private") == 0) {
		*out = hearth_store_private_space(s);
		return 0;
	}
	if ((st = hearth_space_resolve(s, arg, out)) != HEARTH_OK)
		return cli_error_status(cli, st);
	return 0;
}

static int sync_export(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"space", required_argument, NULL, 's'},
		{"out", required_argument, NULL, 'o'},
		{"since", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *space_arg = NULL, *out = NULL;
	unsigned long long since = 0;
	hearth_sync_report r;
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	char *end;
	int c, rc;

	cli_set_command(cli, "sync export");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 's':
			space_arg = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			errno = 0;
			since = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno != 0)
				return cli_usage(cli, _("--since is %s: give the cursor the last "
							"export printed (a whole number)"), optarg);
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth sync export --space SPACE --out FILE [--since CURSOR]\n"
				"Write a space's envelopes to a bundle file, for another device\n"
				"to import with 'hearth sync import' when there is no network.\n"
				"\n"
				"This device's new changes in the space are sealed first (signed,\n"
				"and encrypted with the space's key); then every envelope of the\n"
				"space this vault holds, other people's too, goes into FILE.\n"
				"\n"
				"  --space SPACE    'private' (your own space, shared by your\n"
				"                   devices), or a team space by name or id\n"
				"  --out FILE       the bundle to write; it appears whole or not\n"
				"                   at all\n"
				"  --since CURSOR   only what came after the cursor an earlier\n"
				"                   export printed\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (space_arg == NULL)
		return cli_usage(cli, "%s", _("say which space with --space (e.g. --space private)"));
	if (out == NULL || *out == '\0')
		return cli_usage(cli, "%s", _("say where to write the bundle with --out FILE"));
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = parse_space(cli, s, space_arg, &space)) != 0)
		return rc;
	st = hearth_offline_export(s, NULL, &space, (uint64_t)since, out, &r);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:I, s:I, s:I, s:I}",
			"file", out, "written", (json_int_t)r.written,
			"sealed", (json_int_t)r.sealed,
			"sealed_ops", (json_int_t)r.sealed_ops,
			"cursor", (json_int_t)r.cursor));
	{
		char written[24], sealed[64], cursor[96];

		snprintf(written, sizeof written, "%zu", r.written);
		snprintf(sealed, sizeof sealed, _("%zu (%zu changes)"), r.sealed, r.sealed_ops);
		snprintf(cursor, sizeof cursor, _("%llu (next time: --since %llu)"),
			 (unsigned long long)r.cursor, (unsigned long long)r.cursor);
		return print_kv(cli, (const char *const[]){
			_("Bundle"), out, _("Envelopes written"), written,
			_("Sealed now"), sealed, _("Cursor"), cursor, NULL });
	}
}

/* ---- sync import ------------------------------------------------------------ */

struct notice_ctx {
	struct hearth_cli *cli;
	json_t *arr;
};

static void notice_cb(const hearth_sync_notice *n, void *ctx)
{
	struct notice_ctx *nc = ctx;
	char dev[HEARTH_DEVICE_HEX + 1], id[2 * HEARTH_ENVELOPE_ID_BYTES + 1];
	int aside = n->verdict == HEARTH_SYNC_LATER;

	hearth_device_hex(n->info->device, dev);
	hearth_hex_encode(id, n->id, HEARTH_ENVELOPE_ID_BYTES);
	id[ENV_ID_SHORT] = '\0';
	if (nc->arr != NULL) {
		json_array_append_new(nc->arr, json_pack("{s:I, s:s, s:s, s:s}",
			"index", (json_int_t)n->index, "device", dev, "id", id,
			"state", aside ? "kept_aside" : "refused"));
		return;
	}
	if (aside)
		fprintf(stderr, _("%s: envelope %llu (id %s) from device %s kept aside: "
				  "that device is not known to write to its space yet\n"),
			nc->cli->prog, (unsigned long long)n->index, id, dev);
	else
		fprintf(stderr, _("%s: envelope %llu (id %s) from device %s refused: "
				  "that device may not write those changes\n"),
			nc->cli->prog, (unsigned long long)n->index, id, dev);
}

static int sync_import(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char id[2 * HEARTH_ENVELOPE_ID_BYTES + 1];
	struct notice_ctx nc = { cli, NULL };
	hearth_sync_report r;
	const char *file;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "sync import");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth sync import FILE\n"
				"Apply a bundle file written by 'hearth sync export' on another\n"
				"device.  The whole file is checked first: a truncated or altered\n"
				"file, or an envelope whose signature does not verify, is refused\n"
				"and nothing from it is applied.  Importing a file again applies\n"
				"nothing.  Envelopes from a device this vault does not know yet\n"
				"are kept aside, and applied once it does.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "FILE")) != 0)
		return rc;
	file = argv[optind];
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if (cli->json && (nc.arr = json_array()) == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	st = hearth_offline_import(s, NULL, file, notice_cb, &nc, &r);
	if (st != HEARTH_OK) {
		json_decref(nc.arr);
		rc = cli_error_status(cli, st);
		if (r.failed_index > 0) {
			hearth_hex_encode(id, r.failed_id, HEARTH_ENVELOPE_ID_BYTES);
			id[ENV_ID_SHORT] = '\0';
			fprintf(stderr, _("%s: nothing from '%s' was applied (envelope %llu, "
					  "id %s, was refused)\n"),
				cli->prog, file, (unsigned long long)r.failed_index, id);
		} else {
			fprintf(stderr, _("%s: nothing from '%s' was applied\n"), cli->prog, file);
		}
		return rc;
	}
	rc = r.waiting + r.refused > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	if (cli->json) {
		int prc = cli_json_print(cli, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			"file", file, "envelopes", (json_int_t)r.envelopes,
			"applied", (json_int_t)r.applied, "changes", (json_int_t)r.ops,
			"past_cutoff", (json_int_t)r.cut,
			"already_held", (json_int_t)r.held,
			"kept_aside", (json_int_t)r.waiting, "refused", (json_int_t)r.refused,
			"not_applied", nc.arr));

		return prc != CLI_EXIT_OK ? prc : rc;
	}
	{
		char envelopes[24], applied[64], held[24], aside[24], refused[24];
		int prc;

		snprintf(envelopes, sizeof envelopes, "%zu", r.envelopes);
		snprintf(applied, sizeof applied, _("%zu (%zu changes)"), r.applied, r.ops);
		snprintf(held, sizeof held, "%zu", r.held);
		snprintf(aside, sizeof aside, "%zu", r.waiting);
		snprintf(refused, sizeof refused, "%zu", r.refused);
		prc = print_kv(cli, (const char *const[]){
			_("Bundle"), file, _("Envelopes"), envelopes, _("Applied"), applied,
			_("Already here"), held, _("Kept aside"), aside, _("Refused"), refused,
			NULL });
		if (prc != CLI_EXIT_OK)
			return prc;
	}
	if (r.cut > 0)
		printf(_("%zu changes were written after their device was removed or "
			 "revoked: not applied.\n"), r.cut);
	if (r.envelopes > 0 && r.held == r.envelopes)
		printf("%s\n", _("Nothing new: every envelope in the bundle is already here."));
	if (rc != CLI_EXIT_OK)
		fprintf(stderr, _("%s: envelopes of '%s' not applied: %zu (named above)\n"),
			cli->prog, file, r.waiting + r.refused);
	return rc;
}

/* ---- sync through a relay ----------------------------------------------------- */

struct relay_ctx {
	struct hearth_cli *cli;
	hearth_store *s;
	json_t *arr;
	int tty;         /* progress on stderr */
	int failed;      /* a space failed or is not in sync */
};

static void progress_cb(const hearth_relay_progress *p, void *ctx)
{
	struct relay_ctx *rc = ctx;

	if (!rc->tty)
		return;
	fprintf(stderr, _("\r%s: sent %llu envelopes (%llu KiB), received %llu (%llu KiB)"),
		rc->cli->prog, (unsigned long long)p->envelopes_sent,
		(unsigned long long)(p->bytes_sent / 1024),
		(unsigned long long)p->envelopes_received,
		(unsigned long long)(p->bytes_received / 1024));
	fflush(stderr);
}

struct name_find {
	const hearth_id *space;
	char *out;
	size_t len;
};

static int name_cb(const hearth_space_info *i, void *ctx)
{
	struct name_find *nf = ctx;

	if (!hearth_id_equal(&i->space, nf->space) || i->name == NULL)
		return 0;
	snprintf(nf->out, nf->len, "%s", i->name);
	return 1;
}

/* A space's name, or its id when this vault cannot read one yet. */
static void space_label(hearth_store *s, const hearth_id *space, char *out, size_t len)
{
	hearth_id priv = hearth_store_private_space(s);
	struct name_find nf = { space, out, len };
	char hex[HEARTH_ID_HEX + 1];

	if (hearth_id_equal(space, &priv)) {
		snprintf(out, len, "%s", _("private"));
		return;
	}
	hearth_id_to_hex(space, hex);
	snprintf(out, len, "%s", hex);
	if (hearth_spaces_each(s, name_cb, &nf) != HEARTH_OK)
		hearth_errdetail_clear();
}

static void space_cb(const hearth_id *space, hearth_status st, const hearth_relay_result *r,
		     void *ctx)
{
	struct relay_ctx *rc = ctx;
	char hex[HEARTH_ID_HEX + 1], name[128], detail[512], local[512];

	if (rc->tty)
		fputc('\n', stderr);
	/* The failure's detail, before looking up the name overwrites it. */
	snprintf(detail, sizeof detail, "%s", hearth_errdetail());
	snprintf(local, sizeof local, "%s", hearth_errdetail_local());
	hearth_id_to_hex(space, hex);
	space_label(rc->s, space, name, sizeof name);
	if (st != HEARTH_OK || !r->in_sync)
		rc->failed = 1;
	if (rc->arr != NULL) {
		json_array_append_new(rc->arr, json_pack(
			"{s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:I, s:I, s:s?, s:s}",
			"space", hex, "name", name, "ok", st == HEARTH_OK, "in_sync", r->in_sync,
			"sealed", (json_int_t)r->sealed, "pushed", (json_int_t)r->pushed,
			"pulled", (json_int_t)r->pulled,
			"applied", (json_int_t)r->received.applied,
			"kept_aside", (json_int_t)r->received.waiting,
			"refused", (json_int_t)r->received.refused,
			"relay_lost", r->relay_lost, "reconciled", r->reconciled,
			"cursor", (json_int_t)r->cursor, "round_trips", (json_int_t)r->round_trips,
			"problem", r->problem[0] != '\0' ? r->problem :
			st != HEARTH_OK ? detail : NULL,
			"problem_kind", hearth_sync_problem_name(
				r->problem_kind != HEARTH_SYNC_PROBLEM_NONE ? r->problem_kind :
				hearth_sync_problem_of_status(st))));
		return;
	}
	if (st != HEARTH_OK) {
		fprintf(stderr, _("%s: space %s: %s\n"), rc->cli->prog, name, local);
		return;
	}
	printf(_("%s: sent %zu, received %zu (%zu applied)%s\n"), name, r->pushed, r->pulled,
	       r->received.applied, r->in_sync ? _(", in sync") : "");
	if (r->relay_lost)
		fprintf(stderr, _("%s: space %s: the relay had lost envelopes (its store was "
				  "wiped or restored from an old copy): they were sent again\n"),
			rc->cli->prog, name);
	if (!r->in_sync) {
		char problem[HEARTH_SYNC_PROBLEM_MAX + 512];

		snprintf(problem, sizeof problem, _("%s (%s)"),
			 hearth_sync_problem_local(r->problem_kind), r->problem);
		fprintf(stderr, _("%s: space %s is not in sync with the relay: %s\n"),
			rc->cli->prog, name, problem);
	}
	if (r->received.waiting > 0)
		fprintf(stderr, _("%s: space %s: %zu envelopes kept aside (their author is "
				  "not known to write yet)\n"),
			rc->cli->prog, name, r->received.waiting);
}

static int sync_relay(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"relay", required_argument, NULL, 'r'},
		{"space", required_argument, NULL, 's'},
		{"pin", required_argument, NULL, 'p'},
		{"cacert", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *space_arg = NULL;
	hearth_relaysync_opts o;
	hearth_relay_hooks hooks;
	struct relay_ctx rc = { cli, NULL, NULL, 0, 0 };
	hearth_status st;
	hearth_id space;
	int c, ret;

	cli_set_command(cli, "sync");
	memset(&o, 0, sizeof o);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'r':
			o.url = optarg;
			break;
		case 's':
			space_arg = optarg;
			break;
		case 'p':
			o.pin = optarg;
			break;
		case 'c':
			o.cacert = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth sync [--relay URL] [--space SPACE] [--pin FP] [--cacert FILE]\n"
				"       hearth sync status\n"
				"       hearth sync export|import ...  (through a file, no network)\n"
				"Send this vault's new changes to a relay and fetch everyone else's,\n"
				"for every team space (or SPACE).  The relay only ever holds\n"
				"encrypted envelopes; each one received is checked as a bundle's is.\n"
				"If the relay lost data (wiped, or restored from an old copy), what it\n"
				"lacks is sent again.\n"
				"\n"
				"  --relay URL     https://host:port (http:// only to this computer);\n"
				"                  remembered: later syncs may leave it out\n"
				"  --space SPACE   one space: 'private' or a team space by name or id\n"
				"  --pin FP        the relay's key as 'hearth-relay --lan' prints it\n"
				"                  (sha256//...): for a relay on a laptop, whose\n"
				"                  certificate no authority signed; remembered\n"
				"  --cacert FILE   trust the relay's certificate by this CA file\n"
				"                  instead of the system's\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((ret = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return ret;
	/* Refuse a bad URL or pin before asking for the passphrase. */
	if (o.url != NULL || o.pin != NULL) {
		hearth_relay_opts ro;

		memset(&ro, 0, sizeof ro);
		ro.url = o.url != NULL ? o.url : "https://relay.invalid";
		ro.pin = o.pin;
		ro.cacert = o.cacert;
		if ((st = hearth_relay_opts_check(&ro)) != HEARTH_OK)
			return cli_usage(cli, "%s", hearth_errdetail_local());
	}
	if ((ret = cli_open_store(cli, &rc.s)) != 0)
		return ret;
	if (space_arg != NULL) {
		if ((ret = parse_space(cli, rc.s, space_arg, &space)) != 0)
			return ret;
		o.space = &space;
	}
	rc.tty = !cli->json && isatty(STDERR_FILENO);
	hooks.progress = progress_cb;
	hooks.cancelled = NULL;
	hooks.ctx = &rc;
	o.hooks = &hooks;
	if (cli->json && (rc.arr = json_array()) == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	st = hearth_relaysync(rc.s, &o, space_cb, &rc);
	if (cli->json) {
		ret = cli_json_print(cli, json_pack("{s:o}", "spaces", rc.arr));
		if (ret != CLI_EXIT_OK)
			return ret;
		return st != HEARTH_OK || rc.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	/* No relay given nor remembered, bad options: usage. */
	if (st == HEARTH_EINVAL)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	/* A space's failure was told by space_cb, with its name (and the
	 * detail is gone since): only a failure before any space is told
	 * here. */
	if (st != HEARTH_OK && !rc.failed)
		return cli_error_status(cli, st);
	return st != HEARTH_OK || rc.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- sync status ---------------------------------------------------------------- */

struct status_list {
	hearth_store *s;
	struct cli_table *t;
	json_t *arr;
	int failed;
};

static int status_cb(const hearth_relaysync_status *st, void *ctx)
{
	struct status_list *l = ctx;
	char hex[HEARTH_ID_HEX + 1], name[128], when[32] = "", pending[32], cursor[24];
	char problem[HEARTH_SYNC_PROBLEM_MAX + 512];
	const char *cells[6];

	hearth_id_to_hex(&st->space, hex);
	space_label(l->s, &st->space, name, sizeof name);
	if (st->state.synced_at > 0)
		cli_format_ms(st->state.synced_at * 1000, when);
	if (l->arr != NULL) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I, s:I, s:s?, s:s}",
				      "relay", st->relay, "space", hex, "name", name,
				      "last_sync", when[0] != '\0' ? when : NULL,
				      "pending_changes", (json_int_t)st->pending_ops,
				      "pending_envelopes", (json_int_t)st->pending_envelopes,
				      "cursor", (json_int_t)st->state.cursor,
				      "problem", st->state.problem[0] != '\0' ?
				      st->state.problem : NULL,
				      "problem_kind",
				      hearth_sync_problem_name(st->state.problem_kind));

		if (o == NULL || json_array_append_new(l->arr, o) != 0) {
			l->failed = 1;
			return 1;
		}
		return 0;
	}
	snprintf(pending, sizeof pending, "%zu", st->pending_ops + st->pending_envelopes);
	snprintf(cursor, sizeof cursor, "%llu", (unsigned long long)st->state.cursor);
	cells[0] = st->relay;
	cells[1] = name;
	cells[2] = when[0] != '\0' ? when : _("never");
	cells[3] = pending;
	cells[4] = cursor;
	/* What went wrong in the user's language; the English detail after it
	 * names the envelope or the relay for whoever helps them. */
	if (st->state.problem[0] != '\0')
		/* Translators: the last sync's problem, a sentence of its own;
		 * then its detail, which stays in English. */
		snprintf(problem, sizeof problem, _("%s (%s)"),
			 hearth_sync_problem_local(st->state.problem_kind), st->state.problem);
	cells[5] = st->state.problem[0] != '\0' ? problem : "-";
	if (cli_table_add(l->t, cells) != 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

static int sync_status(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct status_list l;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "sync status");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth sync status\n"
				"For each relay and space this vault has synced: when the last\n"
				"whole sync ended, the changes made here not sent yet, the cursor\n"
				"(how far into the relay's envelopes this vault has read), and the\n"
				"last problem, if any.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	memset(&l, 0, sizeof l);
	if ((rc = cli_open_store(cli, &l.s)) != 0)
		return rc;
	if (cli->json) {
		if ((l.arr = json_array()) == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	} else {
		const char *header[6] = { _("Relay"), _("Space"), _("Last sync"),
					  _("Pending"), _("Cursor"), _("Problem") };

		if ((l.t = cli_table_new(6, header)) == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	}
	st = hearth_relaysync_status_each(l.s, status_cb, &l);
	return cli_list_finish(cli, st, l.failed, l.arr, l.t, "relays");
}

static const struct cli_subcommand sync_subs[] = {
	{"export", N_("write a space's envelopes to a bundle file"), sync_export},
	{"import", N_("apply a bundle file from another device"), sync_import},
	{"status", N_("per relay and space: last sync, pending changes, problems"),
	 sync_status},
};

static const struct cli_group sync_group = {
	.name = "sync",
	.head = N_("Usage: hearth sync [--relay URL] [--space SPACE] [--pin FP] [--cacert FILE]\n"
		   "       hearth sync SUBCOMMAND\n"
		   "Without a subcommand: send and fetch changes through a relay (see\n"
		   "'hearth sync --help').  Through a file, without a network: export\n"
		   "and import.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 10,
	.subs = sync_subs,
	.nsubs = CLI_COUNT(sync_subs),
};

int cmd_sync(struct hearth_cli *cli, int argc, char **argv)
{
	/* No subcommand, or options first: through the relay. */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 &&
			 strcmp(argv[1], "-h") != 0))
		return sync_relay(cli, argc, argv);
	return cli_dispatch(cli, &sync_group, argc, argv);
}
