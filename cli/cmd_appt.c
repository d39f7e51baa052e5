/*
 * cli/cmd_appt.c - `hearth appt`: book sessions and series, list them,
 * move, cancel, mark held or no-show.
 *
 * Every rule (conflicts, series, the no-show reach-out) is in the core
 * (hearth/casework.h); this file checks the shape of the input before the
 * vault is opened, calls the core, and prints.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/appointment.h"
#include "hearth/timeutil.h"

/* ---- shared bits ------------------------------------------------------ */

static int check_datetime(struct hearth_cli *cli, const char *value)
{
	int64_t m;

	if (hearth_datetime_parse(value, &m) != HEARTH_OK)
		return cli_usage(cli,
				 _("'%s' is not a valid date and time: use YYYY-MM-DD HH:MM"),
				 value);
	return 0;
}

const char *cli_appt_status_text(const char *s)
{
	hearth_appt_status v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_appt_status_parse(s, &v) == HEARTH_OK ? hearth_appt_status_label(v) : s;
}

const char *cli_appt_mode_text(const char *s)
{
	hearth_appt_mode v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_appt_mode_parse(s, &v) == HEARTH_OK ? hearth_appt_mode_label(v) : s;
}

static const char *rule_text(const char *rule)
{
	static const struct cli_word words[] = {
		{"counsellor", N_("same counsellor")},
		{"person", N_("same person")},
		{"place", N_("same place")},
	};

	return cli_word(words, CLI_COUNT(words), rule);
}

/* Warnings (or, when refused, errors) naming each clash by its date. */
static void print_conflicts(struct hearth_cli *cli, const hearth_appt_result *r, int refused)
{
	char shortid[9];
	size_t i;

	for (i = 0; i < r->nconflicts; i++) {
		const hearth_conflict *c = &r->conflicts[i];

		fprintf(stderr, "%s: ", cli->prog);
		fprintf(stderr,
			refused ? _("conflict: %s conflicts with appointment %s (%s)\n")
				: _("warning: %s conflicts with appointment %s (%s)\n"),
			c->at, cli_id_short(&c->other, shortid), rule_text(c->rule));
	}
}

