/*
 * cli/cmd_config.c - `hearth config list|get KEY|set KEY VALUE`: the
 * vault's settings (hearth/settings.h): help lines on the crisis card, the
 * PHQ-9 cut-off, the language, the supervisor to tell in a crisis.
 *
 * Values are checked before the vault is opened, so a bad value is bad
 * usage (exit 2) and changes nothing.
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

static json_t *lines_json(const hearth_helpline *l, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", l[i].name,
						   "number", l[i].number));
	return a;
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
			*json = lines_json(l, n);
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
		return cli_usage(cli, "%s", cli_errdetail(cli, HEARTH_ENOTFOUND));
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	rc = value_of(cli, s, argv[optind], cli->json ? NULL : &text,
		      cli->json ? &js : NULL, &def);
	if (rc != 0) {
		free(text);
		json_decref(js);
		return rc;
	}
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
				"  helplines    Name:number,Name:number  (help lines on the crisis card)\n"
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
		return cli_usage(cli, "%s", cli_errdetail(cli, HEARTH_EINVAL));
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
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:o, s:b}", "key", key,
				      "value", js, "default", def));
	printf("%s = %s\n", key, text);
	free(text);
	return CLI_EXIT_OK;
}

/* The help lists the subcommands with their operands itself. */
static const struct cli_subcommand subs[] = {
	{"list", NULL, config_list},
	{"get", NULL, config_get},
	{"set", NULL, config_set},
};

static const struct cli_group group = {
	.name = "config",
	.head = N_("Usage: hearth config SUBCOMMAND\n"
		   "Show and change the vault's settings.\n"
		   "\n"
		   "Subcommands:\n"
		   "  list              every setting and its value\n"
		   "  get KEY           one setting\n"
		   "  set KEY VALUE     change a setting (empty VALUE: the default)\n"),
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_config(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
