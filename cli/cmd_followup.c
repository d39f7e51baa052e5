/*
 * cli/cmd_followup.c - `hearth followup`: the follow-up list a counsellor
 * works through, and the case loop's additions to `hearth person`:
 *
 *   person risk ID low|moderate|high [--reason TEXT]
 *   person case ID open|followup|closed
 *   person counsellor ID NAME
 *   person show: a "case" section (risk, case state, counsellor) and the
 *   person's timeline (screenings, appointments, notes, follow-ups,
 *   activities), or "timeline" in --json.
 *
 * The rules (ordering, retries, escalation, the safety rule on closing a
 * case) are in the core (hearth/casework.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/followup.h"
#include "hearth/person.h"
#include "hearth/timeutil.h"

static const char *priority_text(const char *p)
{
	static const struct cli_word words[] = {
		{"high", N_("high")},
		{"low", N_("low")},
		{"normal", N_("normal")},
	};

	return cli_word(words, CLI_COUNT(words), p);
}

static const char *case_text(const char *c)
{
	static const struct cli_word words[] = {
		{"open", N_("open")},
		{"followup", N_("in follow-up")},
		{"closed", N_("closed")},
	};

	return cli_word(words, CLI_COUNT(words), c);
}

static const char *followup_status_text(const char *s)
{
	static const struct cli_word words[] = {
		{"open", N_("to do")},
		{"retry", N_("retry")},
		{"done", N_("done")},
	};

	return cli_word(words, CLI_COUNT(words), s);
}

enum { OPT_PERSON = 0x100, OPT_DUE, OPT_REASON, OPT_PRIORITY, OPT_OVERDUE,
       OPT_OUTCOME };

/* ---- followup add ------------------------------------------------------ */

static int followup_add(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"person", required_argument, NULL, OPT_PERSON},
		{"due", required_argument, NULL, OPT_DUE},
		{"reason", required_argument, NULL, OPT_REASON},
		{"priority", required_argument, NULL, OPT_PRIORITY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *person = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1];
	hearth_followup_new f;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int c, rc;

	cli_set_command(cli, "followup add");
	memset(&f, 0, sizeof f);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_PERSON:
			person = optarg;
			break;
		case OPT_DUE:
			if ((rc = cli_check_date(cli, optarg)) != 0)
				return rc;
			f.due = optarg;
			break;
		case OPT_REASON:
			if ((rc = cli_check_text(cli, "--reason", optarg)) != 0)
				return rc;
			if (strpbrk(optarg, "\r\n") != NULL)
				return cli_usage(cli, _("%s must be one line"), "--reason");
			f.reason = optarg;
			break;
		case OPT_PRIORITY:
			if (!hearth_priority_valid(optarg))
				return cli_usage(cli, _("'%s' is not a priority: use high, normal or low"),
						 optarg);
			f.priority = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth followup add --person ID --due DATE --reason TEXT\n"
				"                           [--priority high|normal|low]\n"
				"Plan a follow-up by hand and print its id.\n"
				"\n"
				"Options:\n"
				"  --person ID       the person (id or its first six or more hex digits)\n"
				"  --due DATE        the day it is due (YYYY-MM-DD)\n"
				"  --reason TEXT     why, in one line\n"
				"  --priority P      high, normal (default) or low\n"
				"  --json            print {\"id\": ...}\n"
				"  -h, --help        show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (person == NULL)
		return cli_usage(cli, "%s", _("missing --person"));
	if (f.due == NULL)
		return cli_usage(cli, "%s", _("missing --due"));
	if (f.reason == NULL || strspn(f.reason, " \t") == strlen(f.reason))
		return cli_usage(cli, "%s", _("missing --reason"));
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "person", person, &f.person)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_followup_add(s, &f, today, &id);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s}", "id", cli_id_hex(&id, hex)));
	printf("%s\n", cli_id_hex(&id, hex));
	return CLI_EXIT_OK;
}

