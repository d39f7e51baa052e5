/*
 * cli/cmd_device.c - `hearth device`: this vault's identity and devices.
 *
 *   device list          device id (short), this device, certified, since
 *   device fingerprint   the identity's fingerprint: 12 groups of 5 digits
 *                        that two people read to each other to see they
 *                        hold the same identity
 *   device link          on a new vault: its link code; with --accept FILE,
 *                        take the identity from the other device's package
 *   device approve CODE --out FILE
 *                        on a device holding the identity: certify the new
 *                        device and write its link package
 *   device revoke DEVICE on another device of the identity: revoke a lost or
 *                        stolen linked device (core/devices.c says what
 *                        that does and does not do)
 *
 * The vault gains its identity and this device's certificate when it is
 * opened (core/devices.c).  Nothing printed is secret: device ids, public
 * keys, link codes and the fingerprint are public; the link package holds
 * the identity's secrets, sealed so that only the new device opens it.
 */
#include <stdio.h>
#include <stdlib.h>
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
		o = json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:I, s:s?, s:I, s:s?}",
			      "device", id,
			      "this_device", d->this_device,
			      "certified", d->certified,
			      "retired", d->retired,
			      "linked", d->linked,
			      "revoked", d->revoked,
			      "cutoff", (json_int_t)d->cutoff,
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
		/* TRANSLATORS: "Certified" column: another device of the
		 * same identity, linked with `hearth device approve`. */
		d->linked ? _("yes, linked") :
		/* TRANSLATORS: "Certified" column: a linked device revoked
		 * with `hearth device revoke`. */
		d->revoked ? _("revoked") :
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
				"moves to a new id) as retired, then your other devices linked\n"
				"with `hearth device approve` as linked.\n"
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
	return cli_list_finish(cli, st, l.failed, l.arr, l.t, "devices");
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

/* ---- device link, device approve ------------------------------------------ */

/* Largest link package read: its plaintext limit and the sealing. */
#define LINK_PACKAGE_MAX (256u * 1024u)

static int link_accept(struct hearth_cli *cli, hearth_store *s, const char *path)
{
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	uint8_t *pkg;
	size_t len;
	hearth_status st;
	int rc;

	if ((rc = cli_read_file(cli, path, LINK_PACKAGE_MAX, &pkg, &len)) != 0)
		return rc;
	st = hearth_link_accept(s, pkg, len);
	free(pkg);
	if (st == HEARTH_OK)
		st = hearth_identity_fingerprint_get(s, fp);
	if (st != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:b, s:s}", "linked", 1,
						     "fingerprint", fp));
	printf("%s\n", _("This device is now linked to the identity below."));
	cli_fingerprint_print(fp);
	printf("%s\n", _("The other device must show the same digits "
			  "(hearth device fingerprint)."));
	return CLI_EXIT_OK;
}

static int device_link(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"accept", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char code[HEARTH_LINK_CODE_MAX];
	const char *accept = NULL;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "device link");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'a') {
			accept = optarg;
			continue;
		}
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth device link [--accept FILE]\n"
				"Link this new vault to your identity on another device.\n"
				"\n"
				"Without options: print this device's link code.  On the other\n"
				"device run `hearth device approve CODE --out FILE`, carry FILE here\n"
				"and run `hearth device link --accept FILE`.  Only this device can\n"
				"open that file.  This vault must not hold records of its own yet.\n"
				"\n"
				"  --accept FILE   take the identity, its keys and its private space\n"
				"                  from the file the other device wrote\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if (accept != NULL)
		return link_accept(cli, s, accept);
	if ((st = hearth_link_request(s, code)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s}", "code", code));
	printf("%s\n  %s\n", _("Link code of this device:"), code);
	printf("%s\n", _("On your other device run: hearth device approve CODE --out FILE"));
	return CLI_EXIT_OK;
}

