/*
 * cli/cmd_journal.c - `hearth journal`: an employee's private journal.
 *
 *   journal add --mood 1..5 [--text T] [--date D]   a mood check-in
 *   journal screen ID [--answers 1,0,...] [--text T]  a self-screening
 *   journal list [--from D] [--to D]
 *   journal trend [--instrument ID]                   dated values and a
 *                                                     sparkline
 *   journal grounding                                 the 5-4-3-2-1
 *                                                     exercise, step by step
 *   journal share ENTRY...|--all --with CODE [--as NAME]
 *                                                     share entries with one
 *                                                     counsellor
 *   journal unshare SHARE                             end a share
 *   journal shares                                    the shares of this
 *                                                     journal
 *
 * Everything is kept in the vault owner's private space (hearth/journal.h).
 * A self-screening that raises a safety flag shows the help lines first,
 * at once, in warm words.  `journal grounding` needs no vault: someone who
 * is struggling should not have to type a passphrase first.
 *
 * A share (hearth/share.h) copies entries into a space only the chosen
 * counsellor's device can read; its output gives the counsellor's
 * fingerprint to compare in person, and `unshare` says plainly that what
 * the counsellor received stays readable to them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hearth/instruments.h"
#include "hearth/journal.h"
#include "hearth/settings.h"
#include "hearth/share.h"
#include "hearth/timeutil.h"

enum { OPT_MOOD = 0x100, OPT_TEXT, OPT_DATE, OPT_ANSWERS, OPT_FROM, OPT_TO,
       OPT_INSTRUMENT, OPT_WITH, OPT_ALL, OPT_AS };

#define LINE_BYTES 256

/* When a self-screening happens: now, or just the day when HEARTH_TODAY
 * pins the date (scripts, tests). */
static int now_of(struct hearth_cli *cli, char out[HEARTH_DATETIME_LEN + 1])
{
	const char *t = getenv("HEARTH_TODAY");
	time_t now = time(NULL);
	struct tm tm;

	if (t != NULL && t[0] != '\0') {
		char d[HEARTH_DATE_LEN + 1];
		int rc = cli_today(cli, d);

		if (rc == 0)
			snprintf(out, HEARTH_DATETIME_LEN + 1, "%s", d);
		return rc;
	}
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(out, HEARTH_DATETIME_LEN + 1, "%Y-%m-%d %H:%M", &tm) == 0)
		return cli_error(cli, "%s", _("cannot read the clock"));
	return 0;
}

static const char *mood_text(int mood)
{
	switch (mood) {
	case 1:
		return _("very low");
	case 2:
		return _("a bit low");
	case 3:
		return _("okay");
	case 4:
		return _("good");
	case 5:
		return _("very good");
	default:
		return "";
	}
}

/* ---- journal add -------------------------------------------------------- */

static int journal_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mood", required_argument, NULL, OPT_MOOD},
		{"text", required_argument, NULL, OPT_TEXT},
		{"date", required_argument, NULL, OPT_DATE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *text = NULL, *date = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	long mood = 0;
	int32_t d;
	char *end;
	int c, rc;

	cli_set_command(cli, "journal add");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_MOOD:
			errno = 0;
			mood = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    mood < HEARTH_MOOD_MIN || mood > HEARTH_MOOD_MAX)
				return cli_usage(cli, _("--mood is %s: choose 1 (very low) to 5 (very good)"),
						 optarg);
			break;
		case OPT_TEXT:
			if ((rc = cli_check_text(cli, "--text", optarg)) != 0)
				return rc;
			if (strlen(optarg) > HEARTH_JOURNAL_TEXT_MAX)
				return cli_usage(cli, _("--text is longer than %u bytes"),
						 (unsigned)HEARTH_JOURNAL_TEXT_MAX);
			text = optarg;
			break;
		case OPT_DATE:
			if (hearth_date_parse(optarg, &d) != HEARTH_OK)
				return cli_usage(cli, _("'%s' is not a valid date: use YYYY-MM-DD"),
						 optarg);
			date = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth journal add --mood 1..5 [--text TEXT] [--date DATE]\n"
					       "Note how you feel: 1 very low, 2 a bit low, 3 okay, 4 good, 5 very good.\n"
					       "Only the mood is needed; a few words are up to you.\n"
					       "The journal stays in your private space.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (mood == 0)
		return cli_usage(cli, "%s", _("say how you feel with --mood 1..5"));
	if (date == NULL) {
		if ((rc = cli_today(cli, today)) != 0)
			return rc;
		date = today;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_journal_add(s, date, (int)mood, text, &id)) != HEARTH_OK)
		return cli_error_status(cli, st);
	cli_id_hex(&id, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s, s:i}", "id", hex,
						     "date", date, "mood", (int)mood));
	printf(_("Saved for %s: mood %ld (%s).\n"), date, mood, mood_text((int)mood));
	return CLI_EXIT_OK;
}