static json_t *conflicts_json(const hearth_appt_result *r)
{
	char hex[HEARTH_ID_HEX + 1];
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->nconflicts; i++) {
		const hearth_conflict *c = &r->conflicts[i];

		if (json_array_append_new(a, json_pack("{s:s, s:i, s:s, s:s, s:s}",
				"at", c->at, "seq", c->seq, "rule", c->rule,
				"other", cli_id_hex(&c->other, hex), "other_at", c->other_at)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The result of add and move: JSON, or the list of what was written. */
static int print_result(struct hearth_cli *cli, const hearth_appt_result *r, int moved)
{
	char hex[HEARTH_ID_HEX + 1], shortid[9];
	size_t i;

	print_conflicts(cli, r, 0);
	if (cli->json) {
		json_t *o = json_object(), *a = json_array();
		int bad = (o == NULL || a == NULL);

		for (i = 0; !bad && i < r->n; i++)
			bad |= json_array_append_new(a, json_pack("{s:s, s:s}",
				"id", cli_id_hex(&r->ids[i], hex), "at", r->at[i])) != 0;
		if (!bad)
			bad |= json_object_set_new(o, "appointments", a) != 0;
		else
			json_decref(a);
		if (!bad && r->has_series)
			bad |= json_object_set_new(o, "series",
						   json_string(cli_id_hex(&r->series, hex))) != 0;
		if (!bad)
			bad |= json_object_set_new(o, "conflicts", conflicts_json(r)) != 0;
		if (bad) {
			json_decref(o);
			o = NULL;
		}
		return cli_json_print(cli, o);
	}
	if (moved) {
		printf(_("Moved appointment %s to %s.\n"), cli_id_short(&r->ids[0], shortid),
		       r->at[0]);
		return CLI_EXIT_OK;
	}
	if (r->n == 1) {
		printf(_("Booked %s at %s.\n"), cli_id_hex(&r->ids[0], hex), r->at[0]);
		return CLI_EXIT_OK;
	}
	printf(_("Booked %zu sessions (series %s):\n"), r->n,
	       cli_id_short(&r->series, shortid));
	for (i = 0; i < r->n; i++)
		printf("  %s  %s\n", r->at[i], cli_id_hex(&r->ids[i], hex));
	return CLI_EXIT_OK;
}

/* ---- subcommands ------------------------------------------------------ */

enum {
	OPT_PERSON = 0x100, OPT_AT, OPT_MINUTES, OPT_MODE, OPT_PLACE, OPT_COUNSELLOR,
	OPT_REPEAT, OPT_COUNT, OPT_UNTIL, OPT_STRICT, OPT_FROM, OPT_TO, OPT_REST
};

static int appt_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, OPT_PERSON},
		{"at", required_argument, NULL, OPT_AT},
		{"minutes", required_argument, NULL, OPT_MINUTES},
		{"mode", required_argument, NULL, OPT_MODE},
		{"place", required_argument, NULL, OPT_PLACE},
		{"counsellor", required_argument, NULL, OPT_COUNSELLOR},
		{"repeat", required_argument, NULL, OPT_REPEAT},
		{"count", required_argument, NULL, OPT_COUNT},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *person = NULL;
	hearth_appt_result *r = NULL;
	hearth_appt_new a;
	hearth_store *s;
	hearth_status st;
	long v;
	int c, rc;

	cli_set_command(cli, "appt add");
	memset(&a, 0, sizeof a);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_PERSON:
			person = optarg;
			break;
		case OPT_AT:
			if ((rc = check_datetime(cli, optarg)) != 0)
				return rc;
			a.at = optarg;
			break;
		case OPT_MINUTES:
			v = cli_parse_count(optarg, 1, HEARTH_APPT_MAX_MINUTES);
			if (v < 0)
				return cli_usage(cli, _("'%s' is not a session length: use 1 to %d minutes"),
						 optarg, HEARTH_APPT_MAX_MINUTES);
			a.minutes = (int)v;
			break;
		case OPT_MODE:
			if (!hearth_appt_mode_valid(optarg))
				return cli_usage(cli, _("'%s' is not a mode: use in-person, phone or video"),
						 optarg);
			a.mode = optarg;
			break;
		case OPT_PLACE:
		case OPT_COUNSELLOR:
			if ((rc = cli_check_text(cli, c == OPT_PLACE ? "--place" : "--counsellor",
						 optarg)) != 0)
				return rc;
			if (strpbrk(optarg, "\r\n") != NULL)
				return cli_usage(cli, _("%s must be one line"),
						 c == OPT_PLACE ? "--place" : "--counsellor");
			if (c == OPT_PLACE)
				a.place = optarg;
			else
				a.counsellor = optarg;
			break;
		case OPT_REPEAT:
			if (strcmp(optarg, "weekly") != 0 && strcmp(optarg, "biweekly") != 0)
				return cli_usage(cli, _("'%s' is not a repeat: use weekly or biweekly"),
						 optarg);
			a.repeat = optarg;
			break;
		case OPT_COUNT:
			v = cli_parse_count(optarg, 1, HEARTH_APPT_MAX_OCCURRENCES);
			if (v < 0)
				return cli_usage(cli, _("'%s' is not a number of sessions: use 1 to %u"),
						 optarg, HEARTH_APPT_MAX_OCCURRENCES);
			a.count = (int)v;
			break;
		case OPT_UNTIL:
			if ((rc = cli_check_date(cli, optarg)) != 0)
				return rc;
			a.until = optarg;
			break;
		case OPT_STRICT:
			a.strict = 1;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth appt add --person ID --at \"YYYY-MM-DD HH:MM\"\n"
				"                       [--minutes N] [--mode in-person|phone|video]\n"
				"                       [--place PLACE] [--counsellor NAME]\n"
				"                       [--repeat weekly|biweekly (--count N | --until DATE)]\n"
				"                       [--strict]\n"
				"Book a session, or a series of them, and print the new ids.\n"
				"Each session is checked against every booking that is not cancelled:\n"
				"the same counsellor, the same person or the same place at an\n"
				"overlapping time is a conflict, reported with its date.  Conflicts\n"
				"are warnings; with --strict, any conflict books nothing.\n"
				"\n"
				"Options:\n"
				"  --person ID        the person (id or its first six or more hex digits)\n"
				"  --at DATETIME      start, local time, e.g. \"2026-12-14 10:00\"\n"
				"  --minutes N        length of each session (default 50)\n"
				"  --mode MODE        in-person (default), phone or video\n"
				"  --place PLACE      room or place\n"
				"  --counsellor NAME  who holds the session\n"
				"  --repeat R         weekly or biweekly\n"
				"  --count N          number of sessions in the series\n"
				"  --until DATE       last day a session of the series may fall on\n"
				"  --strict           refuse the booking if anything conflicts\n"
				"  --json             print the sessions and conflicts as JSON\n"
				"  -h, --help         show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (person == NULL)
		return cli_usage(cli, "%s", _("missing --person"));
	if (a.at == NULL)
		return cli_usage(cli, "%s", _("missing --at"));
	if (a.repeat != NULL && a.count == 0 && a.until == NULL)
		return cli_usage(cli, "%s", _("--repeat needs --count N or --until DATE"));
	if (a.count > 0 && a.until != NULL)
		return cli_usage(cli, "%s", _("give --count or --until, not both"));
	if (a.repeat == NULL && (a.count > 0 || a.until != NULL))
		return cli_usage(cli, "%s", _("--count and --until need --repeat"));
	if ((rc = cli_resolve(cli, "person", person, &a.person)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_add(s, &a, &r);
	if (st == HEARTH_ESTATE && r != NULL) {
		print_conflicts(cli, r, 1);
		if (cli->json)
			cli_json_print(cli, json_pack("{s:[], s:o, s:b}", "appointments",
						      "conflicts", conflicts_json(r), "refused", 1));
		hearth_appt_result_free(r);
		return cli_error(cli, "%s",
				 _("nothing was booked: it conflicts with other appointments (--strict)"));
	}
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	rc = print_result(cli, r, 0);
	hearth_appt_result_free(r);
	return rc;
}

static int appt_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"person", required_argument, NULL, OPT_PERSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *person = NULL;
	hearth_appts *l = NULL;
	hearth_id pid;
	hearth_store *s;
	hearth_status st;
	size_t i;
	int c, rc;

	cli_set_command(cli, "appt list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			if ((rc = cli_check_date(cli, optarg)) != 0)
				return rc;
			*(c == OPT_FROM ? &from : &to) = optarg;
			break;
		case OPT_PERSON:
			person = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth appt list [--from DATE] [--to DATE] [--person ID]\n"
				"List appointments in date order, cancelled ones included.\n"
				"\n"
				"Options:\n"
				"  --from DATE   first day (YYYY-MM-DD)\n"
				"  --to DATE     last day\n"
				"  --person ID   only this person's appointments\n"
				"  --json        print a JSON array\n"
				"  -h, --help    show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (from != NULL && to != NULL && strcmp(from, to) > 0)
		return cli_usage(cli, _("--from %s is after --to %s"), from, to);
	if (person != NULL && (rc = cli_resolve(cli, "person", person, &pid)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_list(s, from, to, person ? &pid : NULL, &l);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *a = json_array();
		char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];

		for (i = 0; a != NULL && i < l->n; i++) {
			const hearth_appt_item *it = &l->items[i];
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s}",
				"id", cli_id_hex(&it->id, hex),
				"person", cli_id_hex(&it->person, phex),
				"person_name", it->person_name, "at", it->at,
				"minutes", it->minutes, "mode", it->mode, "place", it->place,
				"counsellor", it->counsellor, "status", it->status);

			if (o != NULL && it->has_series) {
				json_object_set_new(o, "series", json_string(cli_id_hex(&it->series, hex)));
				json_object_set_new(o, "seq", json_integer(it->seq));
			}
			if (json_array_append_new(a, o) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		hearth_appts_free(l);
		return cli_json_print(cli, a);
	}
	if (l->n == 0) {
		printf("%s\n", _("No appointments."));
	} else {
		const char *header[8];
		struct cli_table *t;

		header[0] = _("ID");
		header[1] = _("When");
		header[2] = _("Min");
		header[3] = _("Person");
		header[4] = _("Mode");
		header[5] = _("Place");
		header[6] = _("Counsellor");
		header[7] = _("Status");
		t = cli_table_new(8, header);
		for (i = 0; t != NULL && i < l->n; i++) {
			const hearth_appt_item *it = &l->items[i];
			char shortid[9], min[16];
			const char *cells[8];

			snprintf(min, sizeof min, "%d", it->minutes);
			cells[0] = cli_id_short(&it->id, shortid);
			cells[1] = it->at;
			cells[2] = min;
			cells[3] = it->person_name;
			cells[4] = cli_appt_mode_text(it->mode);
			cells[5] = it->place;
			cells[6] = it->counsellor;
			cells[7] = cli_appt_status_text(it->status);
			if (cli_table_add(t, cells) != 0) {
				cli_table_free(t);
				t = NULL;
			}
		}
		if (t == NULL) {
			hearth_appts_free(l);
			return cli_error(cli, "%s", _("out of memory"));
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	hearth_appts_free(l);
	return CLI_EXIT_OK;
}

static int appt_move(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"at", required_argument, NULL, OPT_AT},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *at = NULL;
	hearth_appt_result *r = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int c, rc, strict = 0;

	cli_set_command(cli, "appt move");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_AT:
			if ((rc = check_datetime(cli, optarg)) != 0)
				return rc;
			at = optarg;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth appt move ID --at \"YYYY-MM-DD HH:MM\" [--strict]\n"
				"Move a booked appointment to a new start; conflicts are checked\n"
				"again and reported with their date.\n"
				"\n"
				"Options:\n"
				"  --at DATETIME   the new start\n"
				"  --strict        refuse the move if anything conflicts\n"
				"  --json          print the result as JSON\n"
				"  -h, --help      show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if (at == NULL)
		return cli_usage(cli, "%s", _("missing --at"));
	if ((rc = cli_resolve(cli, "appointment", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_move(s, &id, at, strict, &r);
	if (st == HEARTH_ESTATE && r != NULL) {
		print_conflicts(cli, r, 1);
		hearth_appt_result_free(r);
		return cli_error(cli, "%s",
				 _("the appointment was not moved: it conflicts with other appointments (--strict)"));
	}
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	rc = print_result(cli, r, 1);
	hearth_appt_result_free(r);
	return rc;
}

/* Parses "SUB ID [--rest-of-series]" (the option only when rest is
 * non-NULL).  Returns 0, an exit code, or -1 after printing help. */
static int simple_opts(struct hearth_cli *cli, int argc, char **argv, const char *help,
		       int *rest)
{
	static const struct option with_rest[] = {
		{"rest-of-series", no_argument, NULL, OPT_REST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = cli_getopt(cli, argc, argv, "h", rest ? with_rest : with_rest + 1)) != -1) {
		if (c == OPT_REST && rest != NULL) {
			*rest = 1;
			continue;
		}
		if (c == 'h') {
			cli_help(cli, help);
			return -1;
		}
		return CLI_EXIT_USAGE;
	}
	return cli_operands(cli, argc, argv, 1, 1, _("ID"));
}

static int appt_cancel(struct hearth_cli *cli, int argc, char **argv)
{
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	size_t n = 0;
	int rc, rest = 0;

	cli_set_command(cli, "appt cancel");
	rc = simple_opts(cli, argc, argv, _(
		"Usage: hearth appt cancel ID [--rest-of-series]\n"
		"Cancel a booked appointment.  The other sessions of its series stay\n"
		"booked, unless --rest-of-series is given: then every later booked\n"
		"session of the series is cancelled too.\n"
		"\n"
		"Options:\n"
		"  --rest-of-series   also cancel the later sessions of the series\n"
		"  --json             print the number cancelled as JSON\n"
		"  -h, --help         show this help and exit\n"), &rest);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_resolve(cli, "appointment", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_cancel(s, &id, rest, &n);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		char hex[HEARTH_ID_HEX + 1];

		return cli_json_print(cli, json_pack("{s:s, s:i}", "id", cli_id_hex(&id, hex),
						     "cancelled", (int)n));
	}
	{
		char shortid[9];

		if (n == 1)
			printf(_("Cancelled appointment %s.\n"), cli_id_short(&id, shortid));
		else
			printf(_("Cancelled appointment %s and %zu later sessions of its series.\n"),
			       cli_id_short(&id, shortid), n - 1);
	}
	return CLI_EXIT_OK;
}

static int appt_done(struct hearth_cli *cli, int argc, char **argv)
{
	char shortid[9], hex[HEARTH_ID_HEX + 1];
	char today[HEARTH_DATE_LEN + 1];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc;

	cli_set_command(cli, "appt done");
	rc = simple_opts(cli, argc, argv, _(
		"Usage: hearth appt done ID\n"
		"Mark a booked appointment as held.  A session dated after today\n"
		"cannot be marked held.\n"
		"\n"
		"Options:\n"
		"  --json       print {\"id\": ..., \"status\": \"done\"}\n"
		"  -h, --help   show this help and exit\n"), NULL);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "appointment", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_mark_done(s, &id, today);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "status", "done"));
	printf(_("Appointment %s held.\n"), cli_id_short(&id, shortid));
	return CLI_EXIT_OK;
}

static int appt_noshow(struct hearth_cli *cli, int argc, char **argv)
{
	char shortid[9], hex[HEARTH_ID_HEX + 1], fhex[HEARTH_ID_HEX + 1];
	char today[HEARTH_DATE_LEN + 1];
	hearth_record *fu = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id, fid;
	int rc;

	cli_set_command(cli, "appt noshow");
	rc = simple_opts(cli, argc, argv, _(
		"Usage: hearth appt noshow ID\n"
		"Mark a booked appointment as a no-show.  A reach-out follow-up is\n"
		"created for the next day.\n"
		"\n"
		"Options:\n"
		"  --json       print the appointment and follow-up ids as JSON\n"
		"  -h, --help   show this help and exit\n"), NULL);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "appointment", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_appt_noshow(s, &id, today, &fid);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	st = hearth_record_load(s, &fid, &fu);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:s, s:s, s:s}",
			"id", cli_id_hex(&id, hex), "status", "noshow",
			"followup", cli_id_hex(&fid, fhex),
			"due", hearth_record_field(fu, "due") ? hearth_record_field(fu, "due") : ""));
	} else {
		printf(_("Appointment %s marked as a no-show.\n"), cli_id_short(&id, shortid));
		printf(_("Reach-out follow-up %s is due %s.\n"), cli_id_short(&fid, shortid),
		       hearth_record_field(fu, "due") ? hearth_record_field(fu, "due") : "");
	}
	hearth_record_free(fu);
	return rc;
}

static const struct cli_subcommand subs[] = {
	{"add", N_("book a session or a weekly/biweekly series"), appt_add},
	{"list", N_("list appointments by date"), appt_list},
	{"move", N_("move a booked appointment"), appt_move},
	{"cancel", N_("cancel one session, or the rest of its series"), appt_cancel},
	{"done", N_("mark a session as held"), appt_done},
	{"noshow", N_("mark a no-show and plan a reach-out"), appt_noshow},
};

static const struct cli_group group = {
	.name = "appt",
	.head = N_("Usage: hearth appt SUBCOMMAND [OPTIONS]\n"
		   "Book and manage appointments.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\n"
		   "ID is an appointment's id or its first six or more hex digits.\n"
		   "Run 'hearth appt SUBCOMMAND --help' for its options.\n"),
	.width = 10,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_appt(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
