/*
 * cli/main.c - `hearth`: global options and dispatch to command groups.
 *
 *   hearth [--vault DIR] [--json] [--passphrase-file F] [--lang L]
 *          COMMAND [ARGS]
 *
 * Global options stop at the first operand (getopt's "+"), which names the
 * command group; everything after it belongs to the group.  Exit codes: 0
 * success, 1 failed operation, 2 bad usage (see cli.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct group {
	const char *name;
	cli_group_fn fn;
	const char *summary; /* N_() marked */
};

/* Every noun `hearth` knows, in the order --help lists them.  Each noun's
 * subcommands are a static table in its cmd_NOUN.c. */
static const struct group groups[] = {
	{"init", cmd_init, N_("create a new vault")},
	{"passwd", cmd_passwd, N_("change the vault's passphrase")},
	{"recover", cmd_recover, N_("set a new passphrase with the recovery code")},
	{"vault", cmd_vault, N_("check the vault for damage")},
	{"person", cmd_person, N_("add, list, show, edit and delete people")},
	{"screen", cmd_screen, N_("run and review screenings")},
	{"instruments", cmd_instruments, N_("list and describe screening instruments")},
	{"appt", cmd_appt, N_("book and manage appointments")},
	{"note", cmd_note, N_("write and amend session notes")},
	{"followup", cmd_followup, N_("track due and overdue follow-ups")},
	{"activity", cmd_activity, N_("log calls, group sessions and lectures")},
	{"report", cmd_report, N_("count services for a period")},
	{"journal", cmd_journal, N_("private mood check-ins and self-screenings")},
	{"audit", cmd_audit, N_("show and verify the audit log")},
	{"device", cmd_device, N_("this identity's devices and fingerprint")},
	{"sync", cmd_sync, N_("move changes between devices through a file")},
	{"space", cmd_space, N_("spaces, their members and invitations")},
	{"share", cmd_share, N_("journal entries employees shared with you")},
	{"config", cmd_config, N_("show and change settings")},
	{NULL, NULL, NULL},
};

static void print_help(void)
{
	const struct group *g;
	size_t w = 0;

	for (g = groups; g->name != NULL; g++)
		if (strlen(g->name) > w)
			w = strlen(g->name);
	printf(_("Usage: hearth [OPTION]... COMMAND [ARGS]...\n"
		 "Keep counselling records in an encrypted vault.\n"
		 "\n"
		 "Options:\n"
		 "  --vault DIR            the vault directory (default: $HEARTH_VAULT,\n"
		 "                         else $XDG_DATA_HOME/hearth, else\n"
		 "                         ~/.local/share/hearth)\n"
		 "  --json                 print machine-readable JSON\n"
		 "  --passphrase-file F    read the passphrase from the first line of F\n"
		 "                         (else $HEARTH_PASSPHRASE, else a prompt)\n"
		 "  --lang zh_CN|en        language of messages\n"
		 "  -h, --help             show this help and exit\n"
		 "  --version              show the version and exit\n"
		 "\n"
		 "Commands:\n"));
	for (g = groups; g->name != NULL; g++) {
		fputs("  ", stdout);
		cli_print_padded(stdout, g->name, w + 2);
		printf("%s\n", _(g->summary));
	}
	printf(_("\n"
		 "Run 'hearth COMMAND --help' for a command's options.\n"
		 "Exit status: 0 on success, 1 when the operation failed, 2 on bad usage.\n"));
}

/* The default vault directory; *owned receives what must be freed. */
static const char *default_vault_dir(char **owned)
{
	const char *v = getenv("HEARTH_VAULT");
	const char *base;
	const char *suffix;
	char *p;
	size_t n;

	*owned = NULL;
	if (v != NULL && v[0] != '\0')
		return v;
	base = getenv("XDG_DATA_HOME");
	suffix = "/hearth";
	if (base == NULL || base[0] != '/') {
		/* The XDG spec says to ignore a relative XDG_DATA_HOME. */
		base = getenv("HOME");
		suffix = "/.local/share/hearth";
		if (base == NULL || base[0] == '\0')
			return NULL;
	}
	n = strlen(base) + strlen(suffix) + 1;
	p = malloc(n);
	if (p == NULL)
		return NULL;
	snprintf(p, n, "%s%s", base, suffix);
	*owned = p;
	return p;
}

enum { OPT_VERSION = 0x100, OPT_JSON, OPT_PASSFILE, OPT_VAULT, OPT_LANG };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"vault", required_argument, NULL, OPT_VAULT},
		{"json", no_argument, NULL, OPT_JSON},
		{"passphrase-file", required_argument, NULL, OPT_PASSFILE},
		{"lang", required_argument, NULL, OPT_LANG},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct hearth_cli cli;
	const struct group *g;
	const char *vault_opt = NULL;
	int c;
	int rc;

	/* First, before any passphrase or key is in memory: no core dumps.
	 * Lowering the limit and giving up dumpability are always allowed,
	 * so a failure here is only reported. */
	if (hearth_process_harden() != HEARTH_OK)
		fprintf(stderr, "hearth: %s\n", hearth_errdetail());

	memset(&cli, 0, sizeof cli);
	cli.prog = "hearth";
	cli.command = "";
	cli_i18n_init(&cli);

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_VAULT:
			if (optarg[0] == '\0')
				return cli_usage(&cli, _("option '--vault' needs a directory"));
			vault_opt = optarg;
			break;
		case OPT_JSON:
			cli.json = 1;
			break;
		case OPT_PASSFILE:
			cli.passphrase_file = optarg;
			break;
		case OPT_LANG:
			if ((rc = cli_set_lang(&cli, optarg)) != 0)
				return rc;
			break;
		case 'h':
			print_help();
			return CLI_EXIT_OK;
		case OPT_VERSION:
			printf("hearth %s\n", HEARTH_VERSION);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage(&cli, _("option '%s' needs an argument"),
					 argv[optind - 1]);
		default:
			return cli_usage(&cli, _("unknown option '%s'"),
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage(&cli, _("no command given"));

	for (g = groups; g->name != NULL; g++)
		if (strcmp(g->name, argv[optind]) == 0)
			break;
	if (g->name == NULL)
		return cli_usage(&cli, _("unknown command '%s'"), argv[optind]);

	if (vault_opt != NULL)
		cli.vault_dir = vault_opt;
	else
		cli.vault_dir = default_vault_dir(&cli.vault_dir_owned);
	if (cli.vault_dir == NULL) {
		fprintf(stderr, "%s: %s\n", cli.prog,
			_("cannot tell where the vault is: set HEARTH_VAULT or use --vault"));
		return CLI_EXIT_USAGE;
	}
	if (cli.passphrase_file != NULL)
		cli.pass_source = CLI_PASS_FILE;
	else if (getenv("HEARTH_PASSPHRASE") != NULL)
		cli.pass_source = CLI_PASS_ENV;
	else
		cli.pass_source = CLI_PASS_PROMPT;

	cli.command = g->name;
	rc = g->fn(&cli, argc - optind, argv + optind);

	hearth_vault_close(cli.vault);
	free(cli.vault_dir_owned);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "%s: %s\n", cli.prog, _("cannot write the output"));
		rc = CLI_EXIT_FAIL;
	}
	return rc;
}
