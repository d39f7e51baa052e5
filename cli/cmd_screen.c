/*
 * cli/cmd_screen.c - `hearth screen ID --person PID [--answers 1,0,2,...]`:
 * give an instrument to a person, score it, save it, and print the score,
 * band, flags and the suggested next step (never a diagnosis), the
 * translation notice when it applies, and the crisis card when the safety
 * rule fires.  `hearth screen action SCREENING --action TEXT` records the
 * action taken on a safety result; `hearth screen pending` lists those
 * still without one.
 *
 * Scoring, the safety rule, the save and the follow-ups are one core call
 * (hearth_screening_run in hearth/screening.h), which also gives the next
 * steps and the crisis card to print; this file gathers the answers (from
 * --answers, or one item at a time on the terminal), checks their shape
 * before the vault is opened, and prints.
 *
 * Save first, then ask: a safety result is saved at once, with its action
 * pending when --action was not given; then the crisis card is shown with
 * the command that records the action.  Nothing the counsellor does (or
 * fails to do) after the save can lose the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hearth/casework.h"
#include "hearth/instruments.h"
#include "hearth/screening.h"
#include "hearth/settings.h"
#include "hearth/timeutil.h"

#define LINE_MAX_BYTES 4096

struct screen_args {
	const char *instrument;
	const char *person;
	const char *answers;
	const char *difficulty;
	const char *action;
};

/* When: $HEARTH_TODAY's date (scripts and tests are reproducible), or the
 * local date and time now. */
static int when_of(struct hearth_cli *cli, char out[HEARTH_DATETIME_LEN + 1])
{
	const char *t = getenv("HEARTH_TODAY");
	char day[HEARTH_DATE_LEN + 1];
	struct tm tm;
	time_t now;

	if (t != NULL && t[0] != '\0') {
		if (hearth_today(t, day) != HEARTH_OK)
			return cli_usage(cli, _("HEARTH_TODAY='%s' is not a valid date: use YYYY-MM-DD"),
					 t);
		snprintf(out, HEARTH_DATETIME_LEN + 1, "%s", day);
		return 0;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(out, HEARTH_DATETIME_LEN + 1, "%Y-%m-%d %H:%M", &tm) == 0)
		return cli_error(cli, "%s", _("cannot read the clock"));
	return 0;
}

/* ---- asking on the terminal ---- */

/* Reads one line from stdin without its newline.  1 on a line, 0 at the
 * end of input. */
static int read_line(char *buf, size_t size)
{
	size_t n;

	if (fgets(buf, (int)size, stdin) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] != '\n' && !feof(stdin)) {
		int ch;
		/* Too long to be an answer: drop the rest of the line. */
		while ((ch = getchar()) != EOF && ch != '\n')
			;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 1;
}

static int is_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* Asks one question until a valid option is given.  Returns 1 with *value
 * set, 0 when the input ended or the person typed q (quit), and with
 * allow_skip, 2 for an empty answer. */
