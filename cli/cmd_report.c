/*
 * cli/cmd_report.c - `hearth report`: service counts for a period.
 *
 *   hearth report --from D --to D [--by month|week] [--csv FILE]
 *                 [--lang zh_CN|en]
 *
 * Prints a table (metrics down, periods across, at most six periods per
 * block so a year by month stays readable) or, with --json, every count.
 * On screen and in JSON the counts are exact: they are for the service
 * itself.  The CSV, meant to leave the service, shows counts of 1-4 as
 * "<5" and holds no names or ids.  Counting, grouping and the CSV live in
 * the core (hearth/reports.h); building the report and writing the CSV
 * each append an audit entry there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hearth/reports.h"
#include "hearth/timeutil.h"

enum { OPT_FROM = 0x100, OPT_TO, OPT_BY, OPT_CSV };

/* Periods side by side in one block of the table. */
#define COLUMNS_PER_BLOCK 6

static int64_t band_count(const hearth_report_bucket *b, const hearth_report_band *want)
{
	for (size_t i = 0; i < b->n_bands; i++)
		if (strcmp(b->bands[i].instrument, want->instrument) == 0 &&
		    strcmp(b->bands[i].band, want->band) == 0)
			return b->bands[i].n;
	return 0;
}

static json_t *bucket_json(const hearth_report_bucket *b)
{
	json_t *counts = json_object(), *bands = json_array();

	if (counts == NULL || bands == NULL)
		goto fail;
	for (int m = 0; m < HEARTH_M_COUNT; m++)
		if (json_object_set_new(counts, hearth_metric_key((hearth_metric)m),
					json_integer(b->m[m])) != 0)
			goto fail;
	for (size_t i = 0; i < b->n_bands; i++) {
		json_t *x = json_pack("{s:s, s:s, s:I}", "instrument", b->bands[i].instrument,
				      "band", b->bands[i].band, "count", (json_int_t)b->bands[i].n);

		if (x == NULL || json_array_append_new(bands, x) != 0)
			goto fail;
	}
	/* "o" hands both references to the new object (also on failure). */
	return json_pack("{s:s?, s:s, s:s, s:o, s:o}",
			 "label", b->label[0] ? b->label : NULL,
			 "from", b->from, "to", b->to,
			 "counts", counts, "screenings_by_band", bands);
fail:
	json_decref(counts);
	json_decref(bands);
	return NULL;
}

static int print_json(struct hearth_cli *cli, const hearth_report *r, const char *csv)
{
	static const char *const by[] = { "whole", "month", "week" };
	json_t *doc, *buckets = json_array();

	if (buckets == NULL)
		return cli_json_print(cli, NULL);
	for (size_t i = 0; i < r->n_buckets; i++) {
		json_t *b = bucket_json(&r->buckets[i]);

		if (b == NULL || json_array_append_new(buckets, b) != 0) {
			json_decref(buckets);
			return cli_json_print(cli, NULL);
		}
	}
	doc = json_pack("{s:s, s:s, s:s, s:s, s:o*, s:o, s:s?}",
			"from", r->from, "to", r->to, "by", by[r->by],
			"overdue_as_of", r->as_of,
			"total", bucket_json(&r->whole),
			"periods", buckets,
			"csv", csv);
	return cli_json_print(cli, doc);
}

/* One block: metric labels down, the given buckets (and the total on the
 * last block) across. */
static int print_block(const hearth_report *r, const char *lang,
		       const hearth_report_bucket *const *cols, size_t ncols)
{
	const char *header[COLUMNS_PER_BLOCK + 2];
	const char *cells[COLUMNS_PER_BLOCK + 2];
	char nums[COLUMNS_PER_BLOCK + 1][24];
	char *labels[COLUMNS_PER_BLOCK + 1] = { NULL };
	struct cli_table *t;
	int zh = strncmp(lang, "zh", 2) == 0;
	int rc = 0;

	header[0] = "";
	for (size_t c = 0; c < ncols; c++) {
		if (cols[c] == &r->whole)
			header[c + 1] = _("Total");
		else
			header[c + 1] = cols[c]->label;
	}
	t = cli_table_new(ncols + 1, header);
	if (t == NULL)
		return -1;
	for (int m = 0; m < HEARTH_M_COUNT && rc == 0; m++) {
		cells[0] = hearth_metric_label((hearth_metric)m, lang);
		for (size_t c = 0; c < ncols; c++) {
			snprintf(nums[c], sizeof nums[c], "%lld", (long long)cols[c]->m[m]);
			cells[c + 1] = nums[c];
		}
		rc = cli_table_add(t, cells);
		/* The screenings' breakdown follows their count, indented. */
		for (size_t i = 0; m == HEARTH_M_SCREENINGS && rc == 0 &&
		     i < r->whole.n_bands; i++) {
			const hearth_report_band *b = &r->whole.bands[i];

			free(labels[0]);
			labels[0] = NULL;
			if (asprintf(&labels[0], "  %s", zh ? b->label_zh_CN : b->label_en) < 0) {
				labels[0] = NULL;
				rc = -1;
				break;
			}
			cells[0] = labels[0];
			for (size_t c = 0; c < ncols; c++) {
				snprintf(nums[c], sizeof nums[c], "%lld",
					 (long long)band_count(cols[c], b));
				cells[c + 1] = nums[c];
			}
			rc = cli_table_add(t, cells);
		}
	}
	if (rc == 0)
		cli_table_print(t, stdout);
	free(labels[0]);
	cli_table_free(t);
	return rc;
}

