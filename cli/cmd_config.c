/*
 * cli/cmd_config.c - `hearth config list|get KEY|set KEY VALUE`: the
 * vault's settings (hearth/settings.h): help lines on the crisis card, the
 * PHQ-9 cut-off, the language, the supervisor to tell in a crisis; and
 * `hearth config helpline list|add|remove|verify`: the help lines as rows
 * (name, number, hours, the day someone last rang it and it answered).
 *
 * Values are checked before the vault is opened, so a bad value is bad
 * usage (exit 2) and changes nothing.  A wrong or dead number on a crisis
 * card is worse than none, so every command here that shows the help
 * lines warns about each not verified within HEARTH_HELPLINE_STALE_DAYS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/settings.h"

/* A key's description in the language in use. */
static const char *about(struct hearth_cli *cli, const hearth_setting_info *k)
{
	return strcmp(cli_lang(cli), "zh_CN") == 0 ? k->about_zh_CN : k->about_en;
}

/* Help lines as they are typed: "Name:number,Name:number".  malloc'd. */
static char *lines_text(const hearth_helpline *l, size_t n)
{
	size_t i, len = 1;
	char *out;

	for (i = 0; i < n; i++)
		len += strlen(l[i].name) + strlen(l[i].number) + 2;
	out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, l[i].name);
		strcat(out, ":");
		strcat(out, l[i].number);
	}
	return out;
}

/* The help lines as JSON; with today, each says whether it is stale. */
static json_t *lines_json(const hearth_helpline *l, size_t n, const char *today)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", l[i].name,
				      "number", l[i].number, "hours", l[i].hours,
				      "verified", l[i].verified);
		if (o != NULL && today != NULL)
			json_object_set_new(o, "stale",
					    json_boolean(hearth_helpline_stale(&l[i], today)));
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A number as an operand of the command printed for the user. */
static void print_number_arg(FILE *f, const char *number)
{
	fprintf(f, strchr(number, ' ') != NULL ? "'%s'" : "%s", number);
}

void cli_helplines_warn(struct hearth_cli *cli, const hearth_helpline *lines,
			size_t n, const char *today)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!hearth_helpline_stale(&lines[i], today))
			continue;
		fprintf(stderr, "%s: ", cli->prog);
		if (lines[i].verified[0] == '\0')
			fprintf(stderr, _("warning: help line %s (%s) was never verified: "
					  "call it and record the day: "),
				lines[i].name, lines[i].number);
		else
			fprintf(stderr, _("warning: help line %s (%s) was last verified on %s, "
					  "more than %d days ago: call it and record the day: "),
				lines[i].name, lines[i].number, lines[i].verified,
				HEARTH_HELPLINE_STALE_DAYS);
		fprintf(stderr, "hearth config helpline verify ");
		print_number_arg(stderr, lines[i].number);
		fprintf(stderr, "\n");
	}
}