/* ---- followup list ----------------------------------------------------- */

/* "reason" is the reason as shown (in the user's language); the stored
 * code and its parameters follow it, each only when set. */
static json_t *followup_json(const hearth_followup_item *it)
{
	char hex[HEARTH_ID_HEX + 1], phex[HEARTH_ID_HEX + 1];
	const struct { const char *key, *value; } why[] = {
		{"reason_code", it->reason_code},
		{"reason_instrument", it->reason_instrument},
		{"reason_band", it->reason_band},
		{"reason_at", it->reason_at},
	};
	json_t *o;
	size_t i;

	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:s, s:s}",
		"id", cli_id_hex(&it->id, hex), "person", cli_id_hex(&it->person, phex),
		"person_name", it->person_name, "due", it->due,
		"days_overdue", (int)it->days_overdue, "reason", it->label,
		"priority", it->priority, "status", it->status, "source", it->source,
		"attempts", it->attempts, "safety", it->safety, "escalated", it->escalated,
		"outcome", it->outcome, "closed", it->closed);
	for (i = 0; o != NULL && i < CLI_COUNT(why); i++)
		if (why[i].value[0] != '\0' &&
		    json_object_set_new(o, why[i].key, json_string(why[i].value)) != 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

static int followup_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"overdue", no_argument, NULL, OPT_OVERDUE},
		{"person", required_argument, NULL, OPT_PERSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *person = NULL;
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *l = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id pid;
	size_t i;
	int c, rc, overdue = 0;

	cli_set_command(cli, "followup list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_OVERDUE:
			overdue = 1;
			break;
		case OPT_PERSON:
			person = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth followup list [--overdue] [--person ID]\n"
				"List the follow-ups still to do: safety follow-ups first, then\n"
				"high priority, then the most overdue, then by due date.\n"
				"\n"
				"Options:\n"
				"  --overdue     only those past their due date\n"
				"  --person ID   only this person's\n"
				"  --json        print a JSON array\n"
				"  -h, --help    show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if (person != NULL && (rc = cli_resolve(cli, "person", person, &pid)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_followup_list(s, overdue ? HEARTH_FOLLOWUPS_OVERDUE : HEARTH_FOLLOWUPS_PENDING,
				  person ? &pid : NULL, today, &l);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		json_t *a = json_array();

		for (i = 0; a != NULL && i < l->n; i++)
			if (json_array_append_new(a, followup_json(&l->items[i])) != 0) {
				json_decref(a);
				a = NULL;
			}
		hearth_followups_free(l);
		return cli_json_print(cli, a);
	}
	/* A safety result whose action is not recorded comes before any
	 * follow-up (see 'hearth screen pending'). */
	if ((rc = cli_pending_actions_print(cli, s, person ? &pid : NULL, stdout)) != 0) {
		hearth_followups_free(l);
		return rc;
	}
	if (l->n == 0) {
		printf("%s\n", overdue ? _("No overdue follow-ups.") : _("No follow-ups to do."));
	} else {
		const char *header[7];
		struct cli_table *t;

		header[0] = _("ID");
		header[1] = _("Priority");
		header[2] = _("Due");
		header[3] = _("Overdue");
		header[4] = _("Person");
		header[5] = _("Reason");
		header[6] = _("Flags");
		t = cli_table_new(7, header);
		for (i = 0; t != NULL && i < l->n; i++) {
			const hearth_followup_item *it = &l->items[i];
			char shortid[9], late[48], flags[160];
			const char *cells[7];
			size_t n = 0;

			if (it->days_overdue > 0)
				snprintf(late, sizeof late, _("%d days"), (int)it->days_overdue);
			else
				late[0] = '\0';
			flags[0] = '\0';
			if (it->safety)
				n += (size_t)snprintf(flags + n, sizeof flags - n, "%s", _("safety"));
			if (it->escalated && n < sizeof flags)
				n += (size_t)snprintf(flags + n, sizeof flags - n, "%s%s",
						      n ? _(", ") : "", _("escalated to team lead"));
			if (it->attempts > 0 && n < sizeof flags)
				snprintf(flags + n, sizeof flags - n, n ? _(", %d attempts") : _("%d attempts"),
					 it->attempts);
			cells[0] = cli_id_short(&it->id, shortid);
			cells[1] = priority_text(it->priority);
			cells[2] = it->due;
			cells[3] = late;
			cells[4] = it->person_name;
			cells[5] = it->label;
			cells[6] = flags;
			if (cli_table_add(t, cells) != 0) {
				cli_table_free(t);
				t = NULL;
			}
		}
		if (t == NULL) {
			hearth_followups_free(l);
			return cli_error(cli, "%s", _("out of memory"));
		}
		cli_table_print(t, stdout);
		cli_table_free(t);
	}
	hearth_followups_free(l);
	return CLI_EXIT_OK;
}