/* ---- journal screen ----------------------------------------------------- */

static int read_line(char *buf, size_t size)
{
	size_t n;

	if (fgets(buf, (int)size, stdin) == NULL)
		return 0;
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 1;
}

/* Asks each item that is shown, one at a time.  Returns 0 when all were
 * answered, else an exit code after saying so. */
static int ask_answers(struct hearth_cli *cli, const hearth_instrument *inst,
		       int *answers)
{
	FILE *out = cli->json ? stderr : stdout;
	const char *lang = cli_lang(cli);
	size_t n = hearth_instrument_n_items(inst);
	char line[LINE_BYTES], choices[96];

	for (size_t i = 0; i < HEARTH_INSTRUMENT_MAX_ITEMS; i++)
		answers[i] = HEARTH_ANSWER_NONE;
	fprintf(out, "%s\n\n%s\n", hearth_text_get(hearth_instrument_title(inst), lang),
		hearth_text_get(hearth_instrument_lead_in(inst), lang));
	for (size_t i = 0; i < n; i++) {
		const hearth_item *it = hearth_instrument_item(inst, i);

		if (!hearth_instrument_item_shown(inst, i, answers))
			continue;
		fprintf(out, "\n%zu/%zu  %s\n", i + 1, n, hearth_text_get(&it->text, lang));
		for (size_t j = 0; j < it->n_options; j++)
			fprintf(out, "   %d  %s\n", it->options[j].value,
				hearth_text_get(&it->options[j].label, lang));
		hearth_item_choices(it, choices, sizeof choices);
		for (;;) {
			long v;
			char *end;
			int ok = 0;

			fprintf(out, _("Answer (%s, q to quit): "), choices);
			fflush(out);
			if (!read_line(line, sizeof line) || strcmp(line, "q") == 0 ||
			    strcmp(line, "Q") == 0) {
				fprintf(out, "\n");
				return cli_error(cli, "%s", _("stopped before the end: nothing was saved"));
			}
			errno = 0;
			v = strtol(line, &end, 10);
			while (*end == ' ' || *end == '\t')
				end++;
			for (size_t j = 0; end != line && *end == '\0' && errno == 0 &&
			     j < it->n_options; j++)
				if (it->options[j].value == v)
					ok = 1;
			if (ok) {
				answers[i] = (int)v;
				break;
			}
			fprintf(out, _("Please answer with one of %s.\n"), choices);
		}
	}
	fprintf(out, "\n");
	return 0;
}

/* The help lines, first and at once, in warm words. */
static int print_help_lines(struct hearth_cli *cli, hearth_store *s, json_t **json)
{
	hearth_helpline *lines = NULL;
	size_t n = 0;
	hearth_status st;

	st = hearth_settings_helplines(s, cli_lang(cli), &lines, &n);
	if (st != HEARTH_OK)
		st = hearth_helplines_default(cli_lang(cli), &lines, &n);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (json != NULL) {
		*json = json_array();
		for (size_t i = 0; *json != NULL && i < n; i++)
			json_array_append_new(*json, json_pack("{s:s, s:s}", "name", lines[i].name,
								"number", lines[i].number));
	} else {
		printf("%s\n", _("You are not alone. It's okay to ask for help, and you can talk to someone right now:"));
		for (size_t i = 0; i < n; i++)
			printf("    %s: %s\n", lines[i].name, lines[i].number);
		printf("%s\n\n", _("If you feel you might hurt yourself, please call now, or go to someone you trust and stay with them."));
	}
	hearth_helplines_free(lines, n);
	return 0;
}