static int device_approve(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"out", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char fp[HEARTH_FINGERPRINT_LEN + 1], hex[HEARTH_DEVICE_HEX + 1];
	const char *out = NULL;
	uint64_t device = 0;
	uint8_t *pkg = NULL;
	size_t len = 0;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "device approve");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'o') {
			out = optarg;
			continue;
		}
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth device approve CODE --out FILE\n"
				"Link a new device of yours: certify the device whose link code is\n"
				"CODE (from `hearth device link` on it) and write FILE for it, with\n"
				"your identity, its keys and your private space, sealed so that\n"
				"only that device can open it.\n"
				"\n"
				"  --out FILE   where to write the link package (required)\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "CODE")) != 0)
		return rc;
	if (out == NULL)
		return cli_usage(cli, "%s", _("missing --out"));
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	st = hearth_link_approve(s, argv[optind], &pkg, &len, &device);
	if (st == HEARTH_OK)
		st = hearth_identity_fingerprint_get(s, fp);
	if (st != HEARTH_OK) {
		free(pkg);
		return cli_error_status(cli, st);
	}
	rc = cli_write_file(cli, out, pkg, len);
	free(pkg);
	if (rc != 0)
		return rc;
	hearth_device_hex(device, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:s, s:s}", "device", hex,
						     "out", out, "fingerprint", fp));
	printf(_("Device %s approved; its link package is in %s.\n"), hex, out);
	printf("%s\n", _("On it run `hearth device link --accept FILE`, then check that "
			  "it shows this fingerprint:"));
	cli_fingerprint_print(fp);
	printf("%s\n", _("It is listed as yours in your team spaces: export each of them from "
			  "this device (hearth sync export --space SPACE) so your team accepts "
			  "what it writes."));
	return CLI_EXIT_OK;
}

/* ---- device revoke ----------------------------------------------------- */

static int device_revoke(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char hex[HEARTH_DEVICE_HEX + 1];
	hearth_device_revocation rv;
	hearth_store *s;
	hearth_status st;
	int c, rc;

	cli_set_command(cli, "device revoke");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth device revoke DEVICE\n"
				"Revoke a lost or stolen device of yours (its id, or 8 or more of\n"
				"its first hex digits, from `hearth device list`), from another\n"
				"device of yours.  Its writes after the last one this vault holds\n"
				"are refused from now on, and every team space that lists it\n"
				"gets a new key it does not hold.  It keeps what it already read\n"
				"and, as it holds your identity, your private space's key.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 1, 1, "DEVICE")) != 0)
		return rc;
	if ((rc = cli_open_store(cli, &s)) != 0)
		return rc;
	if ((st = hearth_device_revoke(s, argv[optind], &rv)) != HEARTH_OK)
		return cli_error_status(cli, st);
	hearth_device_hex(rv.device, hex);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:I, s:I}", "device", hex,
						     "cutoff", (json_int_t)rv.cutoff,
						     "spaces", (json_int_t)rv.spaces));
	printf(_("Device %s revoked: its writes after number %llu are refused.\n"), hex,
	       (unsigned long long)rv.cutoff);
	printf(_("Team spaces given a new key without it: %zu.\n"), rv.spaces);
	printf("%s\n", _("It can still read what it already holds and your private "
			  "space, because it holds your identity; Hearth cannot move you "
			  "to a new identity yet (docs/SECURITY.md, \"Revoking a device\")."));
	printf("%s\n", _("Export your private space (hearth sync export --space private) and "
			  "import it on your other devices so they refuse it too."));
	return CLI_EXIT_OK;
}

static const struct cli_subcommand device_subs[] = {
	{"list", N_("list this identity's devices"), device_list},
	{"fingerprint", N_("show the identity's fingerprint to compare in person"),
	 device_fingerprint},
	{"link", N_("link this new vault to your identity on another device"),
	 device_link},
	{"approve", N_("approve a new device's link code"), device_approve},
	{"revoke", N_("revoke a lost or stolen device"), device_revoke},
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