static int ask_item(FILE *out, const hearth_item *it, const char *label,
		    const char *lang, int allow_skip, int *value)
{
	char line[LINE_MAX_BYTES], choices[96];
	size_t j;

	fprintf(out, "\n%s %s\n", label, hearth_text_get(&it->text, lang));
	for (j = 0; j < it->n_options; j++)
		fprintf(out, "   %d  %s\n", it->options[j].value,
			hearth_text_get(&it->options[j].label, lang));
	hearth_item_choices(it, choices, sizeof choices);
	for (;;) {
		char *end;
		long v;

		if (allow_skip)
			fprintf(out, _("Answer (%s, Enter to skip, q to quit): "), choices);
		else
			fprintf(out, _("Answer (%s, q to quit): "), choices);
		fflush(out);
		if (!read_line(line, sizeof line))
			return 0;
		if (strcmp(line, "q") == 0 || strcmp(line, "Q") == 0)
			return 0;
		if (allow_skip && is_blank(line))
			return 2;
		errno = 0;
		v = strtol(line, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (end != line && *end == '\0' && errno == 0) {
			for (j = 0; j < it->n_options; j++)
				if (it->options[j].value == v) {
					*value = (int)v;
					return 1;
				}
		}
		fprintf(out, _("Please answer with one of %s.\n"), choices);
	}
}

/* Asks every item that is shown, in order.  Returns 0 when all were
 * answered, else an exit code after saying so. */
static int ask_all(struct hearth_cli *cli, const hearth_instrument *inst,
		   int *answers, int *difficulty, int ask_difficulty)
{
	FILE *out = cli->json ? stderr : stdout;
	const char *lang = cli_lang(cli);
	const char *notice = hearth_instrument_translation_notice(inst, lang);
	const hearth_item *d = hearth_instrument_difficulty(inst);
	size_t i, n = hearth_instrument_n_items(inst);
	int any = 0, r;

	for (i = 0; i < HEARTH_INSTRUMENT_MAX_ITEMS; i++)
		answers[i] = HEARTH_ANSWER_NONE;
	fprintf(out, "%s\n", hearth_text_get(hearth_instrument_title(inst), lang));
	if (notice != NULL)
		fprintf(out, "%s\n", notice);
	fprintf(out, "\n%s\n", hearth_text_get(hearth_instrument_lead_in(inst), lang));
	for (i = 0; i < n; i++) {
		const hearth_item *it = hearth_instrument_item(inst, i);
		char label[48];
		/* Conditional items are skipped when their condition is not
		 * met: the C-SSRS asks Q3-Q5 only after a yes to Q2. */
		if (!hearth_instrument_item_shown(inst, i, answers))
			continue;
		snprintf(label, sizeof label, "%s.", it->id);
		r = ask_item(out, it, label, lang, 0, &answers[i]);
		if (r == 0) {
			fprintf(out, "\n");
			return cli_error(cli, _("stopped at item %s: nothing was scored or saved"),
					 it->id);
		}
		if (answers[i] > it->min_value)
			any = 1;
	}
	/* The difficulty question follows "if you checked off any
	 * problems": it is asked only then. */
	if (d != NULL && ask_difficulty && any) {
		r = ask_item(out, d, "-", lang, 1, difficulty);
		if (r == 0) {
			fprintf(out, "\n");
			return cli_error(cli, "%s", _("stopped at the difficulty question: nothing was saved"));
		}
		if (r == 2)
			*difficulty = HEARTH_ANSWER_NONE;
	}
	fprintf(out, "\n");
	return 0;
}

/* Asks for the action taken after a safety result was saved.  Returns a
 * malloc'd line, or NULL when none was given (it can be recorded later). */
static char *ask_action(struct hearth_cli *cli)
{
	FILE *out = cli->json ? stderr : stdout;
	char line[LINE_MAX_BYTES];

	fprintf(out, "\n%s", _("Record the action taken now (what you did, who you called), or press Enter to record it later: "));
	fflush(out);
	if (!read_line(line, sizeof line) || is_blank(line))
		return NULL;
	return strdup(line);
}

/* ---- output ---- */

static json_t *crisis_json(hearth_store *s, const char *lang)
{
	const hearth_text *steps;
	hearth_helpline *lines = NULL;
	json_t *o, *st, *hl;
	char *sup = NULL;
	size_t n = 0, i, ns;

	if (hearth_settings_helplines(s, lang, &lines, &n) != HEARTH_OK)
		return NULL;
	if (hearth_settings_get(s, HEARTH_SETTING_SUPERVISOR, &sup) != HEARTH_OK)
		sup = NULL;
	steps = hearth_crisis_steps(&ns);
	st = json_array();
	hl = json_array();
	for (i = 0; st != NULL && i < ns; i++)
		json_array_append_new(st, json_string(hearth_text_get(&steps[i], lang)));
	for (i = 0; hl != NULL && i < n; i++)
		json_array_append_new(hl, json_pack("{s:s, s:s, s:s, s:s}",
						    "name", lines[i].name,
						    "number", lines[i].number,
						    "hours", lines[i].hours,
						    "verified", lines[i].verified));
	o = json_pack("{s:s, s:o, s:o, s:s*}", "title",
		      hearth_text_get(hearth_crisis_title(), lang),
		      "steps", st != NULL ? st : json_array(),
		      "helplines", hl != NULL ? hl : json_array(),
		      "supervisor", sup != NULL && sup[0] != '\0' ? sup : NULL);
	free(sup);
	hearth_helplines_free(lines, n);
	return o;
}

static const char *band_risk_word(const char *risk)
{
	if (strcmp(risk, "high") == 0)
		return _("high");
	if (strcmp(risk, "moderate") == 0)
		return _("moderate");
	return _("low");
}

static json_t *answers_json(const int *a, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr, a[i] == HEARTH_ANSWER_NONE
					   ? json_null() : json_integer(a[i]));
	return arr;
}

