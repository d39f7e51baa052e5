/*
 * cli/cmd_vault.c - `hearth init`, `hearth passwd`, `hearth recover`,
 * `hearth vault check`, and the notices an open may have to give.
 *
 * Passphrase sources:
 *   current passphrase  --passphrase-file F, else $HEARTH_PASSPHRASE, else
 *                       a prompt
 *   new passphrase      --new-passphrase-file F, else
 *                       $HEARTH_NEW_PASSPHRASE, else a prompt asked twice
 *   (init takes its new passphrase from the "current" sources, since there
 *   is no old one.)
 * A new passphrase must have at least 8 characters.
 *
 * Test-only: HEARTH_TEST_WEAK_KDF=1 makes all three use the cheap Argon2id
 * parameters (see cli_kdf_params); never set it for a real vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* Fewest characters (not bytes: a Chinese passphrase counts per
 * character) a new passphrase may have. */
#define MIN_PASS_CHARS 8

/* Argon2id cost of --low-memory: small enough for phones. */
#define LOW_MEMORY_MEMLIMIT (64u * 1024u * 1024u)
#define LOW_MEMORY_OPSLIMIT 3u

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* ---- open notices and `hearth vault check` ------------------------------ */

/* ms since the epoch as local "YYYY-MM-DD HH:MM" (empty if out of range). */
static void local_minute(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	out[0] = '\0';
	if (localtime_r(&t, &tm) != NULL)
		strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

/* Prints one notice an open had to give. */
static void print_notice(const hearth_vault_notice *n)
{
	char ahead[64], drift[64], until[32];

	switch (n->kind) {
	case HEARTH_NOTICE_WAL_TAIL_DISCARDED:
		fprintf(stderr, _("Notice: the vault was not closed properly (a crash or a power cut)\n"
				  "while a change was being saved.  That unfinished change (%lu log frames)\n"
				  "was discarded; every change that was saved is there.  The audit log\n"
				  "records this.\n"), (unsigned long)n->frames);
		break;
	case HEARTH_NOTICE_COPY_NEW_DEVICE:
		fputs(_("Notice: this vault's database is a copy (a copied folder, or a backup put\n"
			"back): it is not the file this device wrote before.  So that the copy and\n"
			"the original never save different changes under one name, this copy now\n"
			"writes as a new device.  Nothing was lost: both can go on being used, and\n"
			"their changes merge when they sync.\n"), stderr);
		break;
	case HEARTH_NOTICE_CLOCK_AHEAD:
		hearth_duration_words(n->ahead_ms, ahead, sizeof ahead);
		hearth_duration_words(n->max_drift_ms, drift, sizeof drift);
		local_minute(n->at_ms + (int64_t)n->ahead_ms, until);
		/* TRANSLATORS: %1$s and %2$s are durations ("1 day 2 hours",
		 * "5 minutes"), %3$s a local date and time. */
		fprintf(stderr, _("Notice: this device's clock is behind the vault's time stamps by\n"
				  "%1$s, more than the %2$s allowed: it ran fast when they were written,\n"
				  "or it is slow now.  Check this device's date and time settings.\n"
				  "Changes saved now are stamped up to %1$s ahead.  Until about\n"
				  "%3$s they win over edits made to the same records on other\n"
				  "devices, which set them aside until then.  Time stamps already written\n"
				  "cannot be moved back.\n"),
			ahead, drift, until);
		break;
	case HEARTH_NOTICE_NONE:
		break;
	}
}

/* Prints, once, each thing opening the vault had to tell; on stderr, so
 * that it never mixes with a command's output (or its JSON). */
void cli_vault_notice(struct hearth_cli *cli, hearth_vault *v)
{
	hearth_vault_notice n;

	(void)cli;
	while (hearth_vault_take_notice(v, &n))
		print_notice(&n);
}

static int vault_check(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	hearth_vault_notice last;
	hearth_vault *v = NULL;
	hearth_status st;
	char when[32] = "";
	int c, rc;

	cli_set_command(cli, "vault check");
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		if (c == 'h')
			return cli_help(cli, _(
				"Usage: hearth vault check\n"
				"Check the vault: every page of the database is authenticated and\n"
				"every table checked.  Damage inside the database's log stops the\n"
				"open with the frame that failed and the copy of the log kept aside.\n"
				"Also says when a crash last made the vault discard an unfinished\n"
				"change.  Exits 0 when the vault is intact, 1 when it is damaged.\n"));
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	/* Damage inside the log fails the open itself, with its message. */
	if ((rc = cli_open_vault(cli, &v)) != 0)
		return rc;
	if ((st = hearth_vault_check(v)) != HEARTH_OK)
		return cli_vault_error(cli, st, cli->vault_dir);
	if ((st = hearth_vault_last_wal_recovery(v, &last)) != HEARTH_OK)
		return cli_error_status(cli, st);
	if (last.kind != HEARTH_NOTICE_NONE)
		local_minute(last.at_ms, when);
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:b, s:o}", "intact", 1,
			"last_unfinished_write_discarded",
			last.kind == HEARTH_NOTICE_NONE ? json_null() :
			json_pack("{s:s, s:I, s:I}", "at", when,
				  "first_frame", (json_int_t)last.first_frame,
				  "frames", (json_int_t)last.frames)));
	printf("%s\n", _("vault intact: every page authenticated, integrity check ok"));
	if (last.kind == HEARTH_NOTICE_NONE)
		printf("%s\n", _("no unfinished change was ever discarded after a crash"));
	else
		printf(_("last unfinished change discarded after a crash: %s (%lu log frames)\n"),
		       when, (unsigned long)last.frames);
	return CLI_EXIT_OK;
}

