/*
 * cli/cli.h - what every `hearth` command group shares.
 *
 * A command group lives in cli/cmd_NAME.c and exports one function
 *
 *     int cmd_NAME(struct hearth_cli *cli, int argc, char **argv);
 *
 * argv[0] is the group name ("person"), argv[1] the subcommand ("add") or
 * NULL.  The function returns the process exit code:
 *
 *     CLI_EXIT_OK (0)     success
 *     CLI_EXIT_FAIL (1)   the operation failed (wrong passphrase, damaged
 *                         vault, unknown id, ...); nothing was changed
 *     CLI_EXIT_USAGE (2)  bad usage (unknown option, missing argument,
 *                         malformed value); nothing was opened or changed
 *
 * Messages for the user go to stderr as "hearth: <detail>" through the
 * helpers below; normal output goes to stdout, as one JSON document when
 * cli->json is set (see cli_json_print).
 *
 * A group with subcommands lists them in a table for cli_dispatch, which
 * handles --help, a missing or unknown subcommand, and calls the one named
 * as appt_list(cli, argc - 1, argv + 1), so its argv[0] is "list".  A
 * sketch of a subcommand:
 *
 *     static int appt_list(struct hearth_cli *cli, int argc, char **argv)
 *     {
 *         static const struct option opts[] = {
 *             {"help", no_argument, NULL, 'h'},
 *             {NULL, 0, NULL, 0},
 *         };
 *         hearth_vault *v;
 *         int c, rc;
 *
 *         cli_set_command(cli, "appt list");
 *         while ((c = cli_getopt(cli, argc, argv, "h", opts)) != -1) {
 *             if (c == 'h')
 *                 return cli_help(cli, _("Usage: hearth appt list\n..."));
 *             return CLI_EXIT_USAGE;     // '?': cli_getopt printed why
 *         }
 *         if ((rc = cli_open_vault(cli, &v)) != 0)
 *             return rc;
 *         ... hearth_vault_store(v) ...
 *     }
 *
 * main.c closes the vault after the group returns: groups never call
 * hearth_vault_close on the handle cli_open_vault gave them.
 */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include <getopt.h>
#include <libintl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "hearth/hearth.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Translations: textdomain "hearth".  Mark strings with _() where they are
 * printed, with N_() in static tables (then print them through _()). */
#define _(s) gettext(s)
#define N_(s) (s)

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Where the passphrase comes from, in the order tried. */
enum cli_pass_source {
	CLI_PASS_PROMPT = 0, /* no-echo prompt on /dev/tty */
	CLI_PASS_ENV,        /* $HEARTH_PASSPHRASE */
	CLI_PASS_FILE        /* --passphrase-file F: its first line */
};

/* The state of one `hearth` run.  main.c fills it before calling a group;
 * groups read the fields and leave them alone except through the helpers. */
struct hearth_cli {
	const char *prog;            /* program name for messages: "hearth" */
	const char *vault_dir;       /* --vault, $HEARTH_VAULT, $XDG_DATA_HOME/
				      * hearth or ~/.local/share/hearth */
	int json;                    /* --json given (globally or after the
				      * command: cli_getopt accepts it too) */
	const char *passphrase_file; /* --passphrase-file, or NULL */
	enum cli_pass_source pass_source; /* which of the three applies */
	const char *command;         /* what "try 'hearth X --help'" names:
				      * the group, or "group sub" once
				      * cli_set_command was called */
	hearth_vault *vault;         /* opened lazily by cli_open_vault; main.c
				      * closes it */
	char lang[8];                /* "zh_CN" or "en"; use cli_lang() */
	/* Private to cli.c. */
	char command_buf[64];
	char **getopt_argv;
	char *vault_dir_owned;
};

/* ---- the vault ----------------------------------------------------------- */

/* Opens the vault in cli->vault_dir (once; later calls return the same
 * handle): gets the passphrase (cli_passphrase_get), opens, wipes the
 * passphrase.  Returns CLI_EXIT_OK with *out set (borrowed: main.c closes
 * it), or prints "hearth: <detail>" ("wrong passphrase", "no vault at
 * 'DIR': run 'hearth init'", "vault damaged: page N failed
 * authentication", "vault at 'DIR' was made by a newer version of
 * hearth") and returns the exit code (1, or 2 for an unreadable
 * --passphrase-file). */
