/*
 * cli/cmd_device.c - `hearth device`: this vault's identity and devices.
 *
 *   device list          device id (short), this device, certified, since
 *   device fingerprint   the identity's fingerprint: 12 groups of 5 digits
 *                        that two people read to each other to see they
 *                        hold the same identity
 *
 * Both only read: the vault gains its identity and this device's
 * certificate when it is opened (core/devices.c).  Nothing printed is
 * secret: device ids, public keys and the fingerprint are public.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hearth/devices.h"

/* ---- device list --------------------------------------------------------- */

struct list_ctx {
	struct cli_table *t;
	json_t *arr;
	int failed;
};

static int list_cb(const hearth_device_info *d, void *ctx)
{
	struct list_ctx *l = ctx;
	char id[HEARTH_DEVICE_HEX + 1], pk[2 * HEARTH_ID_SIGN_PUBLICBYTES + 1];
	char since[32] = "";
	const char *cells[4];

	hearth_device_hex(d->device, id);
	if (d->since_ms > 0)
		cli_format_ms(d->since_ms, since);
	if (l->arr != NULL) {
		json_t *o;

		if (d->certified)
			hearth_hex_encode(pk, d->public_key, sizeof d->public_key);
		o = json_pack("{s:s, s:b, s:b, s:b, s:s?, s:I, s:s?}",
			      "device", id,
			      "this_device", d->this_device,
			      "certified", d->certified,
			      "retired", d->retired,
			      "since", d->since_ms > 0 ? since : NULL,
			      "since_ms", (json_int_t)d->since_ms,
			      "public_key", d->certified ? pk : NULL);
		if (o == NULL || json_array_append_new(l->arr, o) != 0) {
			l->failed = 1;
			return 1;
		}
		return 0;
	}
	id[HEARTH_DEVICE_SHORT] = '\0';
	cells[0] = id;
	cells[1] = d->this_device ? _("yes") : _("no");
	/* TRANSLATORS: "Certified" column: an id this vault used before and
	 * never writes under again, whose certificate it kept. */
	cells[2] = d->retired ? (d->certified ? _("yes, retired") : _("retired")) :
		(d->certified ? _("yes") : _("no"));
	cells[3] = d->since_ms > 0 ? since : "-";
	if (cli_table_add(l->t, cells) != 0) {
		l->failed = 1;
		return 1;
	}
	return 0;
}

static int device_list(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct list_ctx l;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "device list");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth device list\n"
				"List the devices of this vault's identity: this one first, then\n"
				"the ids this vault wrote under before (a copied or restored vault\n"
				"moves to a new id) as retired.\n"
				"\n"
				"Columns: device id (short), this device, certified (the identity\n"
				"signed a certificate for the device's key), since when.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	memset(&l, 0, sizeof l);
	if (cli->json) {
		l.arr = json_array();
		if (l.arr == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	} else {
		const char *header[4] = { _("Device"), _("This device"), _("Certified"),
					  _("Since") };

		l.t = cli_table_new(4, header);
		if (l.t == NULL)
			return cli_error(cli, "%s", _("out of memory"));
	}
	st = hearth_devices_each(s, list_cb, &l);
	if (st == HEARTH_OK && l.failed)
		st = hearth_fail(HEARTH_ENOMEM, "out of memory");
	if (st != HEARTH_OK) {
		json_decref(l.arr);
		cli_table_free(l.t);
		return cli_error_status(cli, st);
	}
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:o}", "devices", l.arr));
	cli_table_print(l.t, stdout);
	cli_table_free(l.t);
	return CLI_EXIT_OK;
}

/* ---- device fingerprint ---------------------------------------------------- */

static int device_fingerprint(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "device fingerprint");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth device fingerprint\n"
				"Print the fingerprint of this vault's identity: 12 groups of 5\n"
				"digits.  When you invite someone or join a team, read it to each\n"
				"other in person or on a call you trust: the other screen must show\n"
				"exactly the same digits.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_identity_fingerprint_get(s, fp)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s}", "fingerprint", fp));
	printf("%s\n", _("Fingerprint of this vault's identity (compare it in person):"));
	cli_fingerprint_print(fp);
	return CLI_EXIT_OK;
}

static const struct cli_subcommand device_subs[] = {
	{"list", N_("list this identity's devices"), device_list},
	{"fingerprint", N_("show the identity's fingerprint to compare in person"),
	 device_fingerprint},
};

static const struct cli_group device_group = {
	.name = "device",
	.head = N_("Usage: hearth device SUBCOMMAND\n"
		   "This vault's identity and its devices.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 14,
	.subs = device_subs,
	.nsubs = CLI_COUNT(device_subs),
};

int cmd_device(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &device_group, argc, argv);
}