static int journal_screen(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"answers", required_argument, NULL, OPT_ANSWERS},
		{"text", required_argument, NULL, OPT_TEXT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *answers_text = NULL, *text = NULL, *id, *lang = cli_lang(cli);
	const char *notice, *admin;
	char at[HEARTH_DATETIME_LEN + 1], entry_hex[HEARTH_ID_HEX + 1];
	char screening_hex[HEARTH_ID_HEX + 1];
	int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
	hearth_answer_list list;
	hearth_journal_screened res;
	hearth_instrument *inst = NULL;
	hearth_store *s;
	hearth_status st;
	json_t *help = NULL;
	int c, rc;

	cli_set_command(cli, "journal screen");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_ANSWERS:
			answers_text = optarg;
			break;
		case OPT_TEXT:
			if ((rc = cli_check_text(cli, "--text", optarg)) != 0)
				return rc;
			text = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth journal screen ID [--answers 1,0,2,...] [--text TEXT]\n"
					       "Answer a questionnaire for yourself (for example phq9, gad7,\n"
					       "who5; see 'hearth instruments list').  Without --answers each\n"
					       "question is asked in turn.  The result stays in your private\n"
					       "journal; it is not a diagnosis, and nobody else sees it.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	id = argv[optind];
	st = hearth_instrument_find(id, &inst);
	if (st == HEARTH_EINVAL || st == HEARTH_ENOTFOUND) {
		cli_usage(cli, "%s", hearth_errdetail_local());
		return CLI_EXIT_USAGE;
	}
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	admin = hearth_instrument_administration(inst);
	if (admin != NULL && strcmp(admin, "counsellor") == 0) {
		hearth_instrument_free(inst);
		return cli_usage(cli, _("%s is asked by a counsellor, not filled in alone: "
					"choose a self-report questionnaire such as phq9, gad7 or who5"),
				 id);
	}
	if (answers_text != NULL) {
		if (hearth_answers_parse(answers_text, strlen(answers_text), &list) != HEARTH_OK ||
		    (st = hearth_instrument_answers_map(inst, &list, answers)) == HEARTH_EINVAL) {
			rc = cli_usage(cli, "%s", hearth_errdetail_local());
			goto out;
		}
		if (st != HEARTH_OK) {
			rc = cli_error_status(cli, st);
			goto out;
		}
	}
	if ((rc = now_of(cli, at)) != 0)
		goto out;
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;
	if (answers_text == NULL && (rc = ask_answers(cli, inst, answers)) != 0)
		goto out;
	st = hearth_journal_screen(s, inst, answers, hearth_instrument_n_items(inst), at,
				   lang, text, &res);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	cli_id_hex(&res.entry, entry_hex);
	cli_id_hex(&res.screening, screening_hex);
	if (cli->json) {
		if (res.safety && (rc = print_help_lines(cli, s, &help)) != 0)
			goto out;
		rc = cli_json_print(cli, json_pack(
			"{s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:b, s:b, s:o*}",
			"entry", entry_hex, "screening", screening_hex,
			"instrument", hearth_instrument_id(inst),
			"total", res.score.total, "display", res.score.display,
			"display_max", res.score.display_max,
			"band", res.score.band->id,
			"band_label", hearth_text_get(&res.score.band->label, lang),
			"positive", res.score.positive, "safety", res.safety,
			"helplines", help));
		goto out;
	}
	/* Help first: someone who just said they think of hurting themselves
	 * should not have to read past a score to find a number. */
	if (res.safety && (rc = print_help_lines(cli, s, NULL)) != 0)
		goto out;
	printf("%s\n", hearth_text_get(hearth_instrument_title(inst), lang));
	printf(_("Score: %d of %d, %s\n"), res.score.display, res.score.display_max,
	       hearth_text_get(&res.score.band->label, lang));
	if (res.score.positive)
		printf("%s\n", _("Your answers suggest it could help to talk it over with a counsellor or a doctor."));
	else
		printf("%s\n", _("Thank you for checking in with yourself."));
	printf("%s\n", _("This is a self-check, not a diagnosis.  It is saved in your private journal."));
	notice = hearth_instrument_translation_notice(inst, lang);
	if (notice != NULL)
		printf("%s\n", notice);
out:
	hearth_instrument_free(inst);
	return rc;
}

