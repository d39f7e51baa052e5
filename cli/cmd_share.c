/*
 * cli/cmd_share.c - `hearth share`: the counsellor's side of the consent
 * shares of journal entries (hearth/share.h).
 *
 *   share contact              this vault's contact code, to show an
 *                              employee who wants to share with you
 *   share list                 the shares received: employee fingerprint,
 *                              entries, state, the person tied to
 *   share link SHARE PERSON    tie a received share to one of your people:
 *                              its entries show on their timeline
 *
 * The employee's side is `hearth journal share|unshare|shares`.  Nothing
 * printed here is secret: the contact code holds public keys only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/devices.h"
#include "hearth/share.h"

static int share_contact(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char fp[HEARTH_FINGERPRINT_LEN + 1], *code = NULL;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "share contact");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth share contact\n"
					       "Show your contact code to an employee who wants to share journal\n"
					       "entries with you; they type it into 'hearth journal share --with'.\n"
					       "Then compare your fingerprint with the one their screen shows.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_share_contact(s, &code)) != HEARTH_OK ||
	    (st = hearth_identity_fingerprint_get(s, fp)) != HEARTH_OK) {
		free(code);
		return cli_error_status(cli, st);
	}
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:s}", "code", code, "fingerprint", fp));
	} else {
		printf("%s\n\n%s\n\n", _("Your contact code, for the employee to type in:"), code);
		printf("%s\n  %s\n", _("Your fingerprint, to compare with their screen:"), fp);
		rc = CLI_EXIT_OK;
	}
	free(code);
	return rc;
}

static int share_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_store *s;
	int c, rc;

	cli_set_command(cli, "share list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth share list\n"
					       "List the journal shares employees made with you: their fingerprint,\n"
					       "the entries, whether the share still lasts, and the person you tied\n"
					       "it to.  An ended share keeps what you received.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	return cli_shares_print(cli, s, 0);
}

static int share_link(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];
	hearth_id space, person;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "share link");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth share link SHARE PERSON\n"
					       "Tie a journal share you received to one of your people: its entries\n"
					       "then show on their timeline ('hearth person show'), marked as shared\n"
					       "by the employee.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, _("SHARE PERSON"))) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "person", argv[optind + 1], &person)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_share_resolve(s, argv[optind], 0, &space);
	if (st == HEARTH_EINVAL)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if (st != HEARTH_OK || (st = hearth_share_link(s, &space, &person)) != HEARTH_OK)
		return cli_error_status(cli, st);
	cli_id_hex(&space, hex);
	cli_id_hex(&person, phex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "share", hex, "person", phex));
	printf(_("Share %s is tied to person %s: its entries show on their timeline.\n"), hex, phex);
	return CLI_EXIT_OK;
}

static const struct cli_subcommand subs[] = {
	{"contact", N_("show your contact code for an employee's share"), share_contact},
	{"list", N_("list the journal shares you received"), share_list},
	{"link", N_("tie a share to one of your people"), share_link},
};

static const struct cli_group group = {
	.name = "share",
	.head = N_("Usage: hearth share SUBCOMMAND [OPTIONS]\n"
		   "Journal entries an employee chose to share with you.  They stay\n"
		   "readable to you after the employee ends the share; nothing written\n"
		   "after that reaches you.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\nRun 'hearth share SUBCOMMAND --help' for its options.\n"),
	.width = 10,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_share(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