int cli_open_vault(struct hearth_cli *cli, hearth_vault **out);

/* Prints the message for a vault operation on dir that failed with st
 * (the mapping cli_open_vault uses; for init, passwd, recover and any
 * other call naming a vault directory) and returns CLI_EXIT_FAIL. */
int cli_vault_error(struct hearth_cli *cli, hearth_status st, const char *dir);

/* cli_open_vault, then the vault's record store (borrowed). */
int cli_open_store(struct hearth_cli *cli, hearth_store **out);

/* The KDF parameters new wrappings (init, passwd, recover) use: the
 * default, or hearth_kdf_params_low() when HEARTH_TEST_WEAK_KDF=1 is set in
 * the environment.  That variable exists only so the test suite runs fast;
 * it makes a vault's passphrase cheap to guess and is not for real use. */
hearth_kdf_params cli_kdf_params(void);

/* ---- passphrases (passphrase.c) ----------------------------------------- */

/* Gets a passphrase from the source cli->pass_source names ($HEARTH_
 * PASSPHRASE, the first line of cli->passphrase_file, or a no-echo prompt
 * on /dev/tty showing `prompt`).  *out is hearth_secret_alloc'd memory,
 * NUL-terminated, owned by the caller: cli_passphrase_free().  Returns an
 * exit code after printing the reason: 2 for an unreadable passphrase file
 * (the path is named), 1 when no terminal is there to ask or the prompt is
 * interrupted. */
int cli_passphrase_get(struct hearth_cli *cli, const char *prompt,
		       char **out, size_t *len);

/* Reads a passphrase the same way from explicit sources: the first line
 * of file (may be NULL), else the environment variable env_name (may be
 * NULL), else the prompt; with confirm set, a prompt asks twice and
 * refuses a mismatch (exit 1). */
int cli_passphrase_read(struct hearth_cli *cli, const char *env_name,
			const char *file, const char *prompt, int confirm,
			char **out, size_t *len);

/* Reads a line without echo from /dev/tty (echo is restored on every path,
 * SIGINT included).  Used for recovery codes too.  Same ownership and
 * return as cli_passphrase_get. */
int cli_prompt_secret(struct hearth_cli *cli, const char *prompt,
		      char **out, size_t *len);

/* Wipes and frees a passphrase.  Accepts NULL. */
void cli_passphrase_free(char *p);

/* ---- messages and exit codes (cli.c) ------------------------------------ */

/* Names what the usage hint points at, e.g. "person add". */
void cli_set_command(struct hearth_cli *cli, const char *command);

/* Prints "hearth: <message>" and "Try 'hearth <command> --help'." to
 * stderr; returns CLI_EXIT_USAGE (2).  The message is translated by the
 * caller (pass _("...")). */