/* Reads the vault's help lines and warns about the stale ones. */
static void warn_stale(struct hearth_cli *cli, hearth_store *s)
{
	hearth_helpline *l = NULL;
	char today[HEARTH_DATE_LEN + 1];
	size_t n = 0;

	if (hearth_today(getenv("HEARTH_TODAY"), today) != HEARTH_OK ||
	    hearth_settings_helplines(s, cli_lang(cli), &l, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	cli_helplines_warn(cli, l, n, today);
	hearth_helplines_free(l, n);
}

/* The value of key for people (text) and for programs (json).  Either
 * output may be NULL.  Returns an exit code. */
static int value_of(struct hearth_cli *cli, hearth_store *s, const char *key,
		    char **text, json_t **json, int *is_default)
{
	hearth_status st;
	int set;

	if ((st = hearth_settings_is_set(s, key, &set)) != HEARTH_OK)
		return cli_error_status(cli, st);
	*is_default = !set;
	if (strcmp(key, HEARTH_SETTING_HELPLINES) == 0) {
		hearth_helpline *l = NULL;
		size_t n = 0;
		if ((st = hearth_settings_helplines(s, cli_lang(cli), &l, &n)) != HEARTH_OK)
			return cli_error_status(cli, st);
		if (text != NULL)
			*text = lines_text(l, n);
		if (json != NULL)
			*json = lines_json(l, n, NULL);
		hearth_helplines_free(l, n);
	} else {
		char *v = NULL;
		if ((st = hearth_settings_get(s, key, &v)) != HEARTH_OK)
			return cli_error_status(cli, st);
		if (json != NULL)
			*json = json_string(v);
		if (text != NULL && v != NULL && v[0] == '\0') {
			/* An empty value reads as what it means. */
			free(v);
			v = strdup(strcmp(key, HEARTH_SETTING_LANG) == 0
				   ? _("(follow the locale)") : _("(none)"));
		}
		if (text != NULL)
			*text = v;
		else
			free(v);
	}
	if ((text != NULL && *text == NULL) || (json != NULL && *json == NULL))
		return cli_error(cli, "%s", _("out of memory"));
	return CLI_EXIT_OK;
}

static int config_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const hearth_setting_info *keys;
	struct cli_table *t = NULL;
	json_t *arr = NULL;
	hearth_store *s;
	size_t n, i;
	int c, rc;

	cli_set_command(cli, "config list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth config list\n"
				"Shows every setting, its value, and whether it is the default.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	keys = hearth_settings_keys(&n);
	if (cli->json) {
		arr = json_array();
	} else {
		const char *head[] = {_("KEY"), _("VALUE"), _("DEFAULT"), _("ABOUT")};
		t = cli_table_new(4, head);
	}
	if (arr == NULL && t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	for (i = 0; i < n; i++) {
		char *text = NULL;
		json_t *js = NULL;
		int def;
		rc = value_of(cli, s, keys[i].key, cli->json ? NULL : &text,
			      cli->json ? &js : NULL, &def);
		if (rc != 0) {
			free(text);
			json_decref(js);
			goto out;
		}
		if (arr != NULL) {
			json_array_append_new(arr, json_pack("{s:s, s:o, s:b, s:s}",
				"key", keys[i].key, "value", js, "default", def,
				"about", about(cli, &keys[i])));
		} else {
			const char *row[] = {keys[i].key, text,
					     def ? _("yes") : _("no"),
					     about(cli, &keys[i])};
			cli_table_add(t, row);
		}
		free(text);
	}
	if (arr != NULL) {
		rc = cli_json_print(cli, arr);
		arr = NULL;
	} else {
		cli_table_print(t, stdout);
	}
	warn_stale(cli, s);
out:
	json_decref(arr);
	cli_table_free(t);
	return rc;
}

static int config_get(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_store *s;
	char *text = NULL;
	json_t *js = NULL;
	int c, rc, def;

	cli_set_command(cli, "config get");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth config get KEY\n"
				"Prints one setting (see 'hearth config list' for the keys).\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("KEY"))) != 0)
		return rc;
	if (hearth_settings_check(argv[optind], NULL) == HEARTH_ENOTFOUND)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	rc = value_of(cli, s, argv[optind], cli->json ? NULL : &text,
		      cli->json ? &js : NULL, &def);
	if (rc != 0) {
		free(text);
		json_decref(js);
		return rc;
	}
	if (strcmp(argv[optind], HEARTH_SETTING_HELPLINES) == 0)
		warn_stale(cli, s);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:o, s:b}", "key",
				      argv[optind], "value", js, "default", def));
	printf("%s\n", text);
	free(text);
	return CLI_EXIT_OK;
}