/* ---- followup done / unreachable --------------------------------------- */

static int followup_done(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"outcome", required_argument, NULL, OPT_OUTCOME},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *outcome = NULL;
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1], shortid[9];
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int c, rc;

	cli_set_command(cli, "followup done");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_OUTCOME:
			if ((rc = cli_check_text(cli, "--outcome", optarg)) != 0)
				return rc;
			outcome = optarg;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth followup done ID --outcome TEXT\n"
				"Record that a follow-up was made, and what came of it.  A safety\n"
				"follow-up being done does not lower the person's risk level or\n"
				"close the case: use 'hearth person risk' and 'hearth person case'.\n"
				"\n"
				"Options:\n"
				"  --outcome TEXT   what came of it (required)\n"
				"  --json           print {\"id\": ..., \"status\": \"done\"}\n"
				"  -h, --help       show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if (outcome == NULL || strspn(outcome, " \t\r\n") == strlen(outcome))
		return cli_usage(cli, "%s", _("missing --outcome"));
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "followup", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_followup_done(s, &id, outcome, today);
	if (st == HEARTH_ESTATE)
		return cli_error(cli, _("follow-up %s is done already"), cli_id_short(&id, shortid));
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "status", "done"));
	printf(_("Follow-up %s done.\n"), cli_id_short(&id, shortid));
	return CLI_EXIT_OK;
}

static int followup_unreachable(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char today[HEARTH_DATE_LEN + 1], hex[HEARTH_ID_HEX + 1], shortid[9];
	hearth_followup_retry res;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int c, rc;

	cli_set_command(cli, "followup unreachable");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth followup unreachable ID\n"
				"Record an attempt that did not reach the person.  The follow-up is\n"
				"due again 24 hours later; the third failed attempt escalates it\n"
				"(high priority, flagged for the team lead).\n"
				"\n"
				"Options:\n"
				"  --json       print the attempt count, new due date and escalation\n"
				"  -h, --help   show this help and exit\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, _("ID"))) != 0)
		return rc;
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_resolve(cli, "followup", argv[optind], &id)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_followup_unreachable(s, &id, today, &res);
	if (st == HEARTH_ESTATE)
		return cli_error(cli, _("follow-up %s is done already"), cli_id_short(&id, shortid));
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:i, s:s, s:b}",
			"id", cli_id_hex(&id, hex), "attempts", res.attempts, "due", res.due,
			"escalated", res.escalated));
	printf(_("Not reached (attempt %d); try again on %s.\n"), res.attempts, res.due);
	if (res.escalated)
		printf("%s\n", _("Escalated: high priority, flagged for the team lead."));
	return CLI_EXIT_OK;
}

static const struct cli_subcommand subs[] = {
	{"add", N_("plan a follow-up by hand"), followup_add},
	{"list", N_("list follow-ups to do, most urgent first"), followup_list},
	{"done", N_("record a follow-up as done, with its outcome"), followup_done},
	{"unreachable", N_("record a failed attempt; retry in 24 hours"), followup_unreachable},
};

