/*
 * cli/cli.c - shared helpers of the command line: opening the vault,
 * messages and exit codes, option parsing, ids.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

hearth_kdf_params cli_kdf_params(void)
{
	const char *weak = getenv("HEARTH_TEST_WEAK_KDF");

	/* Test-only switch: the test suites create dozens of vaults, and
	 * 256 MiB of Argon2id per passphrase would make them crawl. */
	if (weak != NULL && strcmp(weak, "1") == 0)
		return hearth_kdf_params_low();
	return hearth_kdf_params_default();
}

/* Prints the message for a failed vault open or rewrap of dir. */
static int vault_error(struct hearth_cli *cli, hearth_status st, const char *dir)
{
	switch (st) {
	case HEARTH_ENOVAULT:
		return cli_error(cli, _("no vault at '%s': run 'hearth init'"), dir);
	case HEARTH_EPASSPHRASE:
		return cli_error(cli, "%s", _("wrong passphrase"));
	case HEARTH_ENEWER:
		return cli_error(cli, _("vault at '%s' was made by a newer version of hearth"),
				 dir);
	case HEARTH_EDAMAGED: {
		const char *d = hearth_errdetail();

		/* The vault names the page; make sure the user also reads
		 * that the vault is damaged. */
		if (strncmp(d, "vault damaged", 13) == 0)
			return cli_error(cli, "%s", hearth_errdetail_local());
		return cli_error(cli, _("vault damaged: %s"), hearth_errdetail_local());
	}
	default:
		return cli_error_status(cli, st);
	}
}

int cli_open_vault(struct hearth_cli *cli, hearth_vault **out)
{
	hearth_status st;
	char *pass = NULL;
	size_t len = 0;
	int rc;

	if (cli->vault != NULL) {
		*out = cli->vault;
		return CLI_EXIT_OK;
	}
	/* Say there is no vault before asking for a passphrase. */
	if (!hearth_vault_exists(cli->vault_dir))
		return vault_error(cli, HEARTH_ENOVAULT, cli->vault_dir);
	rc = cli_passphrase_get(cli, _("Passphrase: "), &pass, &len);
	if (rc != 0)
		return rc;
	st = hearth_vault_open(cli->vault_dir, pass, len, NULL, &cli->vault);
	cli_passphrase_free(pass);
	if (st != HEARTH_OK) {
		cli->vault = NULL;
		return vault_error(cli, st, cli->vault_dir);
	}
	cli_vault_notice(cli, cli->vault);
	*out = cli->vault;
	return CLI_EXIT_OK;
}

int cli_open_store(struct hearth_cli *cli, hearth_store **out)
{
	hearth_vault *v = NULL;
	int rc = cli_open_vault(cli, &v);

	if (rc != 0)
		return rc;
	*out = hearth_vault_store(v);
	return CLI_EXIT_OK;
}

int cli_vault_error(struct hearth_cli *cli, hearth_status st, const char *dir)
{
	return vault_error(cli, st, dir);
}

void cli_set_command(struct hearth_cli *cli, const char *command)
{
	snprintf(cli->command_buf, sizeof cli->command_buf, "%s", command);
	cli->command = cli->command_buf;
}

int cli_usage(struct hearth_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cli->command != NULL && cli->command[0] != '\0')
		fprintf(stderr, _("Try 'hearth %s --help'.\n"), cli->command);
	else
		fprintf(stderr, "%s", _("Try 'hearth --help'.\n"));
	return CLI_EXIT_USAGE;
}

