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

		/* The vault names the page; keep its words, but make sure
		 * the user reads that the vault is damaged (cli_errdetail
		 * says so in other languages). */
		if (strncmp(d, "vault damaged", 13) == 0 || strcmp(cli_lang(cli), "en") != 0)
			return cli_error(cli, "%s", cli_errdetail(cli, st));
		return cli_error(cli, _("vault damaged: %s"), d);
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
	fprintf(stderr, "%s: %s\n", cli->prog, cli_errdetail(cli, st));
	return CLI_EXIT_FAIL;
}

/* ---- the core's details in the user's language --------------------------
 *
 * The core writes its failure details in English (hearth_errdetail()), one
 * fixed sentence per situation with the subject filled in.  The sentences
 * users meet most often are listed here with their English format as the
 * msgid: a detail is matched against the format, the parts filled in are
 * taken out, and put into the translated format in the order its
 * conversions give (positional %N$s allowed).  A conversion matches any
 * text; "%*s" in a pattern matches text that the message leaves out.
 * Words the core fills in from its own vocabulary (a record kind, an
 * appointment status) are translated too when the entry says so.
 *
 * A detail that matches nothing is shown as the core wrote it, after the
 * translated name of its kind of failure.  English output is the core's
 * detail, unchanged. */

struct detail_msg {
	const char *pattern; /* the core's format, when it differs from msgid */
	const char *msgid;   /* N_() marked; the core's format otherwise */
	unsigned words;      /* bit i: capture i is a core word (see words[]) */
};