/* ---- journal list ------------------------------------------------------- */

/* The first line of text, cut to about `cols` display columns. */
static void first_line(const char *text, size_t cols, char *out, size_t size)
{
	size_t len = 0, width = 0;
	const char *p = text;

	while (*p != '\0' && *p != '\n' && *p != '\r') {
		size_t n = 1;
		char ch[8];

		while ((p[n] & 0xC0) == 0x80 && n < 4)
			n++;
		memcpy(ch, p, n);
		ch[n] = '\0';
		if (width + cli_display_width(ch) > cols || len + n + 4 > size) {
			/* An ellipsis says there is more. */
			memcpy(out + len, "\xE2\x80\xA6", 3);
			len += 3;
			break;
		}
		memcpy(out + len, p, n);
		len += n;
		width += cli_display_width(ch);
		p += n;
	}
	out[len] = '\0';
}

static int journal_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL;
	hearth_journal_list *l = NULL;
	struct cli_table *t;
	int any_shared = 0;
	hearth_store *s;
	hearth_status st;
	int32_t d;
	int c, rc;

	cli_set_command(cli, "journal list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			if (hearth_date_parse(optarg, &d) != HEARTH_OK)
				return cli_usage(cli, _("'%s' is not a valid date: use YYYY-MM-DD"),
						 optarg);
			if (c == OPT_FROM)
				from = optarg;
			else
				to = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth journal list [--from DATE] [--to DATE]\n"
					       "Show your journal, oldest first: moods, self-checks and notes.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_journal_entries(s, from, to, &l)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr != NULL && i < l->n; i++) {
			const hearth_journal_item *it = &l->items[i];
			char hex[HEARTH_ID_HEX + 1], shex[HEARTH_ID_HEX + 1];
			json_t *o;

			cli_id_hex(&it->id, hex);
			o = json_pack("{s:s, s:s, s:s, s:b}", "id", hex, "date", it->date,
				      "text", it->text, "shared", it->shared);
			if (o != NULL && it->mood > 0)
				json_object_set_new(o, "mood", json_integer(it->mood));
			if (o != NULL && it->has_screening)
				json_object_set_new(o, "screening", json_pack(
					"{s:s, s:s, s:s, s:i, s:i, s:b}",
					"id", cli_id_hex(&it->screening, shex),
					"instrument", it->instrument, "band", it->band,
					"total", it->total, "display", it->display,
					"safety", it->safety));
			if (o == NULL || json_array_append_new(arr, o) != 0) {
				json_decref(arr);
				arr = NULL;
			}
		}
		hearth_journal_list_free(l);
		return cli_json_print(cli, json_pack("{s:o*}", "entries", arr));
	}
	if (l->n == 0) {
		printf("%s\n", _("Nothing in your journal yet.  Add a check-in with 'hearth journal add --mood 1..5'."));
		hearth_journal_list_free(l);
		return CLI_EXIT_OK;
	}
	/* A column for sharing only when something is shared: a journal
	 * nobody saw reads as it always did. */
	for (size_t i = 0; i < l->n; i++)
		any_shared |= l->items[i].shared;
	{
		const char *header[5] = { _("Date"), _("Mood"), _("Self-check"), _("Note"),
					  _("Shared") };

		t = cli_table_new(any_shared ? 5 : 4, header);
	}
	for (size_t i = 0; t != NULL && i < l->n; i++) {
		const hearth_journal_item *it = &l->items[i];
		char mood[64] = "", check[96] = "", note[160];
		const char *cells[5];

		if (it->mood > 0)
			snprintf(mood, sizeof mood, "%d %s", it->mood, mood_text(it->mood));
		if (it->has_screening)
			snprintf(check, sizeof check, "%s %d%s", it->instrument, it->display,
				 it->safety ? _(" (help lines shown)") : "");
		first_line(it->text, 40, note, sizeof note);
		cells[0] = it->date;
		cells[1] = mood;
		cells[2] = check;
		cells[3] = note;
		/* TRANSLATORS: "Shared" column of 'journal list': a copy of
		 * the entry went to a counsellor. */
		cells[4] = it->shared ? _("shared") : "";
		if (cli_table_add(t, cells) != 0) {
			cli_table_free(t);
			t = NULL;
		}
	}
	hearth_journal_list_free(l);
	if (t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	cli_table_print(t, stdout);
	cli_table_free(t);
	return CLI_EXIT_OK;
}

