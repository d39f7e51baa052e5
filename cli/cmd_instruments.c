/*
 * cli/cmd_instruments.c - `hearth instruments list|show ID`: the screening
 * instruments this installation has, with their items, scoring, bands,
 * source, licence and translation status.
 *
 * Needs no vault: instruments are data files (hearth/instruments.h).
 * Instrument texts come from the file in the language asked for; the
 * labels around them come from the message catalogue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/instruments.h"

/* What a band or rule asks for, as a phrase.  buf receives it. */
static const char *action_text(const hearth_next_action *a, char *buf,
			       size_t size)
{
	switch (a->kind) {
	case HEARTH_ACTION_NONE:
		snprintf(buf, size, "%s", _("no follow-up"));
		break;
	case HEARTH_ACTION_FULL_FORM:
		snprintf(buf, size, _("give the full form: %s"), a->instrument);
		break;
	case HEARTH_ACTION_FOLLOWUP:
		if (a->days == 0)
			snprintf(buf, size, "%s", a->high_priority
				 ? _("high-priority follow-up the same day")
				 : _("follow-up the same day"));
		else if (a->days == 1)
			snprintf(buf, size, "%s", a->high_priority
				 ? _("high-priority follow-up the next day")
				 : _("follow-up the next day"));
		else if (a->high_priority)
			snprintf(buf, size, _("high-priority follow-up in %d days"),
				 a->days);
		else
			snprintf(buf, size, _("follow-up in %d days"), a->days);
		break;
	case HEARTH_ACTION_SAFETY:
		snprintf(buf, size, "%s",
			 _("same-day high-priority safety follow-up"));
		break;
	}
	return buf;
}

static const char *action_kind(hearth_action_kind k)
{
	switch (k) {
	case HEARTH_ACTION_FULL_FORM:
		return "full_form";
	case HEARTH_ACTION_FOLLOWUP:
		return "followup";
	case HEARTH_ACTION_SAFETY:
		return "safety";
	default:
		return "none";
	}
}

/* How sure a published wording is ("confirmed", "likely", "none found"),
 * in the user's language. */
static const char *wording_word(const char *w)
{
	if (w == NULL)
		return "";
	if (strcmp(w, "confirmed") == 0)
		return _("confirmed");
	if (strcmp(w, "likely") == 0)
		return _("likely");
	if (strcmp(w, "none found") == 0)
		return _("none found");
	return w;
}

static const char *translation_word(const char *t)
{
	return strcmp(t, "unofficial") == 0 ? _("unofficial") : _("official");
}

/* Loads an instrument, printing the loader's message on failure.
 * Returns an exit code. */
static int load(struct hearth_cli *cli, const char *id, hearth_instrument **out)
{
	hearth_status st = hearth_instrument_find(id, out);

	if (st == HEARTH_EINVAL)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	return CLI_EXIT_OK;
}

static json_t *text_json(const hearth_text *t)
{
	return json_pack("{s:s, s:s, s:b}", "en", t->en, "zh_CN", t->zh_CN,
			 "zh_CN_unofficial", t->zh_unofficial);
}

static json_t *item_json(const hearth_item *it)
{
	json_t *o, *opts = json_array();
	size_t j;

	if (opts == NULL)
		return NULL;
	for (j = 0; j < it->n_options; j++)
		json_array_append_new(opts, json_pack("{s:i, s:o}", "value",
				      it->options[j].value, "label",
				      text_json(&it->options[j].label)));
	o = json_pack("{s:s, s:o, s:o, s:b, s:b}", "id", it->id, "text",
		      text_json(&it->text), "options", opts, "scored",
		      it->scored, "reverse", it->reverse);
	if (o != NULL && it->show_if_item != NULL)
		json_object_set_new(o, "show_if", json_pack("{s:s, s:i}", "item",
				    it->show_if_item, "equals",
				    it->show_if_value));
	return o;
}

