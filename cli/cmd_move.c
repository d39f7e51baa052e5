/*
 * cli/cmd_move.c - `hearth space move RECORD SPACE`: moves a person, with
 * their whole case, into another space.
 *
 * A subcommand of the `space` group (cli_space_move, listed in the
 * group's table in cmd_space.c).  The core's hearth_case_move does the
 * work and holds the rules (hearth/caseload.h): the case is copied into
 * the space as new records and the originals tombstoned, in one audited
 * step; this file parses, resolves the record and the space, and prints.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hearth/caseload.h"
#include "hearth/spaces.h"

int cli_space_move(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char hex[HEARTH_ID_HEX + 1], nhex[HEARTH_ID_HEX + 1], shex[HEARTH_ID_HEX + 1];
	hearth_space_names *names = NULL;
	hearth_case_moved mv;
	const char *name;
	hearth_store *s;
	hearth_status st;
	hearth_id id, space;
	int c, rc;

	cli_set_command(cli, "space move");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth space move PERSON SPACE\n"
				"Move a person, with their whole case (screenings, notes and\n"
				"amendments, appointments, follow-ups, activities naming them), into\n"
				"SPACE: a team space this vault is a member of and holds the key of,\n"
				"by name or id.  The case is copied into the space as new records\n"
				"with new ids, everything in it kept (safety flags and open safety\n"
				"follow-ups stay open), and the originals are deleted, in one step.\n"
				"Whoever could read the old space keeps what they already read.\n"
				"PERSON is the full id or its first six or more hex digits.\n"
				"\n"
				"Options:\n"
				"  --json       print {\"from\": ..., \"id\": ..., \"space\": ..., \"records\": N}\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, _("PERSON SPACE"))) != 0)
		return rc;
	/* A deleted or erased person, which no prefix finds, gets the
	 * core's own reason by their full id. */
	if ((rc = cli_resolve_full(cli, NULL, argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_space_resolve(s, argv[optind + 1], &space)) != HEARTH_OK ||
	    (st = hearth_case_move(s, &id, &space, &mv)) != HEARTH_OK)
		return cli_error_status(cli, st);
	cli_id_hex(&id, hex);
	cli_id_hex(&mv.person, nhex);
	cli_id_hex(&space, shex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s, s:s, s:I}", "from", hex,
						     "id", nhex, "space", shex,
						     "records", (json_int_t)mv.n_records));
	/* The name is only shown: the move is done whatever this says. */
	if (hearth_space_names_load(s, &names) != HEARTH_OK)
		hearth_errdetail_clear();
	name = hearth_space_names_get(names, &space);
	printf(_("Moved %.8s into space %s (%.8s): %zu records, the person's own included.\n"),
	       hex, name != NULL ? name : "?", shex, mv.n_records);
	printf(_("The person's id in that space: %s\n"), nhex);
	hearth_space_names_free(names);
	return CLI_EXIT_OK;
}