static int config_set(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *key, *value;
	hearth_store *s;
	hearth_status st;
	char *text = NULL;
	json_t *js = NULL;
	int c, rc, def;

	cli_set_command(cli, "config set");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth config set KEY VALUE\n"
				"Changes a setting; an empty VALUE puts back the default.\n"
				"\n"
				"  helplines    Name:number,Name:number  (help lines on the crisis card;\n"
				"                                         for hours and the day verified,\n"
				"                                         see 'hearth config helpline')\n"
				"  phq9_cutoff  10 or 7                  (PHQ-9 positive cut-off)\n"
				"  lang         en, zh_CN, or empty      (empty: follow the locale)\n"
				"  supervisor   name and number          (who to tell in a crisis)\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, _("KEY VALUE"))) != 0)
		return rc;
	key = argv[optind];
	value = argv[optind + 1];
	if (hearth_settings_check(key, value) != HEARTH_OK)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_settings_set(s, key, value)) != HEARTH_OK)
		return cli_error_status(cli, st);
	rc = value_of(cli, s, key, cli->json ? NULL : &text,
		      cli->json ? &js : NULL, &def);
	if (rc != 0) {
		free(text);
		json_decref(js);
		return rc;
	}
	if (strcmp(key, HEARTH_SETTING_HELPLINES) == 0)
		warn_stale(cli, s);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:o, s:b}", "key", key,
				      "value", js, "default", def));
	printf("%s = %s\n", key, text);
	free(text);
	return CLI_EXIT_OK;
}

/* ---- help lines as rows ---- */

