/*
 * cli/cmd_activity.c - `hearth activity`: hotline calls, call-backs, group
 * sessions, lectures and outreach.
 *
 *   activity add hotline|callback|group|lecture|outreach --date DATE
 *       [--person ID] [--topic T] [--unit U] [--attendance N] [--minutes M]
 *       [--risk low|moderate|high] [--outcome TEXT]
 *   activity list [--from DATE] [--to DATE] [--type TYPE]
 *
 * A high-risk contact with a person raises the safety rule in the core (a
 * same-day high-priority follow-up, the person marked high risk); without
 * a person the activity is recorded and the user is told that no follow-up
 * could be attached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/activity.h"
#include "hearth/timeutil.h"

const char *cli_activity_type_text(const char *t)
{
	hearth_activity_type v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_activity_type_parse(t, &v) == HEARTH_OK ? hearth_activity_type_label(v) : t;
}

enum { OPT_DATE = 0x100, OPT_PERSON, OPT_TOPIC, OPT_UNIT, OPT_ATTENDANCE,
       OPT_MINUTES, OPT_RISK, OPT_OUTCOME, OPT_FROM, OPT_TO, OPT_TYPE };

/* Most people a single lecture or group session can hold, and the longest
 * activity in minutes: beyond these a number is a typo. */
#define MAX_ATTENDANCE 100000L
#define MAX_MINUTES 1440L

static int activity_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"date", required_argument, NULL, OPT_DATE},
		{"person", required_argument, NULL, OPT_PERSON},
		{"topic", required_argument, NULL, OPT_TOPIC},
		{"unit", required_argument, NULL, OPT_UNIT},
		{"attendance", required_argument, NULL, OPT_ATTENDANCE},
		{"minutes", required_argument, NULL, OPT_MINUTES},
		{"risk", required_argument, NULL, OPT_RISK},
		{"outcome", required_argument, NULL, OPT_OUTCOME},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *person = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1], fhex[HEARTH_ID_HEX + 1];
	char shortid[9];
	hearth_activity_new a;
	hearth_activity_added res;
	hearth_id pid;
	hearth_store *s;
	hearth_status st;
	long v;
	int c, rc;

	cli_set_command(cli, "activity add");
	memset(&a, 0, sizeof a);
	a.attendance = -1;
	a.minutes = -1;
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_DATE:
			if ((rc = cli_check_date(cli, optarg)) != 0)
				return rc;
			a.date = optarg;
			break;
		case OPT_PERSON:
			person = optarg;
			break;
		case OPT_TOPIC:
		case OPT_UNIT:
			if ((rc = cli_check_text(cli, c == OPT_TOPIC ? "--topic" : "--unit",
						 optarg)) != 0)
				return rc;
			if (strpbrk(optarg, "\r\n") != NULL)
				return cli_usage(cli, _("%s must be one line"),
						 c == OPT_TOPIC ? "--topic" : "--unit");
			*(c == OPT_TOPIC ? &a.topic : &a.unit) = optarg;
			break;
		case OPT_ATTENDANCE:
			v = cli_parse_count(optarg, 0, MAX_ATTENDANCE);
			if (v < 0)
				return cli_usage(cli, _("'%s' is not a number of attendees"), optarg);
			a.attendance = (int)v;
			break;
		case OPT_MINUTES:
			v = cli_parse_count(optarg, 0, MAX_MINUTES);
			if (v < 0)
				return cli_usage(cli, _("'%s' is not a number of minutes: use 0 to %ld"),
						 optarg, MAX_MINUTES);
			a.minutes = (int)v;
			break;
		case OPT_RISK:
			if (!hearth_risk_valid(optarg))
				return cli_usage(cli, _("'%s' is not a risk level: use low, moderate or high"),
						 optarg);
			a.risk = optarg;
			break;
		case OPT_OUTCOME:
			if ((rc = cli_check_text(cli, "--outcome", optarg)) != 0)
				return rc;
			a.outcome = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth activity add TYPE --date DATE [--person ID] [--topic T]\n"
				"                           [--unit U] [--attendance N] [--minutes M]\n"
				"                           [--risk low|moderate|high] [--outcome TEXT]\n"
				"Record a hotline call, call-back, group session, lecture or outreach\n"
				"and print its id.  TYPE is hotline, callback, group, lecture or\n"
				"outreach.  A high-risk contact with a person creates a safety\n"
				"follow-up due today and marks the person high risk.\n"
				"\n"
				"Options:\n"
				"  --date DATE       the day it took place (YYYY-MM-DD)\n"
				"  --person ID       the person concerned, if any\n"
				"  --topic T         topic\n"
				"  --unit U          host work unit\n"
				"  --attendance N    number of attendees\n"
				"  --minutes M       how long it took\n"
				"  --risk R          risk seen: low, moderate or high\n"
				"  --outcome TEXT    outcome\n"
				"  --json            print the id and any safety follow-up as JSON\n"
				"  -h, --help        show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("TYPE"))) != 0)
		return rc;
	a.type = argv[optind];
	if (!hearth_activity_type_valid(a.type))
		return cli_usage(cli,
			_("'%s' is not an activity type: use hotline, callback, group, lecture or outreach"),
			a.type);
	if (a.date == NULL)
		return cli_usage(cli, "%s", _("missing --date"));
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if (person != NULL) {
		if ((rc = cli_resolve(cli, "person", person, &pid)) != 0)
			return rc;
		a.person = &pid;
	}
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_activity_add(s, &a, today, &res);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (res.safety == HEARTH_ACTIVITY_SAFETY_UNATTACHED)
		fprintf(stderr, "%s: %s\n", cli->prog,
			_("warning: high risk, but no person was given: no safety follow-up could "
			  "be attached; add the person and a follow-up by hand"));
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s}", "id", cli_id_hex(&res.id, hex),
				      "safety", res.safety == HEARTH_ACTIVITY_SAFETY_FOLLOWUP ?
						"followup" :
						res.safety == HEARTH_ACTIVITY_SAFETY_UNATTACHED ?
						"unattached" : "none");

		if (o != NULL && res.safety == HEARTH_ACTIVITY_SAFETY_FOLLOWUP)
			json_object_set_new(o, "followup", json_string(cli_id_hex(&res.followup, fhex)));
		return cli_json_print(cli, o);
	}
	printf("%s\n", cli_id_hex(&res.id, hex));
	if (res.safety == HEARTH_ACTIVITY_SAFETY_FOLLOWUP) {
		printf(_("High risk: safety follow-up %s is due today (%s); the person is now "
			 "marked high risk.\n"), cli_id_short(&res.followup, shortid), today);
		printf("%s\n", _("Stay with the person, remove any means, call the help lines, "
				 "and tell your supervisor."));
	}
	return CLI_EXIT_OK;
}