/* The length of the first line of the core's next steps at p (one step a
 * line), and where the line after it starts. */
static size_t step_len(const char *p, const char **next)
{
	size_t n = strcspn(p, "\n");

	*next = p + n + (p[n] == '\n');
	return n;
}

/* The next steps the core gave, one per array element (a safety flag has
 * already taken out a band's "no further check"). */
static json_t *steps_json(const char *steps)
{
	json_t *a = json_array();
	const char *p, *next;
	size_t n;

	for (p = steps; a != NULL && p != NULL && *p != '\0'; p = next)
		if ((n = step_len(p, &next)) > 0)
			json_array_append_new(a, json_stringn(p, n));
	return a;
}

static int print_json(struct hearth_cli *cli, hearth_store *s,
		      const hearth_instrument *inst, const hearth_id *person,
		      const int *answers, int difficulty,
		      const hearth_screening_run_result *run)
{
	const char *lang = cli_lang(cli);
	const hearth_screening_result *r = &run->saved;
	const hearth_score *sc = &r->score;
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];
	json_t *o, *flags = json_array(), *steps = steps_json(run->next_steps);
	size_t i;

	for (i = 0; flags != NULL && i < sc->n_flags; i++)
		json_array_append_new(flags, json_string(sc->flags[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:i, s:i, "
		      "s:{s:s, s:s}, s:b, s:o, s:b, s:b, s:o, s:s, s:s*, s:b, s:b}",
		      "id", cli_id_hex(&r->id, hex),
		      "person", cli_id_hex(person, phex),
		      "instrument", sc->instrument,
		      "version", sc->version,
		      "title", hearth_text_get(hearth_instrument_title(inst), lang),
		      "lang", lang,
		      "answers", answers_json(answers, hearth_instrument_n_items(inst)),
		      "total", sc->total,
		      "display", sc->display,
		      "display_max", sc->display_max,
		      "band", "id", sc->band->id,
		      "label", hearth_text_get(&sc->band->label, lang),
		      "positive", sc->positive,
		      "flags", flags,
		      "safety", r->safety,
		      "further_check", run->further_check,
		      "next_steps", steps,
		      "translation", hearth_instrument_translation(inst),
		      "translation_notice",
		      hearth_instrument_translation_notice(inst, lang),
		      "person_marked_high", r->person_marked_high,
		      "action_pending", r->action_pending);
	if (o == NULL)
		return cli_json_print(cli, NULL);
	if (difficulty != HEARTH_ANSWER_NONE)
		json_object_set_new(o, "difficulty", json_integer(difficulty));
	if (sc->cutoff != 0)
		json_object_set_new(o, "cutoff", json_integer(sc->cutoff));
	if (sc->risk != NULL)
		json_object_set_new(o, "risk", json_string(sc->risk));
	if (sc->suggest != NULL)
		json_object_set_new(o, "suggest", json_string(sc->suggest));
	if (r->has_followup)
		json_object_set_new(o, "followup", json_pack("{s:s, s:s, s:s, s:b}",
			"id", cli_id_hex(&r->followup, hex), "due", r->followup_due,
			"priority", r->followup_high ? "high" : "normal",
			"safety", r->safety));
	if (run->crisis_card)
		json_object_set_new(o, "crisis_card", crisis_json(s, lang));
	if (r->action_pending) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "hearth screen action %.8s --action TEXT",
			 cli_id_hex(&r->id, hex));
		json_object_set_new(o, "record_action", json_string(cmd));
	}
	return cli_json_print(cli, o);
}

