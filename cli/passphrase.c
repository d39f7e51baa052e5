/*
 * cli/passphrase.c - getting a passphrase from the environment, a file or a
 * no-echo prompt on the terminal.
 *
 * Passphrases are copied straight into hearth_secret_alloc'd memory (locked,
 * wiped on free); no stdio buffer of ours ever holds one.  The prompt reads
 * /dev/tty, not stdin, so it works when stdin is a pipe, and restores the
 * terminal's echo on every way out: normal return, error, and the signals
 * a user can send from the keyboard (Ctrl-C, Ctrl-\, Ctrl-Z) or a hang-up.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Longest passphrase accepted, in bytes.  Argon2id takes any length; the
 * limit only keeps a runaway file or paste from filling locked memory. */
#define PASS_MAX 1024u

void cli_passphrase_free(char *p)
{
	hearth_secret_free(p);
}

/* A fresh secret buffer for up to PASS_MAX bytes plus the NUL. */
static char *pass_alloc(void)
{
	char *p = hearth_secret_alloc(PASS_MAX + 1);

	if (p != NULL)
		memset(p, 0, PASS_MAX + 1);
	return p;
}

static int pass_from_env(struct hearth_cli *cli, const char *name, char **out,
			 size_t *len)
{
	const char *v = getenv(name);
	size_t n = strlen(v);
	char *p;

	if (n > PASS_MAX)
		return cli_error(cli, _("passphrase in $%s is too long (more than %u bytes)"),
				 name, PASS_MAX);
	if ((p = pass_alloc()) == NULL)
		return cli_error(cli, "%s", _("out of memory"));
	memcpy(p, v, n);
	*out = p;
	*len = n;
	return CLI_EXIT_OK;
}

static int pass_from_file(struct hearth_cli *cli, const char *path, char **out,
			  size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	char ch;
	ssize_t r;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Exit 2: the command line named something unusable. */
		fprintf(stderr, "%s: ", cli->prog);
		fprintf(stderr, _("cannot read passphrase file '%s': %s"), path,
			strerror(errno));
		fputc('\n', stderr);
		return CLI_EXIT_USAGE;
	}
	if ((p = pass_alloc()) == NULL) {
		rc = cli_error(cli, "%s", _("out of memory"));
		goto out;
	}
	/* Byte by byte so nothing but p ever holds the passphrase. */
	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: ", cli->prog);
			fprintf(stderr, _("cannot read passphrase file '%s': %s"), path,
				strerror(errno));
			fputc('\n', stderr);
			rc = CLI_EXIT_USAGE;
			goto out;
		}
		if (r == 0 || ch == '\n')
			break;
		if (n == PASS_MAX) {
			rc = cli_error(cli, _("passphrase in '%s' is too long (more than %u bytes)"),
				       path, PASS_MAX);
			goto out;
		}
		p[n++] = ch;
	}
	ch = 0;
	/* A file written on Windows ends its line with CR LF. */
	if (n > 0 && p[n - 1] == '\r')
		p[--n] = '\0';
	*out = p;
	*len = n;
	p = NULL;
	rc = CLI_EXIT_OK;
out:
	hearth_secret_free(p);
	close(fd);
	return rc;
}

/* ---- the terminal ---------------------------------------------------- */

/* State the signal handler needs to put the terminal back. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;
static struct termios tty_noecho;

static const int tty_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP};
#define N_TTY_SIGNALS (sizeof tty_signals / sizeof tty_signals[0])
static struct sigaction tty_old_actions[N_TTY_SIGNALS];

static void tty_on_signal(int sig);

static void tty_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &sa, &tty_old_actions[i]);
}

static void tty_uninstall(void)
{
	size_t i;

	for (i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &tty_old_actions[i], NULL);
}

/* Only async-signal-safe calls here: tcsetattr, write, sigaction, raise. */
static void tty_on_signal(int sig)
{
	int saved_errno = errno;
	int fd = tty_fd;
	struct sigaction dfl;

	if (fd >= 0) {
		tcsetattr(fd, TCSAFLUSH, &tty_saved);
		(void)!write(fd, "\n", 1);
	}
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig); /* blocked until we return, since it is being handled */
	if (sig == SIGTSTP) {
		/* Stopped with echo on; on resumption turn it off again
		 * and listen for the next Ctrl-Z. */
		struct sigaction sa;

		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGTSTP);
		sigprocmask(SIG_UNBLOCK, &set, NULL); /* stop happens here */
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = tty_on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTSTP, &sa, NULL);
		if (fd >= 0)
			tcsetattr(fd, TCSAFLUSH, &tty_noecho);
	}
	errno = saved_errno;
}