static const struct cli_subcommand vault_subs[] = {
	{"check", N_("check the vault for damage"), vault_check},
};

static const struct cli_group vault_group = {
	.name = "vault",
	.head = N_("Usage: hearth vault SUBCOMMAND\n"
		   "Look after the vault itself.\n"
		   "\n"
		   "Subcommands:\n"),
	.width = 8,
	.subs = vault_subs,
	.nsubs = CLI_COUNT(vault_subs),
};

int cmd_vault(struct hearth_cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, &vault_group, argc, argv);
}

/* Refuses an empty or short new passphrase (exit 1). */
static int check_new_passphrase(struct hearth_cli *cli, const char *p, size_t len)
{
	if (len == 0)
		return cli_error(cli, "%s", _("the passphrase is empty; nothing was changed"));
	if (utf8_chars(p, len) < MIN_PASS_CHARS)
		return cli_error(cli,
				 _("the passphrase is too short: use at least %d characters, best a few unrelated words"),
				 MIN_PASS_CHARS);
	return 0;
}

/* KDF parameters for a new wrapping.  The test switch wins over
 * --low-memory so test runs stay fast. */
static hearth_kdf_params new_kdf(int low_memory)
{
	hearth_kdf_params p = cli_kdf_params();
	const char *weak = getenv("HEARTH_TEST_WEAK_KDF");

	if (low_memory && !(weak != NULL && strcmp(weak, "1") == 0)) {
		p.memlimit = LOW_MEMORY_MEMLIMIT;
		p.opslimit = LOW_MEMORY_OPSLIMIT;
	}
	return p;
}

/* The options of a new wrapping: the KDF parameters (stored in *kdf,
 * which must outlive *vo). */
static void new_options(hearth_vault_options *vo, hearth_kdf_params *kdf,
			int low_memory)
{
	*kdf = new_kdf(low_memory);
	memset(vo, 0, sizeof *vo);
	vo->kdf = kdf;
}

/* Reads the new passphrase of passwd and recover and checks it. */
static int get_new_passphrase(struct hearth_cli *cli, const char *file,
			      char **out, size_t *len)
{
	int rc = cli_passphrase_read(cli, "HEARTH_NEW_PASSPHRASE", file,
				     _("New passphrase: "), 1, out, len);

	if (rc != 0)
		return rc;
	if ((rc = check_new_passphrase(cli, *out, *len)) != 0) {
		cli_passphrase_free(*out);
		*out = NULL;
	}
	return rc;
}

enum { OPT_LOW_MEMORY = 0x100, OPT_NEW_FILE, OPT_CODE };

/* What passwd and recover are given. */
struct rewrap_args {
	const char *code;     /* --code (recover only) */
	const char *new_file; /* --new-passphrase-file */
	int low_memory;
};

/* Parses the options of passwd or recover (opts: the command's table;
 * only recover's has --code) and checks that there is a vault.  Returns
 * 0, an exit code, or -1 after printing help. */
static int parse_rewrap(struct hearth_cli *cli, int argc, char **argv,
			const struct option *opts, const char *help,
			struct rewrap_args *a)
{
	int c, rc;

	memset(a, 0, sizeof *a);
	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_CODE:
			a->code = optarg;
			break;
		case OPT_NEW_FILE:
			a->new_file = optarg;
			break;
		case OPT_LOW_MEMORY:
			a->low_memory = 1;
			break;
		case 'h':
			cli_help(cli, help);
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (!hearth_vault_exists(cli->vault_dir))
		return cli_vault_error(cli, HEARTH_ENOVAULT, cli->vault_dir);
	return 0;
}