static json_t *outcome_json(const hearth_outcome *o, int has_range, int lo,
			    int hi)
{
	json_t *j, *flags = json_array();
	size_t i;

	if (flags == NULL)
		return NULL;
	for (i = 0; i < o->n_flags; i++)
		json_array_append_new(flags, json_string(o->flags[i]));
	j = json_pack("{s:s, s:o, s:o, s:o, s:{s:s, s:s*, s:i, s:b}}",
		      "id", o->id, "label", text_json(&o->label),
		      "next_step", text_json(&o->next_step), "flags", flags,
		      "action", "kind", action_kind(o->action.kind),
		      "instrument", o->action.instrument,
		      "days", o->action.days,
		      "high_priority", o->action.high_priority);
	if (j != NULL && has_range) {
		json_object_set_new(j, "min", json_integer(lo));
		json_object_set_new(j, "max", json_integer(hi));
	}
	if (j != NULL && o->risk != NULL)
		json_object_set_new(j, "risk", json_string(o->risk));
	return j;
}

static json_t *instrument_json(const hearth_instrument *inst, const char *lang)
{
	json_t *o, *items = json_array(), *bands = json_array(),
	       *rules = json_array();
	const hearth_item *d = hearth_instrument_difficulty(inst);
	const char *notice = hearth_instrument_translation_notice(inst, lang);
	const char *setting;
	int has_cut, below, cut, lo, hi;
	size_t i;
	int sum = hearth_instrument_method(inst) == HEARTH_SCORING_SUM;

	if (items == NULL || bands == NULL || rules == NULL) {
		json_decref(items);
		json_decref(bands);
		json_decref(rules);
		return NULL;
	}
	for (i = 0; i < hearth_instrument_n_items(inst); i++)
		json_array_append_new(items,
				      item_json(hearth_instrument_item(inst, i)));
	for (i = 0; i < hearth_instrument_n_bands(inst); i++) {
		const hearth_outcome *b = hearth_instrument_band(inst, i, &lo, &hi);
		json_array_append_new(bands, outcome_json(b, sum, lo, hi));
	}
	for (i = 0; i < hearth_instrument_n_rules(inst); i++)
		json_array_append_new(rules, outcome_json(
			hearth_instrument_rule(inst, i), 0, 0, 0));
	o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:{s:s, s:s}, "
		      "s:s, s:s*, s:o, s:s, s:o, s:o}",
		      "id", hearth_instrument_id(inst),
		      "version", hearth_instrument_version(inst),
		      "title", text_json(hearth_instrument_title(inst)),
		      "lead_in", text_json(hearth_instrument_lead_in(inst)),
		      "administration", hearth_instrument_administration(inst),
		      "licence", hearth_instrument_licence(inst),
		      "source", hearth_instrument_source(inst),
		      "wording", "en", hearth_instrument_wording(inst, "en"),
		      "zh_CN", hearth_instrument_wording(inst, "zh_CN"),
		      "translation", hearth_instrument_translation(inst),
		      "translation_notice", notice,
		      "items", items,
		      "method", sum ? "sum" : "risk",
		      sum ? "bands" : "levels", bands,
		      "rules", rules);
	if (o == NULL)
		return NULL;
	if (d != NULL)
		json_object_set_new(o, "difficulty", item_json(d));
	if (sum) {
		json_object_set_new(o, "total_max",
				    json_integer(hearth_instrument_total_max(inst)));
		json_object_set_new(o, "multiplier",
				    json_integer(hearth_instrument_multiplier(inst)));
		json_object_set_new(o, "display_max",
				    json_integer(hearth_instrument_display_max(inst)));
	}
	cut = hearth_instrument_cutoff(inst, &has_cut, &below, &setting);
	if (has_cut) {
		const int *choices;
		size_t n = hearth_instrument_cutoff_choices(inst, &choices);
		json_t *c = json_array();
		for (i = 0; c != NULL && i < n; i++)
			json_array_append_new(c, json_integer(choices[i]));
		json_object_set_new(o, "positive", json_pack("{s:s, s:i, s:s*, s:o}",
				    "direction", below ? "at_or_below" : "at_or_above",
				    "cutoff", cut, "setting", setting,
				    "choices", c != NULL ? c : json_array()));
	}
	return o;
}