static int activity_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"type", required_argument, NULL, OPT_TYPE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *type = NULL;
	hearth_activities *l = NULL;
	hearth_store *s;
	hearth_status st;
	size_t i;
	int c, rc;

	cli_set_command(cli, "activity list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			if ((rc = cli_check_date(cli, optarg)) != 0)
				return rc;
			*(c == OPT_FROM ? &from : &to) = optarg;
			break;
		case OPT_TYPE:
			if (!hearth_activity_type_valid(optarg))
				return cli_usage(cli,
					_("'%s' is not an activity type: use hotline, callback, group, lecture or outreach"),
					optarg);
			type = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth activity list [--from DATE] [--to DATE] [--type TYPE]\n"
				"List activities by date.\n"
				"\n"
				"Options:\n"
				"  --from DATE   first day (YYYY-MM-DD)\n"
				"  --to DATE     last day\n"
				"  --type TYPE   hotline, callback, group, lecture or outreach\n"
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
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_activity_list(s, from, to, type, &l);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *a = json_array();
		char hex[HEARTH_ID_HEX + 1];

		for (i = 0; a != NULL && i < l->n; i++) {
			const hearth_activity_item *it = &l->items[i];
			json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				"id", cli_id_hex(&it->id, hex), "type", it->type, "date", it->date,
				"topic", it->topic, "unit", it->unit, "risk", it->risk,
				"outcome", it->outcome);

			if (o != NULL && it->has_person) {
				json_object_set_new(o, "person", json_string(cli_id_hex(&it->person, hex)));
				json_object_set_new(o, "person_name", json_string(it->person_name));
			}
			if (o != NULL && it->attendance >= 0)
				json_object_set_new(o, "attendance", json_integer(it->attendance));
			if (o != NULL && it->minutes >= 0)
				json_object_set_new(o, "minutes", json_integer(it->minutes));
			if (o != NULL && it->has_followup)
				json_object_set_new(o, "followup", json_string(cli_id_hex(&it->followup, hex)));
			if (o != NULL && it->unattached)
				json_object_set_new(o, "safety", json_string("unattached"));
			if (json_array_append_new(a, o) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		hearth_activities_free(l);
		return cli_json_print(cli, a);
	}
	if (l->n == 0) {
		printf("%s\n", _("No activities."));
	} else {
		const char *header[8];
		struct cli_table *t;

		header[0] = _("ID");
		header[1] = _("Date");
		header[2] = _("Type");
		header[3] = _("Person");
		header[4] = _("Topic");
		header[5] = _("Unit");
		header[6] = _("Attendance");
		header[7] = _("Risk");
		t = cli_table_new(8, header);
		for (i = 0; t != NULL && i < l->n; i++) {
			const hearth_activity_item *it = &l->items[i];
			char shortid[9], att[16];
			const char *cells[8];

			if (it->attendance >= 0)
				snprintf(att, sizeof att, "%d", it->attendance);
			else
				att[0] = '\0';
			cells[0] = cli_id_short(&it->id, shortid);
			cells[1] = it->date;
			cells[2] = cli_activity_type_text(it->type);
			cells[3] = it->person_name;
			cells[4] = it->topic;
			cells[5] = it->unit;
			cells[6] = att;
			cells[7] = it->risk[0] ? cli_risk_text(it->risk) : "";
			if (cli_table_add(t, cells) != 0) {
				cli_table_free(t);
				t = NULL;
			}
		}
		if (t == NULL) {
			hearth_activities_free(l);
			return cli_error(cli, "%s", _("out of memory"));
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	hearth_activities_free(l);
	return CLI_EXIT_OK;
}

static const struct cli_subcommand subs[] = {
	{"add", N_("record a call, call-back, group session, lecture or outreach"), activity_add},
	{"list", N_("list activities by date"), activity_list},
};

static const struct cli_group group = {
	.name = "activity",
	.head = N_("Usage: hearth activity SUBCOMMAND [OPTIONS]\n"
		   "Log hotline calls, call-backs, group sessions, lectures and outreach.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\nRun 'hearth activity SUBCOMMAND --help' for its options.\n"),
	.width = 10,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_activity(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}
