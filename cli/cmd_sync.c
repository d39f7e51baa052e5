/*
 * cli/cmd_sync.c - `hearth sync`: a space's envelopes through a file,
 * when there is no network (core/offline.c; docs/protocol.md §10).
 *
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

#include "cli.h"
#include "hearth/devices.h"
#include "hearth/offline.h"
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

static const struct cli_subcommand sync_subs[] = {
	{"export", N_("write a space's envelopes to a bundle file"), sync_export},
	{"import", N_("apply a bundle file from another device"), sync_import},
};

static const struct cli_group sync_group = {
	.name = "sync",
	.head = N_("Usage: hearth sync SUBCOMMAND\n"
		   "Move changes between devices through a file, without a network.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 10,
	.subs = sync_subs,
	.nsubs = CLI_COUNT(sync_subs),
};

int cmd_sync(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &sync_group, argc, argv);
}