/* The result as text, then the crisis card when the safety rule fired. */
static void print_text(struct hearth_cli *cli, const hearth_instrument *inst,
		       const hearth_screening_run_result *run)
{
	const char *lang = cli_lang(cli);
	const hearth_screening_result *r = &run->saved;
	const hearth_score *sc = &r->score;
	const char *notice = hearth_instrument_translation_notice(inst, lang);
	const char *p, *next;
	char shortid[9], buf[64];
	size_t i, n;

	printf("%s\n", hearth_text_get(hearth_instrument_title(inst), lang));
	if (hearth_instrument_method(inst) == HEARTH_SCORING_SUM) {
		if (sc->display != sc->total || sc->display_max !=
		    hearth_instrument_total_max(inst))
			printf(_("Score: %d of %d (raw %d of %d)\n"), sc->display,
			       sc->display_max, sc->total,
			       hearth_instrument_total_max(inst));
		else
			printf(_("Score: %d of %d\n"), sc->display, sc->display_max);
		printf(_("Band: %s\n"), hearth_text_get(&sc->band->label, lang));
		if (sc->cutoff != 0) {
			snprintf(buf, sizeof buf, "%d", sc->cutoff);
			/* A safety flag asks for a check whatever the total:
			 * never "not positive" alone under a crisis card. */
			if (sc->positive)
				printf(_("Positive screen (cut-off %s): a further check is suggested\n"), buf);
			else if (run->further_check)
				printf(_("Below the cut-off (%s), but the safety flag asks for a check now\n"), buf);
			else
				printf(_("Not a positive screen (cut-off %s)\n"), buf);
		}
	} else {
		printf(_("Risk level: %s\n"), hearth_text_get(&sc->band->label, lang));
	}
	if (sc->n_flags > 0) {
		printf("%s", _("Flags:"));
		for (i = 0; i < sc->n_flags; i++)
			printf(" %s", strcmp(sc->flags[i], HEARTH_FLAG_SAFETY) == 0
					      ? _("safety") : sc->flags[i]);
		printf("\n");
	}
	printf("%s\n", _("Suggested next step:"));
	for (p = run->next_steps; p != NULL && *p != '\0'; p = next)
		if ((n = step_len(p, &next)) > 0)
			printf("  - %.*s\n", (int)n, p);
	if (r->has_followup) {
		cli_id_short(&r->followup, shortid);
		if (r->safety)
			printf(_("Safety follow-up %s due %s (high priority)\n"),
			       shortid, r->followup_due);
		else if (r->followup_high)
			printf(_("Follow-up %s due %s (high priority)\n"), shortid,
			       r->followup_due);
		else
			printf(_("Follow-up %s due %s\n"), shortid, r->followup_due);
	}
	if (r->person_marked_high)
		printf("%s\n", _("The person is now marked high risk."));
	if (sc->risk != NULL && !r->person_marked_high)
		printf(_("Risk: %s\n"), band_risk_word(sc->risk));
	if (notice != NULL)
		printf(_("Note: %s\n"), notice);
	printf(_("Screening %s saved. This is a screening result, not a diagnosis.\n"),
	       cli_id_short(&r->id, shortid));
	if (run->crisis_card && run->crisis_text != NULL)
		printf("\n!!! %s", run->crisis_text);
}

/* The command that records the action taken on screening id. */
static void print_record_command(FILE *f, const hearth_id *id)
{
	char shortid[9];

	fprintf(f, _("The action taken is not yet recorded. When you have acted, record it:\n"
		     "  hearth screen action %s --action TEXT\n"), cli_id_short(id, shortid));
}

/* ---- the help lines' dates ---- */

static void warn_stale_lines(struct hearth_cli *cli, hearth_store *s)
{
	hearth_helpline *lines = NULL;
	char today[HEARTH_DATE_LEN + 1];
	size_t n = 0;

	/* Only a warning: a failure here must not hide the result. */
	if (hearth_today(getenv("HEARTH_TODAY"), today) != HEARTH_OK ||
	    hearth_settings_helplines(s, cli_lang(cli), &lines, &n) != HEARTH_OK) {
		hearth_errdetail_clear();
		return;
	}
	cli_helplines_warn(cli, lines, n, today);
	hearth_helplines_free(lines, n);
}

