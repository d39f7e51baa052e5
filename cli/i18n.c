/*
 * cli/i18n.c - locale and message catalogue set-up.
 *
 * Hearth ships one translation, zh_CN, besides the English msgids.  Two
 * facts shape this file:
 *
 *   - A fresh Debian system has only the C, C.UTF-8 and POSIX locales, so
 *     LANG=zh_CN.UTF-8 makes setlocale(LC_ALL, "") fail and gettext would
 *     silently stay English.  We then fall back to C.UTF-8 and put the
 *     language into LANGUAGE, which gettext honours in any locale but
 *     plain "C"/"POSIX".
 *   - gettext converts translations to the locale's character set; in a
 *     non-UTF-8 locale Chinese would turn into question marks, so the
 *     catalogue is bound to UTF-8 output whatever the locale says.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef HEARTH_LOCALEDIR
#define HEARTH_LOCALEDIR "/usr/local/share/locale"
#endif

static const char *env_set(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Makes sure LC_MESSAGES is not the plain C locale, in which gettext
 * ignores LANGUAGE. */
static void messages_not_c(void)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);

	if (cur == NULL || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
}

/* Tells gettext to look again: glibc caches translations and drops the
 * cache when setlocale succeeds for LC_MESSAGES. */
static void messages_reload(void)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);
	char name[128];

	snprintf(name, sizeof name, "%s", cur != NULL ? cur : "C.UTF-8");
	if (setlocale(LC_MESSAGES, name) == NULL)
		setlocale(LC_MESSAGES, "C.UTF-8");
}

static void apply_lang(struct hearth_cli *cli, int zh)
{
	snprintf(cli->lang, sizeof cli->lang, "%s", zh ? "zh_CN" : "en");
	setenv("LANGUAGE", zh ? "zh_CN" : "en", 1);
	if (zh)
		messages_not_c();
	messages_reload();
}

void cli_i18n_init(struct hearth_cli *cli)
{
	const char *want, *dir;
	struct stat sb;

	/* The language asked for: the first of these that is set, in the
	 * order gettext reads them. */
	want = env_set("LANGUAGE");
	if (want == NULL)
		want = env_set("LC_ALL");
	if (want == NULL)
		want = env_set("LC_MESSAGES");
	if (want == NULL)
		want = env_set("LANG");

	if (setlocale(LC_ALL, "") == NULL) {
		/* A locale named in the environment is not installed. */
		if (setlocale(LC_ALL, "C.UTF-8") == NULL)
			setlocale(LC_ALL, "C");
	}

	dir = env_set("HEARTH_LOCALEDIR");
#ifdef HEARTH_BUILD_LOCALEDIR
	/* Running uninstalled from the build tree: use its fresh catalogue. */
	if (dir == NULL && stat(HEARTH_BUILD_LOCALEDIR, &sb) == 0 && S_ISDIR(sb.st_mode))
		dir = HEARTH_BUILD_LOCALEDIR;
#else
	(void)sb;
#endif
	if (dir == NULL)
		dir = HEARTH_LOCALEDIR;
	bindtextdomain("hearth", dir);
	bind_textdomain_codeset("hearth", "UTF-8");
	textdomain("hearth");

	apply_lang(cli, want != NULL && strncmp(want, "zh", 2) == 0);
}

const char *cli_lang(const struct hearth_cli *cli)
{
	return cli->lang[0] != '\0' ? cli->lang : "en";
}

int cli_set_lang(struct hearth_cli *cli, const char *lang)
{
	if (strncmp(lang, "zh", 2) == 0 &&
	    (lang[2] == '\0' || strncmp(lang + 2, "_CN", 3) == 0)) {
		apply_lang(cli, 1);
		return 0;
	}
	if (strcmp(lang, "C") == 0 || strcmp(lang, "POSIX") == 0 ||
	    (strncmp(lang, "en", 2) == 0 && (lang[2] == '\0' || lang[2] == '_'))) {
		apply_lang(cli, 0);
		return 0;
	}
	return cli_usage(cli, _("unknown language '%s': use zh_CN or en"), lang);
}