static const struct detail_msg details[] = {
	/* opening a vault */
	{NULL, N_("wrong passphrase"), 0},
	{NULL, N_("wrong recovery code"), 0},
	{NULL, N_("no recovery code given"), 0},
	{NULL, N_("recovery code is too short: it has %u characters"), 0},
	{NULL, N_("recovery code is too long: it has %u characters"), 0},
	{NULL, N_("recovery code has a character that is not in it (at position %zu)"), 0},
	{NULL, N_("no vault at '%s': run 'hearth init'"), 0},
	{NULL, N_("a vault exists already at '%s'"), 0},
	{NULL, N_("vault damaged: page %lu failed authentication"), 0},
	{NULL, N_("vault damaged: a page failed authentication"), 0},
	{NULL, N_("vault damaged: WAL frame %lu failed authentication; a copy was kept at %s"), 0},
	{NULL, N_("vault damaged: WAL frame %lu failed authentication; no copy could be kept, and nothing was changed"), 0},
	{NULL, N_("vault at '%s' was made by a newer version of hearth (format %d)"), 0},
	{NULL, N_("vault schema version %d is newer than this hearth (%d): upgrade hearth"), 0},
	{NULL, N_("this key file belongs to another vault"), 0},
	{NULL, N_("another change to the key file is in progress"), 0},
	{"malformed '%s': %s is %s bytes: above the limit of %s bytes (4 GiB)",
	 N_("'%s': %s asks for %s bytes of memory, above the limit of 4 GiB"), 0},
	{"malformed '%s': %s is %s passes: above the limit of %s passes",
	 N_("'%s': %s asks for %s passes, above the limit of %s"), 0},
	{"%*s: the vault is in use by another program",
	 N_("the vault is in use by another program"), 0},
	{"%*s: the disk is full", N_("the disk is full"), 0},
	{"%*s: out of memory", N_("out of memory"), 0},
	{"out of memory%*s", N_("out of memory"), 0},
	{NULL, N_("cannot write '%s': %s"), 0},
	/* ids */
	{NULL, N_("no record has id '%s'"), 0},
	{NULL, N_("id prefix '%s' is ambiguous: matches %d records"), 0},
	/* dates */
	{NULL, N_("'%s' is not a valid date: use YYYY-MM-DD"), 0},
	{NULL, N_("'%s' is not a valid date and time: use YYYY-MM-DD HH:MM"), 0},
	{NULL, N_("a date is required: use YYYY-MM-DD"), 0},
	{NULL, N_("a date and time is required: use YYYY-MM-DD HH:MM"), 0},
	{NULL, N_("%04d-%02d-%02d is not a day of the calendar"), 0},
	{NULL, N_("year %d is out of range (%d-%d)"), 0},
	/* screening */
	{NULL, N_("no instrument '%s' (see 'hearth instruments list')"), 0},
	{NULL, N_("the action taken cannot be empty"), 0},
	{NULL, N_("the action taken is longer than %u bytes"), 0},
	{NULL, N_("the action taken on screening %s is recorded already"), 0},
	{NULL, N_("screening %s raised no safety flag: no action is pending"), 0},
	{NULL, N_("no answers: give them as 1,0,2,..."), 0},
	{NULL, N_("more than %u answers"), 0},
	{NULL, N_("answer %zu is '%s': expected a number"), 0},
	{NULL, N_("answer %zu is %d: choose %s"), 0},
	{"too many answers: %zu given, %zu asked (with these answers items %s are "
	 "skipped: leave them out or write '-')",
	 N_("too many answers: %zu given, %zu asked (with these answers, items %s "
	    "are skipped: leave them out or write '-')"), 0},
	{"too many answers: %zu given, %zu asked (with these answers item %s is "
	 "skipped: leave them out or write '-')",
	 N_("too many answers: %zu given, %zu asked (with these answers, items %s "
	    "are skipped: leave them out or write '-')"), 0},
	{NULL, N_("too many answers: %zu given, %zu asked"), 0},
	{NULL, N_("item %s is unanswered: nothing was scored"), 0},
	{NULL, N_("item %s is asked only when item %s is %d: leave it unanswered"), 0},
	{NULL, N_("difficulty is %d: choose %s"), 0},
	{NULL, N_("instrument '%s' has no difficulty question"), 0},
	/* text */
	{NULL, N_("the value of '%s' is too long (more than %u bytes)"), 0},
	{NULL, N_("the value of '%s' is not valid UTF-8 text"), 0},
	{NULL, N_("the value of '%s' holds a control character"), 0},
	/* people */
	{NULL, N_("a person needs a name"), 0},
	{NULL, N_("the name cannot be empty"), 0},
	{NULL, N_("a tag cannot be empty"), 0},
	/* workflows */
	{NULL, N_("follow-up %s is done already"), 0},
	{NULL, N_("appointment %s is %s, not booked"), 1u << 1},
	{NULL, N_("appointment on %s has not happened yet"), 0},
	{NULL, N_("mood %d is out of range: choose %d-%d"), 0},
	/* settings */
	{NULL, N_("no setting '%s' (see 'hearth config list')"), 0},
	{NULL, N_("phq9_cutoff must be 7 or 10, not '%s'"), 0},
	{NULL, N_("lang must be en or zh_CN, not '%s'"), 0},
	{NULL, N_("supervisor must be one line of at most %u bytes"), 0},
	{NULL, N_("no help lines: write Name:number,Name:number"), 0},
	{NULL, N_("more than %u help lines"), 0},
	{NULL, N_("help line %zu has no name: write Name:number"), 0},
	{NULL, N_("help line %zu '%s' has no number: write Name:number"), 0},
	{NULL, N_("help line %zu: the name must be one line of at most %u bytes"), 0},
	{NULL, N_("help line %zu: the number is longer than %u characters"), 0},
	{NULL, N_("help line %zu: '%s' is not a phone number (digits, spaces, + - ( ) only)"), 0},
	{NULL, N_("help line %zu: the number has no digits"), 0},
	{NULL, N_("help line %zu: the hours must be one line of at most %u bytes"), 0},
	{NULL, N_("help line %zu: verified '%s' is not a valid date: use YYYY-MM-DD"), 0},
	{NULL, N_("help line %zu: verified %s is after today (%s)"), 0},
	{NULL, N_("no help line with the number '%s' (see 'hearth config helpline list')"), 0},
	{NULL, N_("the last help line cannot be removed: add another first"), 0},
	/* last: these would match the more particular ones above */
	{NULL, N_("no %s matches '%s'"), 1u << 0},
	{NULL, N_("no %s '%s'"), 1u << 0},
	{NULL, N_("vault damaged: %s"), 0},
};

/* The core's words that details fill in, and how users read them. */
static const struct cli_word words[] = {
	{"person", N_("person")},
	{"appointment", N_("appointment")},
	{"followup", N_("follow-up")},
	{"note", N_("note")},
	{"amendment", N_("amendment")},
	{"activity", N_("activity")},
	{"screening", N_("screening")},
	{"journal", N_("journal entry")},
	{"record", N_("record")},
	{"done", N_("held")},
	{"noshow", N_("no-show")},
	{"cancelled", N_("cancelled")},
	{"booked", N_("booked")},
};

/* Each kind of failure, for details no entry above matches, indexed by
 * hearth_status (a code added later than these shows its detail alone). */
static const char *const status_names[] = {
	N_("no error"),
	N_("operation failed"),
	N_("out of memory"),
	N_("invalid argument"),
	N_("input/output error"),
	N_("cryptographic library failure"),
	N_("authentication failed"),
	N_("wrong passphrase"),
	N_("no vault"),
	N_("already exists"),
	N_("vault damaged"),
	N_("written by a newer version of hearth"),
	N_("database error"),
	N_("not found"),
	N_("ambiguous id prefix"),
	N_("malformed input"),
	N_("too far in the future; kept aside"),
	N_("not allowed in the current state"),
	N_("vault is busy"),
	N_("answers incomplete; not scored"),
	N_("key file of another vault"),
};

#define DETAIL_MAX_ARGS 8
#define DETAIL_ARG_MAX 512