/* ---- pending actions ---- */

int cli_pending_actions_print(struct hearth_cli *cli, hearth_store *s,
			      const hearth_id *person, FILE *f)
{
	hearth_pending_action *v = NULL;
	char shortid[9];
	hearth_status st;
	size_t n = 0, i;

	if ((st = hearth_screening_pending_actions(s, person, &v, &n)) != HEARTH_OK)
		return cli_error_status(cli, st);
	for (i = 0; i < n; i++)
		fprintf(f, _("!!! Action taken not yet recorded: %s screening of %s on %s: "
			     "hearth screen action %s --action TEXT\n"),
			v[i].instrument, v[i].person_name, v[i].date,
			cli_id_short(&v[i].screening, shortid));
	hearth_pending_actions_free(v, n);
	return CLI_EXIT_OK;
}

static json_t *pending_json(const hearth_pending_action *p)
{
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}",
			 "screening", cli_id_hex(&p->screening, hex),
			 "person", cli_id_hex(&p->person, phex),
			 "person_name", p->person_name,
			 "instrument", p->instrument,
			 "date", p->date,
			 "action_pending", 1);
}

/* The list as a JSON array, or NULL when out of memory. */
static json_t *pending_list_json(const hearth_pending_action *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, pending_json(&v[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

int cli_pending_actions_show(struct hearth_cli *cli, hearth_store *s,
			     const hearth_id *person, json_t *json)
{
	hearth_pending_action *v = NULL;
	hearth_status st;
	json_t *a;
	size_t n = 0;

	if (json == NULL)
		return cli_pending_actions_print(cli, s, person, stdout);
	if ((st = hearth_screening_pending_actions(s, person, &v, &n)) != HEARTH_OK)
		return cli_error_status(cli, st);
	a = pending_list_json(v, n);
	hearth_pending_actions_free(v, n);
	if (a == NULL || json_object_set_new(json, "pending_actions", a) != 0 ||
	    json_object_set_new(json, "action_pending", json_boolean(n > 0)) != 0)
		return cli_error(cli, "%s", _("out of memory"));
	return CLI_EXIT_OK;
}

static int screen_pending(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_pending_action *v = NULL;
	const char *person = NULL;
	struct cli_table *t = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id pid;
	size_t n = 0, i;
	int c, rc = CLI_EXIT_OK;

	cli_set_command(cli, "screen pending");
	while ((c = cli_getopt(cli, argc, argv, "p:h", opts)) != -1) {
		switch (c) {
		case 'p':
			person = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth screen pending [--person PID]\n"
				"List the safety results whose action taken is not yet recorded,\n"
				"oldest first, with the command that records each.\n"
				"\n"
				"Options:\n"
				"  --person PID   only this person's\n"
				"  --json         print a JSON array\n"
				"  -h, --help     show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if (person != NULL && (rc = cli_resolve(cli, "person", person, &pid)) != 0)
		return rc;
	st = hearth_screening_pending_actions(s, person != NULL ? &pid : NULL, &v, &n);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		rc = cli_json_print(cli, pending_list_json(v, n));
		goto out;
	}
	if (n == 0) {
		printf("%s\n", _("No safety result is waiting for its action to be recorded."));
		goto out;
	}
	{
		const char *head[] = {_("SCREENING"), _("DATE"), _("PERSON"), _("INSTRUMENT")};
		t = cli_table_new(4, head);
	}
	for (i = 0; t != NULL && i < n; i++) {
		char shortid[9];
		const char *row[] = {cli_id_short(&v[i].screening, shortid), v[i].date,
				     v[i].person_name, v[i].instrument};
		if (cli_table_add(t, row) != 0) {
			cli_table_free(t);
			t = NULL;
		}
	}
	if (t == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	cli_table_print(t, stdout);
	printf("\n%s\n", _("Record each one: hearth screen action SCREENING --action TEXT"));
out:
	cli_table_free(t);
	hearth_pending_actions_free(v, n);
	return rc;
}

static int screen_action(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"action", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *action = NULL;
	char when[HEARTH_DATETIME_LEN + 1], hex[HEARTH_ID_HEX + 1], shortid[9];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int c, rc;

	cli_set_command(cli, "screen action");
	while ((c = cli_getopt(cli, argc, argv, "A:h", opts)) != -1) {
		switch (c) {
		case 'A':
			action = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth screen action SCREENING --action TEXT\n"
				"Record the action taken on a safety result that was saved without it\n"
				"(see 'hearth screen pending').  SCREENING is the screening's id or its\n"
				"first six or more hex digits.\n"
				"\n"
				"Options:\n"
				"  --action TEXT   what you did, who you called (required)\n"
				"  --json          print {\"id\": ..., \"action_pending\": false}\n"
				"  -h, --help      show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("SCREENING"))) != 0)
		return rc;
	if (action == NULL)
		return cli_usage(cli, "%s", _("missing --action TEXT: say what you did"));
	if (is_blank(action))
		return cli_usage(cli, "%s", _("the action taken cannot be empty"));
	if ((rc = cli_check_text(cli, "--action", action)) != 0)
		return rc;
	if ((rc = when_of(cli, when)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, HEARTH_SCREENING_KIND, argv[optind], &id)) != 0)
		return rc;
	if ((st = hearth_screening_record_action(s, &id, action, when)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:b, s:s}",
				      "id", cli_id_hex(&id, hex),
				      "action_pending", 0, "action_taken", action));
	printf(_("Recorded the action taken on screening %s.\n"), cli_id_short(&id, shortid));
	return CLI_EXIT_OK;
}

/* ---- the command ---- */

static int parse_small(const char *s, int *out)
{
	long v = cli_parse_count(s, 0, 100);

	if (v < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int screen_help(struct hearth_cli *cli)
{
	return cli_help(cli, _("Usage: hearth screen ID --person PID [OPTIONS]\n"
		"       hearth screen SUBCOMMAND ...\n"
		"Gives screening instrument ID (see 'hearth instruments list') to a\n"
		"person, scores it, saves it and shows the suggested next step.\n"
		"\n"
		"Options:\n"
		"  --person PID        the person screened (id or id prefix)\n"
		"  --answers LIST      the answers in order, e.g. 1,0,2,3; items skipped\n"
		"                      because of an earlier answer are left out (or -)\n"
		"                      without it, each item is asked in turn\n"
		"  --difficulty N      PHQ-9's difficulty question (recorded, not scored)\n"
		"  --action TEXT       the action taken on a safety result, if known now\n"
		"  --lang zh_CN|en     the language of the questions and the output\n"
		"  --json              print the result as JSON\n"
		"\n"
		"A safety flag (PHQ-9 item 9 above 0) or a high C-SSRS risk marks the\n"
		"person high risk, creates a same-day safety follow-up and shows the\n"
		"crisis card.  The result is saved at once; without --action it is saved\n"
		"with the action taken not yet recorded, and the command that records\n"
		"it is shown.  A result is never a diagnosis.\n"
		"\n"
		"Subcommands:\n"
		"  action SCREENING --action TEXT   record the action taken on a safety result\n"
		"  pending                          safety results still without the action\n"));
}

static int screen_run(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, 'p'},
		{"answers", required_argument, NULL, 'a'},
		{"difficulty", required_argument, NULL, 'd'},
		{"action", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct screen_args args = {0};
	hearth_instrument *inst = NULL;
	hearth_answer_list list;
	hearth_screening_input in;
	hearth_screening_run_result run = {0};
	hearth_store *s = NULL;
	hearth_id person;
	int answers[HEARTH_INSTRUMENT_MAX_ITEMS];
	int difficulty = HEARTH_ANSWER_NONE, c, rc;
	char when[HEARTH_DATETIME_LEN + 1], shortid[9];
	char *asked_action = NULL;
	FILE *out = cli->json ? stderr : stdout;
	hearth_status st;

	cli_set_command(cli, "screen");
	while ((c = cli_getopt(cli, argc, argv, "p:a:d:A:h", opts)) != -1) {
		switch (c) {
		case 'p':
			args.person = optarg;
			break;
		case 'a':
			args.answers = optarg;
			break;
		case 'd':
			args.difficulty = optarg;
			break;
		case 'A':
			args.action = optarg;
			break;
		case 'h':
			return screen_help(cli);
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1,
			       _("instrument ID (see 'hearth instruments list')"))) != 0)
		return rc;
	args.instrument = argv[optind];
	if (args.person == NULL)
		return cli_usage(cli, "%s", _("missing --person PID"));
	if (args.action != NULL && (rc = cli_check_text(cli, "--action", args.action)) != 0)
		return rc;

	/* Everything that can be checked without the vault is checked
	 * first: bad input opens nothing. */
	st = hearth_instrument_find(args.instrument, &inst);
	if (st == HEARTH_EINVAL)
		return cli_usage(cli, "%s", hearth_errdetail_local());
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (args.difficulty != NULL) {
		if (parse_small(args.difficulty, &difficulty) != 0) {
			rc = cli_usage(cli, _("--difficulty '%s' is not a number"),
				       args.difficulty);
			goto out;
		}
		if (hearth_instrument_check_difficulty(inst, difficulty) != HEARTH_OK) {
			rc = cli_usage(cli, "%s", hearth_errdetail_local());
			goto out;
		}
	}
	if (args.answers != NULL) {
		st = hearth_answers_parse(args.answers, strlen(args.answers), &list);
		if (st == HEARTH_OK)
			st = hearth_instrument_answers_map(inst, &list, answers);
		if (st != HEARTH_OK) {
			rc = cli_usage(cli, "%s", hearth_errdetail_local());
			goto out;
		}
	}
	if ((rc = when_of(cli, when)) != 0)
		goto out;

	if ((rc = cli_open_store(cli, &s)) != 0)
		goto out;
	if ((rc = cli_resolve(cli, "person", args.person, &person)) != 0)
		goto out;
	if (args.answers == NULL &&
	    (rc = ask_all(cli, inst, answers, &difficulty,
			  args.difficulty == NULL)) != 0)
		goto out;

	/* Save first: a safety result is kept whatever happens next, with
	 * its action pending when --action was not given. */
	memset(&in, 0, sizeof in);
	in.person = person;
	in.answers = answers;
	in.n_answers = hearth_instrument_n_items(inst);
	in.difficulty = difficulty;
	in.action_taken = args.action;
	in.lang = cli_lang(cli);
	in.at = when;
	st = hearth_screening_run(s, inst, &in, &run);
	if (st != HEARTH_OK) {
		rc = cli_error_status(cli, st);
		goto out;
	}
	if (cli->json) {
		rc = print_json(cli, s, inst, &person, answers, difficulty, &run);
	} else {
		print_text(cli, inst, &run);
	}
	/* Then ask: on the terminal, the action can be given now; else
	 * (or if it is left for later) the command that records it. */
	if (run.saved.action_pending && args.answers == NULL &&
	    (asked_action = ask_action(cli)) != NULL) {
		st = hearth_screening_record_action(s, &run.saved.id, asked_action, when);
		if (st != HEARTH_OK) {
			rc = cli_error_status(cli, st);
			print_record_command(out, &run.saved.id);
			goto out;
		}
		fprintf(out, _("Recorded the action taken on screening %s.\n"),
			cli_id_short(&run.saved.id, shortid));
	} else if (run.saved.action_pending && !cli->json) {
		fprintf(out, "\n");
		print_record_command(out, &run.saved.id);
	}
	warn_stale_lines(cli, s);
out:
	free(asked_action);
	hearth_screening_run_result_free(&run);
	hearth_instrument_free(inst);
	return rc;
}

int cmd_screen(struct hearth_cli *cli, int argc, char **argv)
{
	/* "action" and "pending" are not instrument ids (those are the file
	 * names in data/instruments). */
	if (argc > 1 && strcmp(argv[1], "action") == 0)
		return screen_action(cli, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "pending") == 0)
		return screen_pending(cli, argc - 1, argv + 1);
	return screen_run(cli, argc, argv);
}