/* ---- journal trend ------------------------------------------------------ */

static int journal_trend(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"instrument", required_argument, NULL, OPT_INSTRUMENT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *instrument = NULL;
	hearth_instrument *inst = NULL;
	hearth_trend *t = NULL;
	hearth_store *s;
	hearth_status st;
	int *values = NULL;
	char *spark = NULL;
	int c, rc = CLI_EXIT_OK;

	cli_set_command(cli, "journal trend");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_INSTRUMENT:
			instrument = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth journal trend [--instrument ID]\n"
					       "Show how your mood (or the scores of one self-check, such as\n"
					       "phq9) changed over time: the dated values and a small chart.\n"
					       "Days without an entry are simply not there.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	/* An unknown instrument is a typo, not an empty trend: say so, as
	 * `journal screen` does, before opening anything. */
	if (instrument != NULL && instrument[0] != '\0') {
		st = hearth_instrument_find(instrument, &inst);
		if (st == HEARTH_ENOTFOUND || st == HEARTH_EINVAL)
			return cli_usage(cli, "%s", hearth_errdetail_local());
		if (st != HEARTH_OK)
			inst = NULL;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;
	st = hearth_journal_trend(s, instrument, &t);
	if (st == HEARTH_EINVAL) {
		rc = cli_usage(cli, "%s", hearth_errdetail_local());
		goto out;
	}
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	values = calloc(t->n ? t->n : 1, sizeof *values);
	spark = malloc(t->n * 3 + 1);
	if (values == NULL || spark == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < t->n; i++)
		values[i] = t->points[i].value;
	hearth_sparkline(values, t->n, t->min, t->max, spark, t->n * 3 + 1);
	if (cli->json) {
		json_t *pts = json_array();

		for (size_t i = 0; pts != NULL && i < t->n; i++)
			json_array_append_new(pts, json_pack("{s:s, s:i, s:s}", "date", t->points[i].date,
							     "value", t->points[i].value,
							     "band", t->points[i].band));
		rc = cli_json_print(cli, json_pack("{s:s, s:i, s:i, s:s, s:o*}",
						   "instrument", t->instrument, "min", t->min,
						   "max", t->max, "sparkline", spark, "points", pts));
		goto out;
	}
	if (t->n == 0) {
		if (instrument == NULL || instrument[0] == '\0')
			printf("%s\n", _("No mood check-ins yet.  Add one with 'hearth journal add --mood 1..5'."));
		else
			printf(_("No %s self-checks yet.  Take one with 'hearth journal screen %s'.\n"),
			       instrument, instrument);
		goto out;
	}
	if (instrument == NULL || instrument[0] == '\0')
		printf(_("Mood from %s to %s (1 very low, 5 very good)\n"), t->points[0].date,
		       t->points[t->n - 1].date);
	else
		printf(_("%s scores from %s to %s (scale %d-%d)\n"), instrument,
		       t->points[0].date, t->points[t->n - 1].date, t->min, t->max);
	printf("\n  %s\n\n", spark);
	/* The instrument gives each band's label in the user's language; a
	 * band it does not know (or a missing instrument) shows its id. */
	for (size_t i = 0; i < t->n; i++) {
		const char *band = t->points[i].band;

		for (size_t b = 0; inst != NULL && b < hearth_instrument_n_bands(inst); b++) {
			const hearth_outcome *o = hearth_instrument_band(inst, b, NULL, NULL);

			if (o != NULL && strcmp(o->id, t->points[i].band) == 0) {
				band = hearth_text_get(&o->label, cli_lang(cli));
				break;
			}
		}
		if (instrument == NULL || instrument[0] == '\0')
			printf("  %s  %d  %s\n", t->points[i].date, t->points[i].value,
			       mood_text(t->points[i].value));
		else
			printf("  %s  %d  %s\n", t->points[i].date, t->points[i].value,
			       band);
	}
out:
	hearth_instrument_free(inst);
	free(values);
	free(spark);
	hearth_trend_free(t);
	return rc;
}

/* ---- journal grounding -------------------------------------------------- */

static int journal_grounding(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const hearth_grounding_step *steps;
	const char *lang = cli_lang(cli);
	int zh = strncmp(lang, "zh", 2) == 0;
	int interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !cli->json;
	size_t n;
	int c, rc;

	cli_set_command(cli, "journal grounding");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth journal grounding\n"
					       "A short exercise for moments of stress or panic: notice 5 things\n"
					       "you see, 4 you can touch, 3 you hear, 2 you smell and 1 you\n"
					       "taste.  Press Enter to go from one step to the next.  It needs\n"
					       "no passphrase and saves nothing.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	steps = hearth_grounding_steps(&n);
	if (cli->json) {
		json_t *arr = json_array();

		for (size_t i = 0; arr != NULL && i < n; i++)
			json_array_append_new(arr, json_pack("{s:i, s:s}", "count", steps[i].count,
							     "text", zh ? steps[i].zh_CN : steps[i].en));
		return cli_json_print(cli, json_pack("{s:o*}", "steps", arr));
	}
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", zh ? steps[i].zh_CN : steps[i].en);
		if (interactive && i + 1 < n) {
			char line[LINE_BYTES];

			printf("%s", _("(press Enter to go on)"));
			fflush(stdout);
			if (!read_line(line, sizeof line)) {
				putchar('\n');
				break;
			}
		}
		putchar('\n');
	}
	return CLI_EXIT_OK;
}