static const struct cli_group group = {
	.name = "followup",
	.head = N_("Usage: hearth followup SUBCOMMAND [OPTIONS]\n"
		   "Work through due and overdue follow-ups.\n"
		   "\n"
		   "Subcommands:\n"),
	.tail = N_("\n"
		   "ID is a follow-up's id or its first six or more hex digits.\n"
		   "Run 'hearth followup SUBCOMMAND --help' for its options.\n"),
	.width = 13,
	.subs = subs,
	.nsubs = CLI_COUNT(subs),
};

int cmd_followup(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &group, argc, argv);
}

/* ---- person risk / case / counsellor ----------------------------------- */

/* "person SUB ID VALUE" (argv[0] is SUB): parses, resolves; *value gets
 * VALUE, and *reason the --reason option when reason is non-NULL (the
 * option is only taken then).  Returns 0, an exit code, or -1 after
 * printing help. */
static int person_id_value(struct hearth_cli *cli, int argc, char **argv,
			   const char *help, const char *what, hearth_id *id,
			   const char **value, int (*valid)(const char *),
			   const char *invalid_fmt, const char **reason)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option reason_opts[] = {
		{"reason", required_argument, NULL, OPT_REASON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, rc;

	while ((c = cli_getopt(cli, argc, argv, "h", reason ? reason_opts : opts)) != -1) {
		if (c == 'h') {
			cli_help(cli, help);
			return -1;
		}
		if (c == OPT_REASON && reason != NULL) {
			if ((rc = cli_check_text(cli, "--reason", optarg)) != 0)
				return rc;
			if (strpbrk(optarg, "\r\n") != NULL)
				return cli_usage(cli, _("%s must be one line"), "--reason");
			if (strspn(optarg, " \t") == strlen(optarg))
				return cli_usage(cli, "%s", _("--reason cannot be empty"));
			*reason = optarg;
			continue;
		}
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 2, 2, what)) != 0)
		return rc;
	*value = argv[optind + 1];
	if (valid != NULL && !valid(*value))
		return cli_usage(cli, invalid_fmt, *value);
	if (valid == NULL) {
		if ((rc = cli_check_text(cli, "NAME", *value)) != 0)
			return rc;
		if (strpbrk(*value, "\r\n") != NULL)
			return cli_usage(cli, _("%s must be one line"), "NAME");
	}
	return cli_resolve(cli, "person", argv[optind], id);
}

/* The person's first pending safety follow-up in list order (safety ones
 * come first), for a message that names it; 0 if none could be read. */
static int first_safety(hearth_store *s, const hearth_id *person, hearth_id *fid,
			char due[HEARTH_DATE_LEN + 1])
{
	char today[HEARTH_DATE_LEN + 1];
	hearth_followups *l = NULL;
	int found = 0;

	if (hearth_today(NULL, today) == HEARTH_OK &&
	    hearth_followup_list(s, HEARTH_FOLLOWUPS_PENDING, person, today, &l) == HEARTH_OK &&
	    l->n > 0 && l->items[0].safety) {
		*fid = l->items[0].id;
		memcpy(due, l->items[0].due, HEARTH_DATE_LEN + 1);
		found = 1;
	}
	hearth_followups_free(l);
	return found;
}