int cli_usage(struct hearth_cli *cli, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "hearth: <message>" to stderr; returns CLI_EXIT_FAIL (1). */
int cli_error(struct hearth_cli *cli, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "hearth: <hearth_errdetail_local()>" (the core's detail of the
 * failure in the user's language) to stderr; returns CLI_EXIT_FAIL (1).
 * st is the failed call's status (HEARTH_OK prints nothing and returns 0). */
int cli_error_status(struct hearth_cli *cli, hearth_status st);

/* Prints help text (already translated) to stdout; returns CLI_EXIT_OK. */
int cli_help(struct hearth_cli *cli, const char *text);

/* getopt_long for a subcommand, with three additions:
 *   - it resets getopt when argv differs from the previous call's, so each
 *     subcommand simply loops over its own argv (argv[0] is skipped, as
 *     getopt does: pass the subcommand's argv, e.g. argv + 1);
 *   - --json and --lang zh_CN|en are accepted after any command and handled
 *     here (they never reach the caller);
 *   - errors are quiet in getopt and reported by cli_usage: on an unknown
 *     option or a missing argument it prints the message and returns '?',
 *     and the caller returns CLI_EXIT_USAGE.
 * Options and operands may be mixed (GNU permutation); "--" ends options.
 * Returns the option's value, or -1 after the last option (operands are
 * then argv[optind..argc-1]). */
int cli_getopt(struct hearth_cli *cli, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);

/* Makes the next cli_getopt call start afresh even with the same argv
 * (only needed to parse one argv twice). */
void cli_getopt_reset(struct hearth_cli *cli);

/* Returns CLI_EXIT_USAGE with a message if argv[optind..] does not hold
 * between min and max operands (max < 0: no limit); what names them for the
 * message, e.g. "ID".  Returns 0 when the count is right. */
int cli_operands(struct hearth_cli *cli, int argc, char **argv, int min,
		 int max, const char *what);

/* ---- groups of subcommands (cli.c) --------------------------------------- */

typedef int (*cli_group_fn)(struct hearth_cli *cli, int argc, char **argv);

/* One subcommand: fn gets the subcommand's own argv (argv[0] is its name,
 * as in the sketch above). */
struct cli_subcommand {
	const char *name;
	const char *summary; /* N_() marked: its line in the group's --help;
			      * NULL: not listed (the head lists it) */
	cli_group_fn fn;
};

/* A group such as `hearth appt`, for cli_dispatch. */
struct cli_group {
	const char *name;  /* "appt" */
	const char *head;  /* N_() marked: the start of --help, up to and
			    * including "Subcommands:\n" */
	const char *tail;  /* N_() marked: what --help prints after the list,
			    * or NULL */
	size_t width;      /* columns the names are padded to in the list;
			    * 0: the longest name's, plus 2 */
	const struct cli_subcommand *subs;
	size_t nsubs;
};

/* The number of elements of a static array. */
#define CLI_COUNT(a) (sizeof (a) / sizeof (a)[0])

/* Runs "hearth GROUP SUB ...": argv[0] is the group, argv[1] the
 * subcommand.  "--help" or "-h" prints the head, a line per listed
 * subcommand ("  NAME  summary", the name padded to width) and the tail,
 * and returns 0; no subcommand or an unknown one is bad usage (2);
 * otherwise returns what the subcommand's fn returns, called with
 * argc - 1, argv + 1. */
int cli_dispatch(struct hearth_cli *cli, const struct cli_group *g, int argc,
		 char **argv);

/* ---- values given and shown (cli.c) -------------------------------------- */

/* Today's date: $HEARTH_TODAY when set (so scripts and tests are
 * reproducible), else the local date.  Returns 0, or CLI_EXIT_USAGE after
 * a message for a malformed $HEARTH_TODAY. */
int cli_today(struct hearth_cli *cli, char out[HEARTH_DATE_LEN + 1]);

/* Returns 0 if value is a valid date (YYYY-MM-DD), else CLI_EXIT_USAGE
 * after a message naming it. */
int cli_check_date(struct hearth_cli *cli, const char *value);

/* A whole number written in decimal digits only, in [min, max] (min >= 0);
 * -1 for anything else. */
long cli_parse_count(const char *s, long min, long max);

/* A value the core stores ("noshow", "high") and how users read it. */
struct cli_word {
	const char *value;
	const char *text; /* N_() marked */
};

/* The translated text of value in table[0..n), or value itself when the
 * table does not have it (a value written by a newer version, say). */
const char *cli_word(const struct cli_word *table, size_t n, const char *value);

/* A risk level (low, moderate, high) as users read it. */
const char *cli_risk_text(const char *risk);

/* The words of the core's vocabulary as users read them (a value the
 * table lacks is returned as is), each kept by the group that uses it
 * most and shared with `person show`'s timeline. */
const char *cli_appt_status_text(const char *status); /* cmd_appt.c */
const char *cli_appt_mode_text(const char *mode);     /* cmd_appt.c */
const char *cli_note_format_text(const char *format); /* cmd_note.c */
const char *cli_activity_type_text(const char *type); /* cmd_activity.c */
const char *cli_followup_status_text(const char *status); /* cmd_followup.c */

/* ---- ids (cli.c) -------------------------------------------------------- */

/* Resolves an id or unique prefix (at least 6 hex digits) among live
 * records of kind (NULL: any).  Returns 0 with *out set, or prints and
 * returns: 2 for a malformed id (too short, not hex), 1 for an unknown or
 * ambiguous one. */
int cli_resolve(struct hearth_cli *cli, const char *kind, const char *prefix,
		hearth_id *out);

/* cli_resolve, but a full id (32 hex digits) is taken as it is, without
 * looking it up, so a record no prefix finds (deleted, erased) reaches the
 * core, which says what became of it. */
int cli_resolve_full(struct hearth_cli *cli, const char *kind, const char *text,
		     hearth_id *out);

/* The full id, 32 lowercase hex digits; returns buf. */
const char *cli_id_hex(const hearth_id *id, char buf[HEARTH_ID_HEX + 1]);

/* The short form shown in tables: the first 8 hex digits; returns buf. */
const char *cli_id_short(const hearth_id *id, char buf[9]);

/* ---- output (output.c) -------------------------------------------------- */

/* Prints doc as the command's one JSON document on stdout (UTF-8 as is,
 * not \u-escaped, indented, newline-terminated) and releases doc (it steals
 * the reference; NULL is reported as out of memory).  Returns an exit code:
 * 0, or 1 if doc is NULL or writing fails. */
int cli_json_print(struct hearth_cli *cli, json_t *doc);

/* A record as JSON: {"id", "kind", "space", "deleted", "fields": {name:
 * value}}.  New reference, or NULL on allocation failure. */
json_t *cli_json_record(const hearth_record *r);

/* Columns a UTF-8 string takes on a terminal: wcwidth() per character when
 * the locale is UTF-8, else CJK and full-width characters count 2, others
 * 1; control characters 0.  Malformed UTF-8 counts 1 per byte. */
size_t cli_display_width(const char *s);

/* Writes s and then spaces up to width display columns. */
void cli_print_padded(FILE *f, const char *s, size_t width);

/* A plain-text table, columns padded to their widest cell by display
 * width, two spaces between columns, no trailing spaces. */
struct cli_table;

/* A table of ncols columns; the header (ncols strings, copied) may be NULL
 * for none.  Returns NULL when out of memory. */
struct cli_table *cli_table_new(size_t ncols, const char *const *header);
/* Appends a row of ncols strings (copied; NULL prints as ""). Returns 0, or
 * -1 when out of memory. */
int cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(const struct cli_table *t, FILE *f);
/* Accepts NULL. */
void cli_table_free(struct cli_table *t);

/* Prints "label  value" lines aligned on the widest label: a two-column
 * table without header, for `show` commands.  Rows with a NULL or empty
 * value are skipped. */
struct cli_table *cli_kv_new(void);
int cli_kv_add(struct cli_table *t, const char *label, const char *value);

/* Checks a text value given to option (e.g. "--name") before it is
 * stored, by the core's rule (hearth_text_check: valid UTF-8, at most
 * HEARTH_TEXT_MAX bytes, no control characters but tab and newline).
 * Returns 0, or CLI_EXIT_USAGE after a message. */
int cli_check_text(struct hearth_cli *cli, const char *option, const char *value);

/* The end of a listing that filled arr (--json) or t through a callback
 * (failed: the callback ran out of memory): prints {key: arr} or the
 * table, or the error st; frees both.  Returns the exit code. */
int cli_list_finish(struct hearth_cli *cli, hearth_status st, int failed,
		    json_t *arr, struct cli_table *t, const char *key);

/* Writes len bytes to path whole or not at all: a temporary file beside
 * it, synced, then renamed over it.  An error message names the path. */
int cli_write_file(struct hearth_cli *cli, const char *path, const uint8_t *data,
		   size_t len);

/* Reads all of path, at most max bytes (more is refused with a message),
 * into *data (malloc'd; the caller frees it). */
int cli_read_file(struct hearth_cli *cli, const char *path, size_t max,
		  uint8_t **data, size_t *len);

/* Formats milliseconds since the epoch as local "YYYY-MM-DD HH:MM" into
 * buf; returns buf. */
const char *cli_format_ms(uint64_t ms, char buf[32]);

/* Prints a fingerprint (hearth_fingerprint's text) to stdout as three
 * lines of four groups, each indented by two spaces: easy to read aloud. */
void cli_fingerprint_print(const char *fp);

/* ---- language (i18n.c) -------------------------------------------------- */

/* Sets up the locale and gettext (textdomain "hearth") from the
 * environment; main.c calls it first.  Picks zh_CN when LANGUAGE, LC_ALL,
 * LC_MESSAGES or LANG starts with "zh", else English, and makes the choice
 * work even when the system lacks that locale (falls back to C.UTF-8 with
 * LANGUAGE set).  The catalogue is looked for in $HEARTH_LOCALEDIR, then in
 * the build tree (uninstalled runs), then in the installed locale dir. */
void cli_i18n_init(struct hearth_cli *cli);

/* "zh_CN" or "en". */
const char *cli_lang(const struct hearth_cli *cli);

/* Switches messages to lang ("zh_CN", "zh", "en", "C") for the rest of the
 * run.  Returns 0, or CLI_EXIT_USAGE after a message for another value. */
int cli_set_lang(struct hearth_cli *cli, const char *lang);

/* ---- command groups ----------------------------------------------------- */

/* One per noun of main.c's table; each in its cmd_NOUN.c. */
int cmd_init(struct hearth_cli *cli, int argc, char **argv);    /* cmd_vault.c */
int cmd_passwd(struct hearth_cli *cli, int argc, char **argv);  /* cmd_vault.c */
int cmd_recover(struct hearth_cli *cli, int argc, char **argv); /* cmd_vault.c */
int cmd_vault(struct hearth_cli *cli, int argc, char **argv);   /* cmd_vault.c */
/* Prints once what opening v had to tell (cmd_vault.c). */
void cli_vault_notice(struct hearth_cli *cli, hearth_vault *v);
int cmd_person(struct hearth_cli *cli, int argc, char **argv);
int cmd_screen(struct hearth_cli *cli, int argc, char **argv);
int cmd_instruments(struct hearth_cli *cli, int argc, char **argv);
int cmd_appt(struct hearth_cli *cli, int argc, char **argv);
int cmd_note(struct hearth_cli *cli, int argc, char **argv);
int cmd_followup(struct hearth_cli *cli, int argc, char **argv);
int cmd_activity(struct hearth_cli *cli, int argc, char **argv);
int cmd_report(struct hearth_cli *cli, int argc, char **argv);
int cmd_journal(struct hearth_cli *cli, int argc, char **argv);
int cmd_audit(struct hearth_cli *cli, int argc, char **argv);
int cmd_config(struct hearth_cli *cli, int argc, char **argv);
int cmd_sync(struct hearth_cli *cli, int argc, char **argv);    /* cmd_sync.c */
int cmd_device(struct hearth_cli *cli, int argc, char **argv);
int cmd_space(struct hearth_cli *cli, int argc, char **argv);
int cmd_share(struct hearth_cli *cli, int argc, char **argv);
/* The shares of this journal (mine) or those received, as a table or in
 * --json (cmd_journal.c). */
int cli_shares_print(struct hearth_cli *cli, hearth_store *s, int mine);

/* ---- safety reminders shared by groups ---------------------------------- */

/* Prints one "!!! Action taken not yet recorded ... hearth screen action
 * ID --action TEXT" line to f for each safety screening whose action is
 * still to record (of person, or everyone's when NULL): for the top of
 * the lists a counsellor works from.  Returns 0, or 1 after a message.
 * (cmd_screen.c) */
int cli_pending_actions_print(struct hearth_cli *cli, hearth_store *s,
			      const hearth_id *person, FILE *f);

/* `person show`'s first part: with json NULL, cli_pending_actions_print
 * for person on stdout; else adds "pending_actions" (an array) and
 * "action_pending" (a boolean) to json.  Returns 0, or 1 after a message.
 * (cmd_screen.c) */
int cli_pending_actions_show(struct hearth_cli *cli, hearth_store *s,
			     const hearth_id *person, json_t *json);

/* Warns on stderr about each help line never verified or verified more
 * than HEARTH_HELPLINE_STALE_DAYS before today, naming it and the command
 * that records the day.  (cmd_config.c) */
void cli_helplines_warn(struct hearth_cli *cli, const hearth_helpline *lines,
			size_t n, const char *today);

/* `hearth space move PERSON SPACE`, a subcommand of the space group (its
 * argv[0] is "move").  (cmd_move.c) */
int cli_space_move(struct hearth_cli *cli, int argc, char **argv);

#endif /* HEARTH_CLI_H */