/* ---- journal share, unshare, shares -------------------------------------- */

/* A failure of the share verbs: bad input (a mistyped code, a bad name)
 * is bad usage; the rest as the core says. */
static int share_error(struct hearth_cli *cli, hearth_status st)
{
	if (st == HEARTH_EFORMAT || st == HEARTH_EINVAL || st == HEARTH_EAUTH)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	return cli_error_status(cli, st);
}

static int journal_share(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"with", required_argument, NULL, OPT_WITH},
		{"all", no_argument, NULL, OPT_ALL},
		{"as", required_argument, NULL, OPT_AS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_share_request req;
	hearth_share_result res;
	hearth_id *ids = NULL;
	hearth_store *s;
	hearth_status st;
	char hex[HEARTH_ID_HEX + 1];
	int c, rc, i, n;

	memset(&req, 0, sizeof req);
	cli_set_command(cli, "journal share");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_WITH:
			req.contact = optarg;
			break;
		case OPT_ALL:
			req.all = 1;
			break;
		case OPT_AS:
			if ((rc = cli_check_text(cli, "--as", optarg)) != 0)
				return rc;
			req.name = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth journal share ENTRY... --with CODE [--as NAME]\n"
					       "       hearth journal share --all --with CODE [--as NAME]\n"
					       "Share journal entries with one counsellor you choose.  The counsellor\n"
					       "shows you their contact code ('hearth share contact'); copies of the\n"
					       "entries go into a space that only their device can read, and your\n"
					       "journal itself stays private.  With --all every entry is shared, and\n"
					       "so is each new one, until you end the share with 'hearth journal\n"
					       "unshare'.  Compare the fingerprint shown with the counsellor's screen.\n"
					       "--as NAME is how the share is named on the counsellor's side.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if (req.contact == NULL)
		return cli_usage(cli, "%s", _("say with whom to share: --with CODE (the counsellor's contact code)"));
	if ((rc = cli_operands(cli, argc, argv, req.all ? 0 : 1, req.all ? 0 : -1,
			       _("ENTRY"))) != 0)
		return rc;
	n = argc - optind;
	if (n > 0 && (ids = calloc((size_t)n, sizeof *ids)) == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	for (i = 0; i < n; i++)
		if ((rc = cli_resolve(cli, HEARTH_JOURNAL_KIND, argv[optind + i], &ids[i])) != 0)
			goto out;
	req.entries = ids;
	req.n = (size_t)n;
	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;
	if ((st = hearth_journal_share(s, &req, &res)) != HEARTH_OK) {
		rc = share_error(cli, st);
		goto out;
	}
	cli_id_hex(&res.space, hex);
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:b, s:i, s:i, s:b, s:b, s:s}",
			"share", hex, "created", res.created, "copied", (int)res.copied,
			"already", (int)res.already, "follow", res.follow,
			"other_device", res.other_device, "counsellor", res.fingerprint));
		goto out;
	}
	printf(ngettext("Shared %zu entry in share %s.\n", "Shared %zu entries in share %s.\n",
			res.copied), res.copied, hex);
	if (res.already > 0)
		printf(ngettext("%zu entry was shared already: it is not copied twice.\n",
				"%zu entries were shared already: they are not copied twice.\n",
				res.already), res.already);
	if (res.follow)
		printf("%s\n", _("New entries will be shared too, until you end the share."));
	printf("%s\n  %s\n", _("The counsellor's fingerprint:"), res.fingerprint);
	if (res.created)
		printf("%s\n", _("Check that it is the same as on the counsellor's screen.  If it is not, end the share now with 'hearth journal unshare'."));
	if (res.other_device)
		printf("%s\n", _("This contact code is from another device of the counsellor than the one the share was made with: that device cannot read the share until the counsellor links it to their first one."));
	printf("%s\n", _("The entries reach the counsellor's device when your vault next syncs.  Your journal itself stays private."));
	rc = CLI_EXIT_OK;