/* Prints the help lines as a table (or JSON) and warns about stale ones. */
static int print_lines(struct hearth_cli *cli, hearth_store *s, const char *today)
{
	const char *head[] = {_("NAME"), _("NUMBER"), _("HOURS"), _("VERIFIED ON"), ""};
	hearth_helpline *l = NULL;
	struct cli_table *t;
	hearth_status st;
	size_t n = 0, i;
	int rc = CLI_EXIT_OK;

	if ((st = hearth_settings_helplines(s, cli_lang(cli), &l, &n)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		rc = cli_json_print(cli, lines_json(l, n, today));
	} else if ((t = cli_table_new(5, head)) == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
	} else {
		for (i = 0; i < n; i++) {
			const char *row[] = {l[i].name, l[i].number,
					     l[i].hours[0] != '\0' ? l[i].hours : _("unknown"),
					     l[i].verified[0] != '\0' ? l[i].verified : _("never"),
					     hearth_helpline_stale(&l[i], today)
						     ? _("call to verify") : ""};
			cli_table_add(t, row);
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	cli_helplines_warn(cli, l, n, today);
	hearth_helplines_free(l, n);
	return rc;
}

static int helpline_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char today[HEARTH_DATE_LEN + 1];
	hearth_store *s;
	int c, rc;

	cli_set_command(cli, "config helpline list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth config helpline list\n"
				"Shows the help lines on the crisis card, one per row: name, number,\n"
				"hours, and the day someone last rang it and it answered as listed.\n"
				"A line never verified, or verified more than 90 days ago, is marked.\n"
				"\n"
				"Options:\n"
				"  --json       print a JSON array\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0 ||
	    (rc = cli_today(cli, today)) != 0 ||
	    (rc = cli_open_store(cli, &s)) != 0)
		return rc;
	return print_lines(cli, s, today);
}

static int helpline_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"hours", required_argument, NULL, 'H'},
		{"verified", required_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char today[HEARTH_DATE_LEN + 1];
	hearth_helpline line = {0};
	hearth_store *s;
	hearth_status st;
	int c, rc, replaced = 0;

	cli_set_command(cli, "config helpline add");
	while ((c = cli_getopt(cli, argc, argv, "H:V:h", opts)) != -1) {
		switch (c) {
		case 'H':
			line.hours = optarg;
			break;
		case 'V':
			line.verified = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth config helpline add NAME NUMBER [OPTIONS]\n"
				"Adds a help line to the crisis card, or replaces the line that has\n"
				"the same NUMBER (spaces and dashes aside).\n"
				"\n"
				"Options:\n"
				"  --hours TEXT       when it answers, e.g. \"24 h\" or \"8:00-22:00\"\n"
				"  --verified DATE    the day you rang it and it answered (YYYY-MM-DD,\n"
				"                     not after today); without it the line is not verified\n"
				"  --json             print the help lines as a JSON array\n"
				"  -h, --help         show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, _("NAME NUMBER"))) != 0 ||
	    (rc = cli_today(cli, today)) != 0)
		return rc;
	line.name = argv[optind];
	line.number = argv[optind + 1];
	if (hearth_helpline_check(&line, today) != HEARTH_OK)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_settings_helpline_put(s, cli_lang(cli), &line, today, &replaced);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (!cli->json)
		printf(replaced ? _("Replaced help line %s (%s).\n")
				: _("Added help line %s (%s).\n"), line.name, line.number);
	return print_lines(cli, s, today);
}

static int helpline_remove(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char today[HEARTH_DATE_LEN + 1];
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "config helpline remove");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth config helpline remove NUMBER\n"
				"Removes the help line with this number from the crisis card.  The\n"
				"last line cannot be removed: add its replacement first.\n"
				"\n"
				"Options:\n"
				"  --json       print the help lines left as a JSON array\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("NUMBER"))) != 0 ||
	    (rc = cli_today(cli, today)) != 0 ||
	    (rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_settings_helpline_remove(s, cli_lang(cli), argv[optind]);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (!cli->json)
		printf(_("Removed help line %s.\n"), argv[optind]);
	return print_lines(cli, s, today);
}

static int helpline_verify(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"date", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char today[HEARTH_DATE_LEN + 1];
	const char *day = NULL;
	hearth_store *s;
	hearth_status st;
	int32_t ahead;
	int c, rc;

	cli_set_command(cli, "config helpline verify");
	while ((c = cli_getopt(cli, argc, argv, "D:h", opts)) != -1) {
		switch (c) {
		case 'D':
			day = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth config helpline verify NUMBER [--date DATE]\n"
				"Records that you rang the help line with this number and it answered\n"
				"as listed: today, or on DATE (YYYY-MM-DD, not after today).\n"
				"\n"
				"Options:\n"
				"  --date DATE   the day it was verified (default: today)\n"
				"  --json        print the help lines as a JSON array\n"
				"  -h, --help    show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("NUMBER"))) != 0 ||
	    (rc = cli_today(cli, today)) != 0)
		return rc;
	if (day == NULL)
		day = today;
	if ((rc = cli_check_date(cli, day)) != 0)
		return rc;
	if (hearth_date_diff(today, day, &ahead) == HEARTH_OK && ahead > 0)
		return cli_usage(cli, _("%s is after today (%s): give the day you rang it"),
				 day, today);
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_settings_helpline_verify(s, cli_lang(cli), argv[optind], day, today);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (!cli->json)
		printf(_("Help line %s verified on %s.\n"), argv[optind], day);
	return print_lines(cli, s, today);
}

static const struct cli_subcommand helpline_subs[] = {
	{"list", N_("the help lines as rows, with hours and the day verified"), helpline_list},
	{"add", N_("add a line, or replace the one with the same number"), helpline_add},
	{"remove", N_("remove a line"), helpline_remove},
	{"verify", N_("record the day you rang a line and it answered"), helpline_verify},
};

static const struct cli_group helpline_group = {
	.name = "config helpline",
	.head = N_("Usage: hearth config helpline SUBCOMMAND\n"
		   "The help lines on the crisis card, as rows.  Ring each line every\n"
		   "90 days and record the day: a wrong or dead number is worse than none.\n"
		   "\n"
		   "  hearth config helpline add \"Union line\" 0355-1234567 --hours \"8:00-22:00\"\n"
		   "  hearth config helpline verify 12356\n"
		   "\n"
		   "Subcommands:\n"),
	.subs = helpline_subs,
	.nsubs = CLI_COUNT(helpline_subs),
};

static int config_helpline(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &helpline_group, argc, argv);
}

/* The help lists the subcommands with their operands itself. */
static const struct cli_subcommand subs[] = {
	{"list", NULL, config_list},
	{"get", NULL, config_get},
	{"set", NULL, config_set},
	{"helpline", NULL, config_helpline},
};

static const struct cli_group group = {
	.name = "config",
	.head = N_("Usage: hearth config SUBCOMMAND\n"
		   "Show and change the vault's settings.\n"
		   "\n"
		   "Subcommands:\n"
		   "  list              every setting and its value\n"
		   "  get KEY           one setting\n"
		   "  set KEY VALUE     change a setting (empty VALUE: the default)\n"
		   "  helpline ...      the help lines as rows: list, add, remove, verify\n"
		   "                    (see 'hearth config helpline --help')\n"),
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_config(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