static int person_risk(struct hearth_cli *cli, int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1], shortid[9], fshort[9], due[HEARTH_DATE_LEN + 1];
	const char *value = NULL, *reason = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id, fid;
	int rc;

	cli_set_command(cli, "person risk");
	rc = person_id_value(cli, argc, argv, _(
		"Usage: hearth person risk ID low|moderate|high [--reason TEXT]\n"
		"Set a person's risk level.  Lowering it from high while a safety\n"
		"follow-up of theirs is open needs a reason; the follow-up stays open.\n"
		"\n"
		"Options:\n"
		"  --reason TEXT   why, in one line; kept in the audit log (say why,\n"
		"                  not who)\n"
		"  --json          print {\"id\": ..., \"risk\": ...}\n"
		"  -h, --help      show this help and exit\n"), _("ID LEVEL"), &id, &value,
		hearth_risk_valid, _("'%s' is not a risk level: use low, moderate or high"),
		&reason);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_person_set_risk(s, &id, value, reason);
	if (st == HEARTH_ESTATE && first_safety(s, &id, &fid, due))
		return cli_error(cli,
			_("person %s has an open safety follow-up %s (due %s): lowering the "
			  "risk from high needs a reason (--reason TEXT)"),
			cli_id_short(&id, shortid), cli_id_short(&fid, fshort), due);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "risk", value));
	printf(_("Risk level of %s is now %s.\n"), cli_id_short(&id, shortid), cli_risk_text(value));
	return CLI_EXIT_OK;
}

static int person_case(struct hearth_cli *cli, int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1], shortid[9], fshort[9], due[HEARTH_DATE_LEN + 1];
	const char *value = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id, fid;
	int rc;

	cli_set_command(cli, "person case");
	rc = person_id_value(cli, argc, argv, _(
		"Usage: hearth person case ID open|followup|closed\n"
		"Set the state of a person's case.  A case cannot be closed while a\n"
		"safety follow-up of the person is open, whatever their risk level.\n"
		"\n"
		"Options:\n"
		"  --json       print {\"id\": ..., \"case\": ...}\n"
		"  -h, --help   show this help and exit\n"), _("ID STATE"), &id, &value,
		hearth_case_valid, _("'%s' is not a case state: use open, followup or closed"),
		NULL);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_person_set_case(s, &id, value);
	/* Name the follow-up that keeps the case open. */
	if (st == HEARTH_ESTATE && first_safety(s, &id, &fid, due))
		return cli_error(cli,
			_("person %s has an open safety follow-up %s (due %s): complete it "
			  "before closing the case"),
			cli_id_short(&id, shortid), cli_id_short(&fid, fshort), due);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "case", value));
	printf(_("Case of %s is now %s.\n"), cli_id_short(&id, shortid), case_text(value));
	return CLI_EXIT_OK;
}

static int person_counsellor(struct hearth_cli *cli, int argc, char **argv)
{
	char hex[HEARTH_ID_HEX + 1], shortid[9];
	const char *value = NULL;
	hearth_store *s;
	hearth_status st;
	hearth_id id;
	int rc;

	cli_set_command(cli, "person counsellor");
	rc = person_id_value(cli, argc, argv, _(
		"Usage: hearth person counsellor ID NAME\n"
		"Assign a counsellor to a person (\"\" clears it).\n"
		"\n"
		"Options:\n"
		"  --json       print {\"id\": ..., \"counsellor\": ...}\n"
		"  -h, --help   show this help and exit\n"), _("ID NAME"), &id, &value, NULL, NULL,
		NULL);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_person_set_counsellor(s, &id, value)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s}", "id", cli_id_hex(&id, hex),
						     "counsellor", value));
	printf(_("Counsellor of %s is now %s.\n"), cli_id_short(&id, shortid), value);
	return CLI_EXIT_OK;
}

/* ---- person show sections ---------------------------------------------- */