out:
	free(ids);
	return rc;
}

static int journal_unshare(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_unshare_result res;
	hearth_store *s;
	hearth_status st;
	hearth_id space;
	char hex[HEARTH_ID_HEX + 1];
	int c, rc;

	cli_set_command(cli, "journal unshare");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth journal unshare SHARE\n"
					       "End a share of your journal (its id, from 'hearth journal shares').\n"
					       "The counsellor is removed from it: nothing you write from now on can\n"
					       "be read by them.  The entries they already received stay readable to\n"
					       "them: a share cannot be taken back from a device that has it.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("SHARE"))) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_share_resolve(s, argv[optind], 1, &space)) != HEARTH_OK ||
	    (st = hearth_journal_unshare(s, &space, &res)) != HEARTH_OK)
		return share_error(cli, st);
	cli_id_hex(&space, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s, s:i}", "share", hex,
						     "counsellor", res.fingerprint,
						     "kept", (int)res.kept));
	printf(_("Share %s has ended: the counsellor %s was removed from it.\n"), hex,
	       res.fingerprint);
	printf("%s\n", _("Nothing you write from now on can be read by them, and new entries are no longer shared."));
	printf(ngettext("The %zu entry shared before stays readable to them once received: a share cannot be taken back from a device that has it.\n",
			"The %zu entries shared before stay readable to them once received: a share cannot be taken back from a device that has it.\n",
			res.kept), res.kept);
	return CLI_EXIT_OK;
}

struct shares_ctx {
	int mine;
	struct cli_table *t;
	json_t *arr;
	int failed;
	size_t n;
};