/* What passwd and recover print once the passphrase is changed. */
static int rewrap_done(struct hearth_cli *cli, const char *text)
{
	if (cli->json)
		return cli_json_print(cli, json_pack("{s:s, s:b}", "vault",
						     cli->vault_dir, "changed", 1));
	printf("%s\n", text);
	return CLI_EXIT_OK;
}

int cmd_init(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"low-memory", no_argument, NULL, OPT_LOW_MEMORY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char code[HEARTH_RECOVERY_CODE_LEN + 1];
	hearth_vault_options vo;
	hearth_kdf_params kdf;
	hearth_vault *v = NULL;
	hearth_status st;
	char *pass = NULL;
	size_t len = 0;
	int low_memory = 0;
	int c, rc;

	while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
		switch (c) {
		case OPT_LOW_MEMORY:
			low_memory = 1;
			break;
		case 'h':
			return cli_help(cli, _(
				"Usage: hearth init [--low-memory]\n"
				"Create a new, empty vault in the vault directory.\n"
				"\n"
				"The passphrase comes from --passphrase-file or $HEARTH_PASSPHRASE,\n"
				"else it is asked for twice.  It needs at least 8 characters.\n"
				"A recovery code is printed once: write it down and keep it apart\n"
				"from the device.\n"
				"\n"
				"Options:\n"
				"  --low-memory   derive the key with 64 MiB instead of 256 MiB\n"
				"                 (for phones and small machines; easier to guess)\n"
				"  --json         print the result as JSON\n"
				"  -h, --help     show this help and exit\n"));
		default:
			return CLI_EXIT_USAGE;
		}
	}
	if ((rc = cli_operands(cli, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (hearth_vault_exists(cli->vault_dir))
		return cli_error(cli, _("a vault already exists at '%s'"), cli->vault_dir);

	rc = cli_passphrase_read(cli, "HEARTH_PASSPHRASE", cli->passphrase_file,
				 _("New passphrase: "), 1, &pass, &len);
	if (rc != 0)
		return rc;
	if ((rc = check_new_passphrase(cli, pass, len)) != 0)
		goto out;

	new_options(&vo, &kdf, low_memory);
	st = hearth_vault_create(cli->vault_dir, pass, len, &vo, code, &v);
	if (st != HEARTH_OK) {
		if (st == HEARTH_EEXISTS)
			rc = cli_error(cli, _("a vault already exists at '%s'"), cli->vault_dir);
		else
			rc = cli_vault_error(cli, st, cli->vault_dir);
		goto out;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s}", "vault", cli->vault_dir,
				      "recovery_code", code);

		rc = cli_json_print(cli, o);
	} else {
		printf(_("Created a vault in '%s'.\n"), cli->vault_dir);
		printf("\n%s\n\n    %s\n\n", _("Recovery code (shown only this once):"), code);
		printf("%s\n", _(
			"Write it down on paper now and keep it apart from this device.\n"
			"If you forget the passphrase, 'hearth recover' sets a new one with\n"
			"this code; anyone who has both the code and the vault can read it."));
		rc = CLI_EXIT_OK;
	}
out:
	hearth_wipe(code, sizeof code);
	hearth_vault_close(v);
	cli_passphrase_free(pass);
	return rc;
}