static int show_case(struct hearth_cli *cli, hearth_store *s,
		     const hearth_record *person, json_t *json)
{
	const char *risk = hearth_record_field(person, "risk");
	const char *state = hearth_record_field(person, "case");
	const char *counsellor = hearth_record_field(person, "counsellor");
	struct cli_table *t;
	int bad;

	(void)s;
	if (json != NULL) /* person_json already holds every field */
		return CLI_EXIT_OK;
	t = cli_kv_new();
	if (t == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	bad = cli_kv_add(t, _("Risk"), risk ? cli_risk_text(risk) : _("not assessed"));
	bad |= cli_kv_add(t, _("Case"), case_text(state ? state : "open"));
	bad |= cli_kv_add(t, _("Counsellor"), counsellor);
	if (!bad)
		cli_table_print(t, stdout);
	cli_table_free(t);
	return bad ? cli_error(cli, "%s", _("out of memory")) : CLI_EXIT_OK;
}

static const char *kind_text(const char *kind)
{
	static const struct cli_word words[] = {
		{"screening", N_("screening")},
		{"appointment", N_("appointment")},
		{"note", N_("note")},
		{"amendment", N_("amendment")},
		{"followup", N_("follow-up")},
		{"activity", N_("activity")},
	};

	return cli_word(words, CLI_COUNT(words), kind);
}

/* Status words of every kind, in the user's language where known. */
static const char *item_status_text(const char *kind, const char *status)
{
	if (strcmp(kind, "followup") == 0)
		return followup_status_text(status);
	if (strcmp(kind, "appointment") == 0) {
		if (strcmp(status, "booked") == 0)
			return _("booked");
		if (strcmp(status, "done") == 0)
			return _("held");
		if (strcmp(status, "noshow") == 0)
			return _("no-show");
		if (strcmp(status, "cancelled") == 0)
			return _("cancelled");
	}
	if (strcmp(kind, "note") == 0 || strcmp(kind, "amendment") == 0) {
		if (strcmp(status, "free") == 0)
			return _("free text");
		if (strcmp(status, "dap") == 0)
			return _("DAP");
		if (strcmp(status, "soap") == 0)
			return _("SOAP");
	}
	if (strcmp(kind, "activity") == 0) {
		if (strcmp(status, "hotline") == 0)
			return _("hotline call");
		if (strcmp(status, "callback") == 0)
			return _("call-back");
		if (strcmp(status, "group") == 0)
			return _("group session");
		if (strcmp(status, "lecture") == 0)
			return _("lecture");
		if (strcmp(status, "outreach") == 0)
			return _("outreach");
	}
	return status;
}

/* "50 min, in person, Room 2, Li" in the user's language. */
static void appt_summary(const hearth_record *r, char *buf, size_t len)
{
	const char *mode = hearth_record_field(r, "mode");
	const char *place = hearth_record_field(r, "place");
	const char *who = hearth_record_field(r, "counsellor");
	const char *minutes = hearth_record_field(r, "minutes");
	size_t n;

	n = (size_t)snprintf(buf, len, _("%s min"), minutes ? minutes : "50");
	if (mode != NULL && n < len) {
		const char *m = strcmp(mode, "in-person") == 0 ? _("in person") :
				strcmp(mode, "phone") == 0 ? _("phone") :
				strcmp(mode, "video") == 0 ? _("video") : mode;

		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), m);
	}
	if (place != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), place);
	if (who != NULL && n < len)
		snprintf(buf + n, len - n, "%s%s", _(", "), who);
}

/* A screening's band in the user's language: the label its instrument file
 * gives (e.g. "Mild symptoms (5-9)"), or the stored band id when the
 * instrument is not installed here. */
static void band_text(const struct hearth_cli *cli, const hearth_record *r,
		      const char *band, char *buf, size_t len)
{
	const char *iid = hearth_record_field(r, "instrument");
	hearth_instrument *inst = NULL;
	const hearth_outcome *o;
	size_t i;

	snprintf(buf, len, "%s", band != NULL ? band : "");
	if (iid == NULL || band == NULL || hearth_instrument_find(iid, &inst) != HEARTH_OK)
		return;
	for (i = 0; i < hearth_instrument_n_bands(inst); i++) {
		o = hearth_instrument_band(inst, i, NULL, NULL);
		if (o != NULL && strcmp(o->id, band) == 0) {
			snprintf(buf, len, "%s", hearth_text_get(&o->label, cli_lang(cli)));
			break;
		}
	}
	hearth_instrument_free(inst);
}

