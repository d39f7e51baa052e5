/*
 * cli/cmd_followup.c - `hearth followup`: the follow-up list a counsellor
 * works through (add, list, done, unreachable).  A person's risk level,
 * case state and counsellor are set by `hearth person` (cmd_person.c).
 *
 * The rules (ordering, retries, escalation) are in the core
 * (hearth/casework.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/followup.h"
#include "hearth/person.h"

static const char *priority_text(const char *p)
{
	hearth_priority v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_priority_parse(p, &v) == HEARTH_OK ? hearth_priority_label(v) : p;
}

const char *cli_followup_status_text(const char *s)
{
	hearth_followup_status v;

	/* The core's one label of the code; a code it does not know is
	 * shown as stored. */
	return hearth_followup_status_parse(s, &v) == HEARTH_OK ? hearth_followup_status_label(v) : s;
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