int cli_error(struct hearth_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int cli_error_status(struct hearth_cli *cli, hearth_status st)
{
	if (st == HEARTH_OK)
		return CLI_EXIT_OK;
	fprintf(stderr, "%s: %s\n", cli->prog, hearth_errdetail_local());
	return CLI_EXIT_FAIL;
}

int cli_help(struct hearth_cli *cli, const char *text)
{
	(void)cli;
	fputs(text, stdout);
	return CLI_EXIT_OK;
}

/* The --help of a group. */
static int group_help(const struct cli_group *g)
{
	size_t i, w = g->width;

	if (w == 0) {
		for (i = 0; i < g->nsubs; i++)
			if (strlen(g->subs[i].name) > w)
				w = strlen(g->subs[i].name);
		w += 2;
	}
	fputs(_(g->head), stdout);
	for (i = 0; i < g->nsubs; i++) {
		if (g->subs[i].summary == NULL)
			continue;
		fputs("  ", stdout);
		cli_print_padded(stdout, g->subs[i].name, w);
		printf("%s\n", _(g->subs[i].summary));
	}
	if (g->tail != NULL)
		fputs(_(g->tail), stdout);
	return CLI_EXIT_OK;
}

int cli_dispatch(struct hearth_cli *cli, const struct cli_group *g, int argc,
		 char **argv)
{
	size_t i;

	cli_set_command(cli, g->name);
	if (argc < 2)
		return cli_usage(cli, "%s", _("missing subcommand"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return group_help(g);
	for (i = 0; i < g->nsubs; i++)
		if (strcmp(argv[1], g->subs[i].name) == 0)
			return g->subs[i].fn(cli, argc - 1, argv + 1);
	return cli_usage(cli, _("unknown subcommand '%s'"), argv[1]);
}

int cli_today(struct hearth_cli *cli, char out[HEARTH_DATE_LEN + 1])
{
	const char *t = getenv("HEARTH_TODAY");

	if (hearth_today(t, out) != HEARTH_OK)
		return cli_usage(cli, _("HEARTH_TODAY='%s' is not a valid date: use YYYY-MM-DD"),
				 t ? t : "");
	return 0;
}

int cli_check_date(struct hearth_cli *cli, const char *value)
{
	int32_t d;

	if (hearth_date_parse(value, &d) != HEARTH_OK)
		return cli_usage(cli, _("'%s' is not a valid date: use YYYY-MM-DD"), value);
	return 0;
}

long cli_parse_count(const char *s, long min, long max)
{
	char *end;
	long v;

	/* strtol alone would take " 5", "+5" and "-5". */
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

const char *cli_word(const struct cli_word *table, size_t n, const char *value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(value, table[i].value) == 0)
			return _(table[i].text);
	return value;
}

const char *cli_risk_text(const char *risk)
{
	hearth_risk v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_risk_parse(risk, &v) == HEARTH_OK ? hearth_risk_label(v) : risk;
}

void cli_getopt_reset(struct hearth_cli *cli)
{
	cli->getopt_argv = NULL;
}

enum { CLI_OPT_JSON = 0x7f01, CLI_OPT_LANG = 0x7f02 };

/* The caller's long options plus --json and --lang.  Commands have a
 * handful of options; 62 is far beyond any. */
#define MAX_LONGOPTS 64

int cli_getopt(struct hearth_cli *cli, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	struct option all[MAX_LONGOPTS];
	char shorts[128];
	size_t n = 0;
	int c;

	if (cli->getopt_argv != argv) {
		/* glibc re-initialises fully (including its permutation
		 * state) when optind is 0. */
		optind = 0;
		cli->getopt_argv = argv;
	}
	opterr = 0;
	/* A leading ':' makes getopt report a missing argument as ':'. */
	snprintf(shorts, sizeof shorts, ":%s", shortopts != NULL ? shortopts : "");
	for (; longopts != NULL && longopts[n].name != NULL && n < MAX_LONGOPTS - 3; n++)
		all[n] = longopts[n];
	all[n++] = (struct option){"json", no_argument, NULL, CLI_OPT_JSON};
	all[n++] = (struct option){"lang", required_argument, NULL, CLI_OPT_LANG};
	all[n] = (struct option){NULL, 0, NULL, 0};

	for (;;) {
		c = getopt_long(argc, argv, shorts, all, NULL);
		if (c == CLI_OPT_JSON) {
			cli->json = 1;
			continue;
		}
		if (c == CLI_OPT_LANG) {
			if (cli_set_lang(cli, optarg) != 0)
				return '?';
			continue;
		}
		break;
	}
	if (c == ':') {
		cli_usage(cli, _("option '%s' needs an argument"), argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		if (optopt != 0 && optopt < 0x100)
			cli_usage(cli, _("unknown option '-%c'"), optopt);
		else
			cli_usage(cli, _("unknown option '%s'"), argv[optind - 1]);
		return '?';
	}
	return c;
}

int cli_operands(struct hearth_cli *cli, int argc, char **argv, int min,
		 int max, const char *what)
{
	int n = argc - optind;

	(void)argv;
	if (n < min)
		return cli_usage(cli, _("missing %s"), what);
	if (max >= 0 && n > max)
		return cli_usage(cli, _("unexpected argument '%s'"), argv[optind + max]);
	return 0;
}

int cli_resolve(struct hearth_cli *cli, const char *kind, const char *prefix,
		hearth_id *out)
{
	hearth_store *s;
	hearth_status st;
	size_t i, n = strlen(prefix);
	int rc;

	/* Check the shape first so a malformed id is bad usage (2) and
	 * nothing is opened for it. */
	for (i = 0; i < n; i++)
		if (!((prefix[i] >= '0' && prefix[i] <= '9') ||
		      (prefix[i] >= 'a' && prefix[i] <= 'f') ||
		      (prefix[i] >= 'A' && prefix[i] <= 'F')))
			return cli_usage(cli, _("'%s' is not an id: ids are hexadecimal"),
					 prefix);
	if (n < HEARTH_ID_MIN_PREFIX)
		return cli_usage(cli, _("id '%s' is too short: give at least %u hex digits"),
				 prefix, HEARTH_ID_MIN_PREFIX);
	if (n > HEARTH_ID_HEX)
		return cli_usage(cli, _("id '%s' is too long: ids have %u hex digits"),
				 prefix, HEARTH_ID_HEX);
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_store_resolve(s, kind, prefix, out);
	switch (st) {
	case HEARTH_OK:
		return CLI_EXIT_OK;
	case HEARTH_ENOTFOUND:
		if (kind != NULL && strcmp(kind, "person") == 0)
			return cli_error(cli, _("no person with id '%s'"), prefix);
		return cli_error(cli, _("no record with id '%s'"), prefix);
	case HEARTH_EAMBIGUOUS:
		return cli_error(cli, _("id prefix '%s' matches more than one record: give more digits"),
				 prefix);
	case HEARTH_EINVAL:
		return cli_usage(cli, "%s", hearth_errdetail_local());
	default:
		return cli_error_status(cli, st);
	}
}

int cli_resolve_full(struct hearth_cli *cli, const char *kind, const char *text,
		     hearth_id *out)
{
	if (strlen(text) == HEARTH_ID_HEX && hearth_id_from_hex(out, text) == HEARTH_OK) {
		hearth_errdetail_clear();
		return CLI_EXIT_OK;
	}
	return cli_resolve(cli, kind, text, out);
}

const char *cli_id_hex(const hearth_id *id, char buf[HEARTH_ID_HEX + 1])
{
	hearth_id_to_hex(id, buf);
	return buf;
}

const char *cli_id_short(const hearth_id *id, char buf[9])
{
	char full[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(id, full);
	memcpy(buf, full, 8);
	buf[8] = '\0';
	return buf;
}