static int print_table(struct hearth_cli *cli, const hearth_report *r)
{
	const hearth_report_bucket *cols[COLUMNS_PER_BLOCK + 1];
	const char *lang = cli_lang(cli);
	size_t i = 0;

	if (r->by == HEARTH_REPORT_MONTH)
		printf(_("Service report %s to %s, by month\n"), r->from, r->to);
	else if (r->by == HEARTH_REPORT_WEEK)
		printf(_("Service report %s to %s, by week\n"), r->from, r->to);
	else
		printf(_("Service report %s to %s\n"), r->from, r->to);
	printf(_("Follow-ups overdue as of %s.  People served: distinct people who received a service (a session held, a screening, an activity naming them, a follow-up done).\n\n"),
	       r->as_of);
	do {
		size_t n = 0;

		while (i < r->n_buckets && n < COLUMNS_PER_BLOCK)
			cols[n++] = &r->buckets[i++];
		if (i == r->n_buckets)
			cols[n++] = &r->whole;
		if (print_block(r, lang, cols, n) != 0)
			return cli_error(cli, "%s", _("out of memory"));
		if (i < r->n_buckets)
			putchar('\n');
	} while (i < r->n_buckets);
	return CLI_EXIT_OK;
}

int cmd_report(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"by", required_argument, NULL, OPT_BY},
		{"csv", required_argument, NULL, OPT_CSV},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL, *csv = NULL;
	char today[HEARTH_DATE_LEN + 1];
	hearth_report_by by = HEARTH_REPORT_WHOLE;
	hearth_report *r = NULL;
	hearth_store *s;
	hearth_status st;
	int32_t dfrom = 0, dto = 0, d;
	int c, rc;

	cli_set_command(cli, "report");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_FROM:
		case OPT_TO:
			if (hearth_date_parse(optarg, &d) != HEARTH_OK)
				return cli_usage(cli, _("'%s' is not a valid date: use YYYY-MM-DD"),
						 optarg);
			if (c == OPT_FROM) {
				from = optarg;
				dfrom = d;
			} else {
				to = optarg;
				dto = d;
			}
			break;
		case OPT_BY:
			if (strcmp(optarg, "month") == 0)
				by = HEARTH_REPORT_MONTH;
			else if (strcmp(optarg, "week") == 0)
				by = HEARTH_REPORT_WEEK;
			else
				return cli_usage(cli, _("cannot group by '%s': use month or week"),
						 optarg);
			break;
		case OPT_CSV:
			if (optarg[0] == '\0')
				return cli_usage(cli, "%s", _("--csv needs a file name"));
			csv = optarg;
			break;
		case 'h':
			return cli_help(cli, _("Usage: hearth report --from DATE --to DATE [--by month|week]\n"
					       "                     [--csv FILE] [--lang zh_CN|en]\n"
					       "Count the services delivered between two dates (both included):\n"
					       "hotline calls, call-backs, appointments booked, held and missed,\n"
					       "one-to-one sessions, group sessions and lectures with their\n"
					       "attendance, screenings by instrument and band, safety flags,\n"
					       "follow-ups done and overdue, and the people served.\n"
					       "\n"
					       "  --from DATE, --to DATE   the period, YYYY-MM-DD\n"
					       "  --by month|week          one column per calendar month or\n"
					       "                           ISO week (Monday to Sunday)\n"
					       "  --csv FILE               also write a spreadsheet file: UTF-8\n"
					       "                           with Chinese or English headers, no\n"
					       "                           names or ids, counts of 1-4 as \"<5\"\n"
					       "  --lang zh_CN|en          language of the table and the CSV\n"
					       "\n"
					       "Follow-ups overdue are those due in the period and not done\n"
					       "by its last day (or by today, for a period not over yet).\n"
					       "Every report and export is written to the audit log.\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (from == NULL || to == NULL)
		return cli_usage(cli, "%s", _("give the period with --from DATE and --to DATE"));
	if (dfrom > dto)
		return cli_usage(cli, _("the period starts (%s) after it ends (%s)"), from, to);
	if (dto - dfrom + 1 > HEARTH_REPORT_MAX_DAYS)
		return cli_usage(cli, _("the period %s to %s is longer than %d days"), from, to,
				 HEARTH_REPORT_MAX_DAYS);
	if ((rc = cli_today(cli, today)) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	/* When the CSV cannot be written, the core drops the report's audit
	 * entry too: nothing at all is changed. */
	st = hearth_report_export(s, from, to, by, today, cli_lang(cli), csv, &r);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json) {
		rc = print_json(cli, r, csv);
	} else {
		rc = print_table(cli, r);
		if (rc == 0 && csv != NULL)
			printf(_("\nCSV written to %s (counts of 1-4 shown as <5).\n"), csv);
	}
	hearth_report_free(r);
	return rc;
}