/* "phq9, 6, safety" with the flags in the user's language. */
static void screening_summary(const hearth_record *r, char *buf, size_t len)
{
	const char *iid = hearth_record_field(r, "instrument");
	const char *score = hearth_record_field(r, "display");
	const char *flags = hearth_record_field(r, "flags");
	json_t *a = flags != NULL ? json_loads(flags, 0, NULL) : NULL;
	json_t *e;
	size_t i, n;

	if (score == NULL)
		score = hearth_record_field(r, "total");
	n = (size_t)snprintf(buf, len, "%s", iid != NULL ? iid : "");
	if (score != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "), score);
	json_array_foreach(a, i, e) {
		const char *f = json_string_value(e);

		if (f == NULL || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", _(", "),
				      strcmp(f, HEARTH_FLAG_SAFETY) == 0 ? _("safety") : f);
	}
	json_decref(a);
}

static int show_timeline(struct hearth_cli *cli, hearth_store *s,
			 const hearth_record *person, json_t *json)
{
	hearth_timeline *t = NULL;
	hearth_status st;
	size_t i;
	int rc = CLI_EXIT_OK;

	st = hearth_person_timeline(s, &person->id, &t);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (json != NULL) {
		json_t *a = json_array();
		char hex[HEARTH_ID_HEX + 1];

		for (i = 0; a != NULL && i < t->n; i++) {
			const hearth_timeline_item *it = &t->items[i];

			if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}",
					"when", it->when, "kind", it->kind,
					"id", cli_id_hex(&it->id, hex), "status", it->status,
					"summary", it->summary)) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		if (a == NULL || json_object_set_new(json, "timeline", a) != 0)
			rc = cli_error(cli, "%s", _("out of memory"));
	} else {
		printf("\n%s\n", _("Timeline:"));
		if (t->n == 0) {
			printf("  %s\n", _("nothing yet"));
		} else {
			struct cli_table *tab = cli_table_new(5, NULL);

			for (i = 0; tab != NULL && i < t->n; i++) {
				const hearth_timeline_item *it = &t->items[i];
				char shortid[9], reason[512], ind[24], band[256];
				const char *cells[5];

				snprintf(ind, sizeof ind, "  %s", it->when);
				/* A follow-up's summary is its reason as shown. */
				if (strcmp(it->kind, "appointment") == 0 && it->record) {
					appt_summary(it->record, reason, sizeof reason);
					cells[4] = reason;
				} else if (strcmp(it->kind, "screening") == 0 && it->record) {
					screening_summary(it->record, reason, sizeof reason);
					cells[4] = reason;
				} else {
					cells[4] = it->summary;
				}
				cells[0] = ind;
				cells[1] = kind_text(it->kind);
				cells[2] = cli_id_short(&it->id, shortid);
				cells[3] = item_status_text(it->kind, it->status);
				if (strcmp(it->kind, "screening") == 0 && it->record) {
					band_text(cli, it->record, it->status, band, sizeof band);
					cells[3] = band;
				}
				if (cli_table_add(tab, cells) != 0) {
					cli_table_free(tab);
					tab = NULL;
				}
			}
			if (tab == NULL) {
				rc = cli_error(cli, "%s", _("out of memory"));
			} else {
				cli_table_print(tab, stdout);
				cli_table_free(tab);
			}
		}
	}
	hearth_timeline_free(t);
	return rc;
}

CLI_CONSTRUCTOR static void register_person_extensions(void)
{
	cli_person_section_add("case", 10, show_case);
	cli_person_section_add("timeline", 90, show_timeline);
	cli_person_subcommand_add("risk", N_("set a person's risk level"), person_risk);
	cli_person_subcommand_add("case", N_("open, follow up or close a person's case"),
				  person_case);
	cli_person_subcommand_add("counsellor", N_("assign a counsellor to a person"),
				  person_counsellor);
}