int cmd_passwd(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"new-passphrase-file", required_argument, NULL, OPT_NEW_FILE},
		{"low-memory", no_argument, NULL, OPT_LOW_MEMORY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rewrap_args a;
	hearth_vault_options vo;
	hearth_kdf_params kdf;
	hearth_status st;
	char *old = NULL, *new = NULL;
	size_t old_len = 0, new_len = 0;
	int rc;

	rc = parse_rewrap(cli, argc, argv, opts, _(
		"Usage: hearth passwd [--new-passphrase-file F] [--low-memory]\n"
		"Change the vault's passphrase.  The data is not re-encrypted and the\n"
		"recovery code stays valid.\n"
		"\n"
		"The current passphrase comes from --passphrase-file or\n"
		"$HEARTH_PASSPHRASE, else a prompt; the new one from\n"
		"--new-passphrase-file or $HEARTH_NEW_PASSPHRASE, else it is asked\n"
		"for twice.  It needs at least 8 characters.\n"
		"\n"
		"Options:\n"
		"  --new-passphrase-file F   read the new passphrase from the first\n"
		"                            line of F\n"
		"  --low-memory              derive the key with 64 MiB instead of\n"
		"                            256 MiB (for phones)\n"
		"  -h, --help                show this help and exit\n"), &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;

	if ((rc = cli_passphrase_get(cli, _("Current passphrase: "), &old, &old_len)) != 0)
		goto out;
	if ((rc = get_new_passphrase(cli, a.new_file, &new, &new_len)) != 0)
		goto out;
	new_options(&vo, &kdf, a.low_memory);
	st = hearth_vault_change_passphrase(cli->vault_dir, old, old_len, new,
					    new_len, &vo);
	if (st != HEARTH_OK) {
		rc = cli_vault_error(cli, st, cli->vault_dir);
		goto out;
	}
	rc = rewrap_done(cli, _("Passphrase changed."));
out:
	cli_passphrase_free(old);
	cli_passphrase_free(new);
	return rc;
}

int cmd_recover(struct hearth_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"code", required_argument, NULL, OPT_CODE},
		{"new-passphrase-file", required_argument, NULL, OPT_NEW_FILE},
		{"low-memory", no_argument, NULL, OPT_LOW_MEMORY},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char new_code[HEARTH_RECOVERY_CODE_LEN + 1];
	struct rewrap_args a;
	hearth_vault_options vo;
	hearth_kdf_params kdf;
	hearth_status st;
	char *code = NULL, *new = NULL;
	size_t code_len = 0, new_len = 0;
	int rc;

	rc = parse_rewrap(cli, argc, argv, opts, _(
		"Usage: hearth recover [--code CODE] [--new-passphrase-file F]\n"
		"                      [--low-memory]\n"
		"Set a new passphrase with the recovery code printed by 'hearth init'.\n"
		"The code used stops working: a new one is printed once.\n"
		"\n"
		"The code comes from --code, else a prompt (case, spaces and dashes\n"
		"do not matter); the new passphrase from --new-passphrase-file or\n"
		"$HEARTH_NEW_PASSPHRASE, else it is asked for twice.\n"
		"\n"
		"Options:\n"
		"  --code CODE               the recovery code\n"
		"  --new-passphrase-file F   read the new passphrase from the first\n"
		"                            line of F\n"
		"  --low-memory              derive the key with 64 MiB instead of\n"
		"                            256 MiB (for phones)\n"
		"  -h, --help                show this help and exit\n"), &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;

	if (a.code != NULL) {
		code_len = strlen(a.code);
		code = hearth_secret_alloc(code_len + 1);
		if (code == NULL) {
			rc = cli_error(cli, "%s", _("out of memory"));
			goto out;
		}
		memcpy(code, a.code, code_len + 1);
	} else if ((rc = cli_prompt_secret(cli, _("Recovery code: "), &code, &code_len)) != 0) {
		goto out;
	}
	if ((rc = get_new_passphrase(cli, a.new_file, &new, &new_len)) != 0)
		goto out;
	new_options(&vo, &kdf, a.low_memory);
	st = hearth_vault_recover(cli->vault_dir, code, new, new_len, &vo, new_code);
	if (st == HEARTH_EPASSPHRASE) {
		/* Either the code is wrong, or it is malformed and the
		 * detail says how. */
		if (strcmp(hearth_errdetail(), "wrong recovery code") == 0)
			rc = cli_error(cli, "%s", _("wrong recovery code"));
		else
			rc = cli_error_status(cli, st);
		goto out;
	}
	if (st != HEARTH_OK) {
		rc = cli_vault_error(cli, st, cli->vault_dir);
		goto out;
	}
	/* As at init: the new code is shown once, and never stored in
	 * clear. */
	if (cli->json) {
		rc = cli_json_print(cli, json_pack("{s:s, s:b, s:s}", "vault",
						   cli->vault_dir, "changed", 1,
						   "recovery_code", new_code));
	} else {
		printf("%s\n", _("New passphrase set.  The recovery code you used no longer works."));
		printf("\n%s\n\n    %s\n\n", _("New recovery code (shown only this once):"),
		       new_code);
		printf("%s\n", _(
			"Write it down on paper now and keep it apart from this device.\n"
			"If you forget the passphrase, 'hearth recover' sets a new one with\n"
			"this code; anyone who has both the code and the vault can read it."));
		rc = CLI_EXIT_OK;
	}
out:
	hearth_wipe(new_code, sizeof new_code);
	hearth_secret_free(code);
	cli_passphrase_free(new);
	return rc;
}