int cli_prompt_secret(struct hearth_cli *cli, const char *prompt, char **out,
		      size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	int too_long = 0, got_eol = 0;
	int fd, rc;
	ssize_t r;
	char ch;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cli_error(cli, "%s",
				 _("no terminal to ask for the passphrase on: set HEARTH_PASSPHRASE or use --passphrase-file"));
	if ((p = pass_alloc()) == NULL) {
		close(fd);
		return cli_error(cli, "%s", _("out of memory"));
	}
	if (tcgetattr(fd, &tty_saved) != 0) {
		rc = cli_error(cli, "%s",
			       _("no terminal to ask for the passphrase on: set HEARTH_PASSPHRASE or use --passphrase-file"));
		goto out_close;
	}
	tty_noecho = tty_saved;
	tty_noecho.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK | ECHONL);
	tty_noecho.c_lflag |= ICANON;
	tty_install();
	tty_fd = fd;
	/* Echo goes off before the prompt appears, so nothing typed in
	 * answer to it is ever shown or discarded. */
	tcsetattr(fd, TCSAFLUSH, &tty_noecho);
	(void)!write(fd, prompt, strlen(prompt));

	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (ch == '\n') {
			got_eol = 1;
			break;
		}
		if (n == PASS_MAX)
			too_long = 1; /* read on to the end of the line */
		else
			p[n++] = ch;
	}
	ch = 0;
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	tty_uninstall();
	(void)!write(fd, "\n", 1);

	if (too_long) {
		rc = cli_error(cli, _("passphrase is too long (more than %u bytes)"), PASS_MAX);
		goto out_close;
	}
	if (!got_eol && n == 0) {
		rc = cli_error(cli, "%s", _("no passphrase given"));
		goto out_close;
	}
	if (n > 0 && p[n - 1] == '\r')
		p[--n] = '\0';
	*out = p;
	*len = n;
	p = NULL;
	rc = CLI_EXIT_OK;
out_close:
	hearth_secret_free(p);
	close(fd);
	return rc;
}

int cli_passphrase_read(struct hearth_cli *cli, const char *env_name,
			const char *file, const char *prompt, int confirm,
			char **out, size_t *len)
{
	char *again = NULL;
	size_t again_len = 0;
	int rc;

	if (file != NULL)
		return pass_from_file(cli, file, out, len);
	if (env_name != NULL && getenv(env_name) != NULL)
		return pass_from_env(cli, env_name, out, len);
	rc = cli_prompt_secret(cli, prompt, out, len);
	if (rc != 0 || !confirm)
		return rc;
	rc = cli_prompt_secret(cli, _("Repeat the passphrase: "), &again, &again_len);
	if (rc != 0)
		goto fail;
	if (again_len != *len || hearth_memcmp_ct(again, *out, *len) != 0) {
		rc = cli_error(cli, "%s", _("the two passphrases differ; nothing was changed"));
		goto fail;
	}
	cli_passphrase_free(again);
	return CLI_EXIT_OK;
fail:
	cli_passphrase_free(again);
	cli_passphrase_free(*out);
	*out = NULL;
	*len = 0;
	return rc;
}

int cli_passphrase_get(struct hearth_cli *cli, const char *prompt, char **out,
		       size_t *len)
{
	return cli_passphrase_read(cli, "HEARTH_PASSPHRASE", cli->passphrase_file,
				   prompt, 0, out, len);
}