/* One row of 'journal shares' (mine) or 'share list' (received). */
static int shares_cb(const hearth_share_info *i, void *ctx)
{
	struct shares_ctx *c = ctx;
	char hex[HEARTH_ID_HEX + 1], shortid[9], count[24], person[9] = "";
	const char *cells[5];

	if (i->mine != c->mine)
		return 0;
	c->n++;
	cli_id_hex(&i->space, hex);
	if (c->arr != NULL) {
		json_t *o = json_pack("{s:s, s:s?, s:b, s:b, s:i, s:s, s:s}", "share", hex,
				      "name", i->name, "active", i->active, "follow", i->follow,
				      "entries", (int)i->entries, "employee", i->employee,
				      "counsellor", i->counsellor);

		if (o != NULL && i->linked)
			json_object_set_new(o, "person", json_string(cli_id_hex(&i->person, hex)));
		if (o == NULL || json_array_append_new(c->arr, o) != 0)
			c->failed = 1;
		return c->failed;
	}
	snprintf(count, sizeof count, "%zu", i->entries);
	cells[0] = cli_id_short(&i->space, shortid);
	cells[1] = c->mine ? i->counsellor : i->employee;
	cells[2] = count;
	cells[3] = !i->active ? _("ended") : (i->follow ? _("active, new entries too") : _("active"));
	if (!c->mine)
		cells[4] = i->linked ? cli_id_short(&i->person, person) : _("not tied to a person");
	if (cli_table_add(c->t, cells) != 0)
		c->failed = 1;
	return c->failed;
}

int cli_shares_print(struct hearth_cli *cli, hearth_store *s, int mine)
{
	struct shares_ctx c;
	hearth_status st;
	const char *mine_head[4] = { _("Share"), _("Counsellor"), _("Entries"), _("State") };
	const char *theirs_head[5] = { _("Share"), _("Employee"), _("Entries"), _("State"),
				       _("Person") };

	memset(&c, 0, sizeof c);
	c.mine = mine;
	if (cli->json)
		c.arr = json_array();
	else
		c.t = mine ? cli_table_new(4, mine_head) : cli_table_new(5, theirs_head);
	if (c.arr == NULL && c.t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	st = hearth_shares_each(s, shares_cb, &c);
	if (st != HEARTH_OK || c.failed) {
		json_decref(c.arr);
		cli_table_free(c.t);
		return st != HEARTH_OK ? cli_error_status(cli, st) : cli_error(cli, "%s", _("out of memory"));
	}
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:o}", "shares", c.arr));
	if (c.n == 0)
		printf("%s\n", mine ? _("Your journal is not shared with anyone.") :
		       _("No journal has been shared with you yet."));
	else
		cli_table_print(c.t, stdout);
	cli_table_free(c.t);
	return CLI_EXIT_OK;
}

static int journal_shares(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_store *s;
	int c, rc;

	cli_set_command(cli, "journal shares");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _("Usage: hearth journal shares\n"
					       "List the shares of your journal: with which counsellor (their\n"
					       "fingerprint), how many entries, and whether the share still lasts.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	return cli_shares_print(cli, s, 1);
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct cli_subcommand subs[] = {
	{"add", N_("note your mood (1-5) and a few words"), journal_add},
	{"screen", N_("answer a questionnaire for yourself"), journal_screen},
	{"list", N_("show your journal"), journal_list},
	{"trend", N_("show how your mood or scores changed"), journal_trend},
	{"grounding", N_("the 5-4-3-2-1 calming exercise"), journal_grounding},
	{"share", N_("share entries with a counsellor you choose"), journal_share},
	{"unshare", N_("end a share"), journal_unshare},
	{"shares", N_("list the shares of your journal"), journal_shares},
};

static const struct cli_group group = {
	.name = "journal",
	.head = N_("Usage: hearth journal SUBCOMMAND [OPTIONS]\n"
		   "Your private journal: mood check-ins, self-checks and their trend,\n"
		   "and a calming exercise.  It stays in your own private space.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\nRun 'hearth journal SUBCOMMAND --help' for its options.\n"),
	.width = 13,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_journal(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