static int instruments_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *lang;
	struct cli_table *t = NULL;
	json_t *arr = NULL;
	char **ids = NULL;
	size_t n = 0, i;
	int c, rc = CLI_EXIT_OK;
	hearth_status st;

	cli_set_command(cli, "instruments list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth instruments list\n"
				"Lists the screening instruments: id, version, number of\n"
				"items, whether the Chinese wording is official, and title.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	lang = cli_lang(cli);
	if ((st = hearth_instrument_list(&ids, &n)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		arr = json_array();
		if (arr == NULL) {
			rc = cli_error(cli, "%s", _("out of memory"));
			goto out;
		}
	} else {
		const char *head[] = {_("ID"), _("VERSION"), _("ITEMS"),
				      _("TRANSLATION"), _("TITLE")};
		t = cli_table_new(5, head);
		if (t == NULL) {
			rc = cli_error(cli, "%s", _("out of memory"));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		hearth_instrument *inst = NULL;
		char items[16];
		st = hearth_instrument_find(ids[i], &inst);
		if (st != HEARTH_OK) {
			/* A broken file is named, and the others still
			 * listed; the exit code says something was wrong. */
			cli_error_status(cli, st);
			rc = CLI_EXIT_FAIL;
			continue;
		}
		snprintf(items, sizeof items, "%zu",
			 hearth_instrument_n_items(inst));
		if (arr != NULL) {
			json_array_append_new(arr, json_pack(
				"{s:s, s:s, s:i, s:s, s:s, s:s, s:s}",
				"id", ids[i],
				"version", hearth_instrument_version(inst),
				"items", (int)hearth_instrument_n_items(inst),
				"translation", hearth_instrument_translation(inst),
				"title", hearth_text_get(hearth_instrument_title(inst), lang),
				"administration", hearth_instrument_administration(inst),
				"lang", lang));
		} else {
			const char *row[] = {
				ids[i], hearth_instrument_version(inst), items,
				translation_word(hearth_instrument_translation(inst)),
				hearth_text_get(hearth_instrument_title(inst), lang)};
			cli_table_add(t, row);
		}
		hearth_instrument_free(inst);
	}
	if (arr != NULL) {
		int prc = cli_json_print(cli, arr);
		arr = NULL;
		if (rc == CLI_EXIT_OK)
			rc = prc;
	} else {
		cli_table_print(t, stdout);
	}
out:
	json_decref(arr);
	cli_table_free(t);
	hearth_instrument_ids_free(ids, n);
	return rc;
}

static void print_options(const hearth_item *it, const char *lang)
{
	size_t j;

	for (j = 0; j < it->n_options; j++)
		printf("     %d  %s\n", it->options[j].value,
		       hearth_text_get(&it->options[j].label, lang));
}

static int instruments_show(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_instrument *inst = NULL;
	const hearth_item *d;
	const char *lang, *notice, *setting;
	struct cli_table *kv;
	char buf[160], wording[160];
	int c, rc, has_cut, below, cut, lo, hi, sum;
	size_t i;

	cli_set_command(cli, "instruments show");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth instruments show ID\n"
				"Shows an instrument: source, licence, translation status,\n"
				"items and options, scoring, bands and rules.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if ((rc = load(cli, argv[optind], &inst)) != 0)
		return rc;
	lang = cli_lang(cli);
	if (cli->json) {
		json_t *o = instrument_json(inst, lang);
		hearth_instrument_free(inst);
		return cli_json_print(cli, o);
	}
	sum = hearth_instrument_method(inst) == HEARTH_SCORING_SUM;
	notice = hearth_instrument_translation_notice(inst, lang);
	printf("%s\n\n", hearth_text_get(hearth_instrument_title(inst), lang));
	kv = cli_kv_new();
	if (kv == NULL) {
		hearth_instrument_free(inst);
		return cli_error(cli, "%s", _("out of memory"));
	}
	cli_kv_add(kv, _("Id"), hearth_instrument_id(inst));
	cli_kv_add(kv, _("Version"), hearth_instrument_version(inst));
	cli_kv_add(kv, _("Given by"),
		   strcmp(hearth_instrument_administration(inst), "counsellor") == 0
			   ? _("a counsellor asks the questions")
			   : _("the person answers themselves"));
	cli_kv_add(kv, _("Source"), hearth_instrument_source(inst));
	cli_kv_add(kv, _("Licence"), hearth_instrument_licence(inst));
	snprintf(wording, sizeof wording, _("English %s; Chinese %s"),
		 wording_word(hearth_instrument_wording(inst, "en")),
		 wording_word(hearth_instrument_wording(inst, "zh_CN")));
	cli_kv_add(kv, _("Wording"), wording);
	cli_kv_add(kv, _("Chinese translation"),
		   translation_word(hearth_instrument_translation(inst)));
	cli_kv_add(kv, _("Note"), notice);
	cli_table_print(kv, stdout);
	cli_table_free(kv);

	printf("\n%s\n", hearth_text_get(hearth_instrument_lead_in(inst), lang));
	for (i = 0; i < hearth_instrument_n_items(inst); i++) {
		const hearth_item *it = hearth_instrument_item(inst, i);
		printf("  %s. %s\n", it->id, hearth_text_get(&it->text, lang));
		if (it->show_if_item != NULL) {
			printf("     ");
			printf(_("(asked only when %s is %d)"), it->show_if_item,
			       it->show_if_value);
			printf("\n");
		}
		print_options(it, lang);
	}
	d = hearth_instrument_difficulty(inst);
	if (d != NULL) {
		printf("  %s %s\n", _("Recorded, not scored:"),
		       hearth_text_get(&d->text, lang));
		print_options(d, lang);
	}

	printf("\n");
	if (sum) {
		if (hearth_instrument_multiplier(inst) != 1)
			printf(_("Scoring: sum of the items, 0-%d, shown multiplied by %d as 0-%d\n"),
			       hearth_instrument_total_max(inst),
			       hearth_instrument_multiplier(inst),
			       hearth_instrument_display_max(inst));
		else
			printf(_("Scoring: sum of the items, 0-%d\n"),
			       hearth_instrument_total_max(inst));
	} else {
		printf("%s\n", _("Scoring: risk level from the answers (the first level that applies)"));
	}
	cut = hearth_instrument_cutoff(inst, &has_cut, &below, &setting);
	if (has_cut) {
		if (below)
			printf(_("Positive screen: total at or below %d"), cut);
		else
			printf(_("Positive screen: total at or above %d"), cut);
		if (setting != NULL) {
			const int *choices;
			size_t n = hearth_instrument_cutoff_choices(inst, &choices), k;
			size_t len = 0;
			buf[0] = '\0';
			for (k = 0; k < n && len < sizeof buf - 8; k++)
				len += (size_t)snprintf(buf + len, sizeof buf - len,
							"%s%d", k ? ", " : "", choices[k]);
			printf(" ");
			printf(_("(vault setting %s: %s)"), setting, buf);
		}
		printf("\n");
	}
	printf("%s\n", sum ? _("Bands:") : _("Risk levels:"));
	for (i = 0; i < hearth_instrument_n_bands(inst); i++) {
		const hearth_outcome *b = hearth_instrument_band(inst, i, &lo, &hi);
		char act[128];
		if (sum)
			printf("  %d-%d  %s\n", lo, hi, hearth_text_get(&b->label, lang));
		else
			printf("  %s\n", hearth_text_get(&b->label, lang));
		printf("     %s\n", hearth_text_get(&b->next_step, lang));
		printf("     [%s]\n", action_text(&b->action, act, sizeof act));
	}
	if (hearth_instrument_n_rules(inst) > 0)
		printf("%s\n", _("Item rules (whatever the total):"));
	for (i = 0; i < hearth_instrument_n_rules(inst); i++) {
		const hearth_outcome *r = hearth_instrument_rule(inst, i);
		char act[128];
		printf("  %s\n", hearth_text_get(&r->label, lang));
		printf("     %s\n", hearth_text_get(&r->next_step, lang));
		printf("     [%s]\n", action_text(&r->action, act, sizeof act));
	}
	printf("\n%s\n", _("A screening result is not a diagnosis: it suggests whether a further check is needed."));
	hearth_instrument_free(inst);
	return CLI_EXIT_OK;
}

/* The help lists the subcommands with their operands itself. */
static const struct cli_subcommand subs[] = {
	{"list", NULL, instruments_list},
	{"show", NULL, instruments_show},
};

static const struct cli_group group = {
	.name = "instruments",
	.head = N_("Usage: hearth instruments SUBCOMMAND\n"
		   "List and describe the screening instruments.\n"
		   "\n"
		   "Subcommands:\n"
		   "  list      the instruments installed\n"
		   "  show ID   one instrument in full\n"),
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_instruments(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