struct detail_args {
	size_t n;
	const char *at[DETAIL_MAX_ARGS]; /* into the detail */
	size_t len[DETAIL_MAX_ARGS];
};

/* Length of the printf conversion at f (f[0] == '%'), 0 if none;
 * *suppressed is set for "%*s". */
static size_t conversion_len(const char *f, int *suppressed)
{
	size_t i = 1;

	*suppressed = 0;
	if (f[i] == '*') {
		*suppressed = 1;
		i++;
	}
	while (f[i] != '\0' && strchr("0123456789$.-+ #hlzjt", f[i]) != NULL)
		i++;
	if (f[i] == '\0' || strchr("diouxXsc", f[i]) == NULL)
		return 0;
	return i + 1;
}

/* Does text match pattern p entirely?  Conversions match one or more
 * characters (none for "%*s"), the shortest that lets the rest match;
 * captures go to a. */
static int detail_match(const char *p, const char *text, struct detail_args *a)
{
	size_t clen, k, n0, rest;
	int sup;

	while (*p != '\0') {
		if (p[0] == '%' && p[1] == '%') {
			if (*text != '%')
				return 0;
			p += 2;
			text++;
			continue;
		}
		if (p[0] == '%' && (clen = conversion_len(p, &sup)) != 0) {
			n0 = a->n;
			if (!sup && n0 >= DETAIL_MAX_ARGS)
				return 0;
			rest = strlen(text);
			for (k = sup ? 0 : 1; k <= rest; k++) {
				if (!sup) {
					a->at[n0] = text;
					a->len[n0] = k;
					a->n = n0 + 1;
				}
				if (detail_match(p + clen, text + k, a))
					return 1;
				a->n = n0;
			}
			return 0;
		}
		if (*p != *text)
			return 0;
		p++;
		text++;
	}
	return *text == '\0';
}

/* Appends n bytes of s to buf (size cap), truncating. */
static void put(char *buf, size_t cap, size_t *used, const char *s, size_t n)
{
	if (*used + 1 >= cap)
		return;
	if (n > cap - 1 - *used)
		n = cap - 1 - *used;
	memcpy(buf + *used, s, n);
	*used += n;
	buf[*used] = '\0';
}

/* Writes the translated format fmt with the captured parts in place of
 * its conversions ("%2$s" takes the second). */
static void detail_fill(const char *fmt, const struct detail_args *a,
			const unsigned words_mask, char *buf, size_t cap)
{
	size_t used = 0, next = 0, clen, idx;
	char arg[DETAIL_ARG_MAX];
	int sup;

	buf[0] = '\0';
	while (*fmt != '\0') {
		if (fmt[0] == '%' && fmt[1] == '%') {
			put(buf, cap, &used, "%", 1);
			fmt += 2;
			continue;
		}
		if (fmt[0] == '%' && (clen = conversion_len(fmt, &sup)) != 0) {
			idx = next++;
			if (fmt[1] >= '1' && fmt[1] <= '9' && fmt[2] == '$')
				idx = (size_t)(fmt[1] - '1');
			if (idx < a->n) {
				snprintf(arg, sizeof arg, "%.*s", (int)a->len[idx], a->at[idx]);
				if (words_mask & (1u << idx))
					snprintf(arg, sizeof arg, "%s",
						 cli_word(words, CLI_COUNT(words), arg));
				put(buf, cap, &used, arg, strlen(arg));
			}
			fmt += clen;
			continue;
		}
		put(buf, cap, &used, fmt, 1);
		fmt++;
	}
}

const char *cli_errdetail(const struct hearth_cli *cli, hearth_status st)
{
	static char buf[1024];
	const char *d = hearth_errdetail();
	struct detail_args a;
	size_t i;

	/* The core's words are English: show them as they are. */
	if (strcmp(cli_lang(cli), "en") == 0)
		return d;
	for (i = 0; i < sizeof details / sizeof details[0]; i++) {
		const char *p = details[i].pattern ? details[i].pattern : details[i].msgid;

		a.n = 0;
		if (detail_match(p, d, &a)) {
			detail_fill(_(details[i].msgid), &a, details[i].words, buf,
				    sizeof buf);
			return buf;
		}
	}
	if ((size_t)st < sizeof status_names / sizeof status_names[0] && st != HEARTH_OK) {
		if (d[0] == '\0')
			return _(status_names[st]);
		snprintf(buf, sizeof buf, _("%s: %s"), _(status_names[st]), d);
		return buf;
	}
	return d;
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
	static const struct cli_word risks[] = {
		{"high", N_("high")},
		{"moderate", N_("moderate")},
		{"low", N_("low")},
	};

	return cli_word(risks, CLI_COUNT(risks), risk);
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
		return cli_usage(cli, "%s", cli_errdetail(cli, st));
	default:
		return cli_error_status(cli, st);
	}
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
