/*
 * main.c - the hearth-relay command: options, the config file, the LAN
 * mode's announcement, then serve until SIGINT or SIGTERM (docs/RELAY.md).
 *
 * Messages go through gettext (textdomain "hearth", as the CLI's);
 * po/zh_CN.po translates them.
 */
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <libintl.h>
#include <locale.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "hearth/identity.h"
#include "lan.h"
#include "relay.h"
#include "wire.h"

#define _(s) gettext(s)

#ifndef HEARTH_LOCALEDIR
#define HEARTH_LOCALEDIR "/usr/local/share/locale"
#endif

typedef struct options {
	char *listen, *store, *tls_cert, *tls_key, *lan_dir, *register_allow;
	uint64_t quota;
	double rate, burst;
	unsigned threads;
	int lan;
} options;

static void usage(FILE *f)
{
	fputs(_("Usage: hearth-relay --store URI [OPTION]...\n"
		"Keep teams' sealed envelopes and serve them over HTTPS (API v1).\n"
		"\n"
		"  --listen ADDR:PORT   listen there (default 127.0.0.1:8380; with --lan 0.0.0.0:8443)\n"
		"  --store URI          sqlite:PATH or postgresql://...\n"
		"  --tls-cert FILE      serve TLS with this PEM certificate (and --tls-key)\n"
		"  --tls-key FILE       the certificate's PEM private key\n"
		"  --quota BYTES        most envelope bytes per space (default 1 GiB; 0: none)\n"
		"  --rate N             requests per second per device (default 50; 0: none)\n"
		"  --burst N            requests a device may make at once (default 200)\n"
		"  --threads N          worker threads (default 4)\n"
		"  --lan                make a self-signed certificate, serve TLS with it and\n"
		"                       print the address and the certificate's pin (text, QR)\n"
		"  --lan-dir DIR        where --lan keeps its certificate (default: beside the store)\n"
		"  --register-allow FILE  register new spaces only for the identities whose\n"
		"                       fingerprints FILE lists, one a line (default: anyone)\n"
		"  --config FILE        read KEY=VALUE lines (the options' names without --)\n"
		"  --help               show this help\n"), f);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("hearth-relay: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		die("%s", _("out of memory"));
}

static double parse_num(const char *name, const char *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || d < 0 || d > 1e18)
		die(_("--%s: '%s' is not a number of 0 or more"), name, v);
	return d;
}

static void set_opt(options *o, const char *name, const char *v)
{
	uint64_t n;

	if (strcmp(name, "listen") == 0)
		set_str(&o->listen, v);
	else if (strcmp(name, "store") == 0)
		set_str(&o->store, v);
	else if (strcmp(name, "tls-cert") == 0)
		set_str(&o->tls_cert, v);
	else if (strcmp(name, "tls-key") == 0)
		set_str(&o->tls_key, v);
	else if (strcmp(name, "lan-dir") == 0)
		set_str(&o->lan_dir, v);
	else if (strcmp(name, "register-allow") == 0)
		set_str(&o->register_allow, v);
	else if (strcmp(name, "quota") == 0) {
		if (relay_u64_parse(v, &n) != 0)
			die(_("--%s: '%s' is not a number of 0 or more"), name, v);
		o->quota = n;
	} else if (strcmp(name, "rate") == 0)
		o->rate = parse_num(name, v);
	else if (strcmp(name, "burst") == 0)
		o->burst = parse_num(name, v);
	else if (strcmp(name, "threads") == 0) {
		if (relay_u64_parse(v, &n) != 0 || n == 0 || n > 256)
			die(_("--%s: '%s' is not a number from 1 to 256"), name, v);
		o->threads = (unsigned)n;
	} else if (strcmp(name, "lan") == 0) {
		if (strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			o->lan = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
			o->lan = 0;
		else
			die(_("lan: '%s' is neither yes nor no"), v);
	} else {
		die(_("unknown setting '%s'"), name);
	}
}

/* A line of a file the relay reads, without its line break and leading
 * blanks; NULL for a blank line or a comment (# first). */
static char *content_of(char *line)
{
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' || *p == '#' ? NULL : p;
}

/* KEY=VALUE lines; blank lines and lines starting with # are skipped. */
static void read_config(options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned no = 0;

	if (f == NULL)
		die(_("cannot read config file '%s': %s"), path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		char *p, *eq, *end;

		no++;
		if ((p = content_of(line)) == NULL)
			continue;
		if ((eq = strchr(p, '=')) == NULL)
			die(_("%s:%u: expected KEY=VALUE"), path, no);
		*eq = '\0';
		for (end = eq; end > p && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		for (eq++; *eq == ' ' || *eq == '\t'; eq++)
			;
		for (end = eq + strlen(eq); end > eq && (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		set_opt(o, p, eq);
	}
	fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		die(_("cannot read '%s': %s"), path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 1 << 20 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = malloc((size_t)n + 1)) == NULL ||
	    fread(s, 1, (size_t)n, f) != (size_t)n)
		die(_("cannot read '%s': %s"), path, strerror(errno ? errno : EIO));
	s[n] = '\0';
	fclose(f);
	return s;
}

static size_t digits(const char *p)
{
	size_t n = 0;

	for (; *p != '\0'; p++)
		n += *p >= '0' && *p <= '9';
	return n;
}

/* The fingerprints --register-allow lists: one a line (the 12 groups of
 * 5 digits `hearth identity` shows, spaces optional); blank lines and
 * lines starting with # are skipped.  Anything else stops the relay. */
static char **read_allow(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	char line[512], **v = NULL;
	unsigned no = 0;

	*n = 0;
	if (f == NULL)
		die(_("cannot read '%s': %s"), path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		char *p, **w;

		no++;
		if ((p = content_of(line)) == NULL)
			continue;
		if (!hearth_fingerprint_equal(p, p) || digits(p) != 5 * HEARTH_FINGERPRINT_GROUPS)
			die(_("%s:%u: not a fingerprint (12 groups of 5 digits)"), path, no);
		if ((w = realloc(v, (*n + 1) * sizeof *v)) == NULL ||
		    (w[*n] = strdup(p)) == NULL)
			die("%s", _("out of memory"));
		v = w;
		(*n)++;
	}
	fclose(f);
	if (*n == 0)
		die(_("%s lists no fingerprint: registration would be closed to everyone"),
		    path);
	return v;
}

/* The directory --lan keeps its certificate in: --lan-dir, or the
 * SQLite store's directory, or the current one. */
static char *lan_dir(const options *o)
{
	char *d, *slash;

	if (o->lan_dir != NULL)
		return strdup(o->lan_dir);
	if (strncmp(o->store, "sqlite:", 7) != 0)
		return strdup(".");
	d = strdup(o->store + 7);
	if (d != NULL && (slash = strrchr(d, '/')) != NULL) {
		if (slash == d)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else if (d != NULL) {
		strcpy(d, ".");
	}
	return d;
}

/* Prints where others reach the relay: every IPv4 address of this
 * machine but loopback when listening on all of them. */
static void announce(const char *listen, unsigned port, const char *fp)
{
	struct ifaddrs *ifs = NULL, *i;
	char host[NI_MAXHOST], url[2048], first[1200] = "";

	printf(_("hearth-relay: LAN mode, TLS with a self-signed certificate\n"));
	if (strncmp(listen, "0.0.0.0:", 8) == 0 && getifaddrs(&ifs) == 0) {
		for (i = ifs; i != NULL; i = i->ifa_next) {
			if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
				continue;
			if (getnameinfo(i->ifa_addr, sizeof(struct sockaddr_in), host, sizeof host,
					NULL, 0, NI_NUMERICHOST) != 0 ||
			    strncmp(host, "127.", 4) == 0)
				continue;
			snprintf(url, sizeof url, "https://%s:%u", host, port);
			printf(_("  address:     %s\n"), url);
			if (first[0] == '\0')
				snprintf(first, sizeof first, "https://%s:%u", host, port);
		}
		freeifaddrs(ifs);
	}
	if (first[0] == '\0') {
		snprintf(first, sizeof first, "https://%.*s:%u",
			 (int)(strrchr(listen, ':') - listen), listen, port);
		printf(_("  address:     %s\n"), first);
	}
	printf(_("  fingerprint: %s\n"), fp);
	printf(_("On each device: hearth sync --relay %s --pin %s\n"), first, fp);
	snprintf(url, sizeof url, "--relay %s --pin %s", first, fp);
	relay_qr_print(url, stdout);
	fflush(stdout);
}

static void i18n_init(void)
{
	struct stat sb;

	setlocale(LC_ALL, "");
	if (stat(HEARTH_BUILD_LOCALEDIR, &sb) == 0 &&
	    getenv("HEARTH_RELAY_INSTALLED") == NULL)
		bindtextdomain("hearth", HEARTH_BUILD_LOCALEDIR);
	else
		bindtextdomain("hearth", HEARTH_LOCALEDIR);
	bind_textdomain_codeset("hearth", "UTF-8");
	textdomain("hearth");
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "store", required_argument, NULL, 's' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'k' },
		{ "quota", required_argument, NULL, 'q' },
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "lan", no_argument, NULL, 'L' },
		{ "lan-dir", required_argument, NULL, 'D' },
		{ "register-allow", required_argument, NULL, 'A' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	options o = { 0 };
	relay_config cfg = { 0 };
	relay_server *srv = NULL;
	char err[512], fp[128] = "", *cert = NULL, *key = NULL, **allow = NULL;
	size_t nallow = 0;
	sigset_t sigs;
	int c, i, sig, rc = 0;

	i18n_init();
	o.quota = RELAY_DEFAULT_QUOTA;
	o.rate = RELAY_DEFAULT_RATE;
	o.burst = RELAY_DEFAULT_BURST;
	/* The config file first, so that the command line overrides it. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			read_config(&o, argv[i + 1]);
		else if (strncmp(argv[i], "--config=", 9) == 0)
			read_config(&o, argv[i] + 9);
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'f':
			break;
		case 'L':
			o.lan = 1;
			break;
		case '?':
			if (optopt != 0)
				fprintf(stderr, _("hearth-relay: option '%s' needs a value\n"),
					argv[optind - 1]);
			else
				fprintf(stderr, _("hearth-relay: unknown option '%s'\n"),
					argv[optind - 1]);
			fputs(_("Try 'hearth-relay --help'.\n"), stderr);
			return 2;
		default:
			for (i = 0; longs[i].name != NULL; i++)
				if (longs[i].val == c)
					set_opt(&o, longs[i].name, optarg);
			break;
		}
	}
	if (optind < argc)
		die(_("unexpected argument '%s'"), argv[optind]);
	if (o.store == NULL)
		die("%s", _("--store is required (sqlite:PATH or postgresql://...)"));
	if ((o.tls_cert == NULL) != (o.tls_key == NULL))
		die("%s", _("--tls-cert and --tls-key go together"));
	if (o.lan && o.tls_cert != NULL)
		die("%s", _("--lan makes its own certificate: leave out --tls-cert and --tls-key"));
	if (o.listen == NULL)
		set_str(&o.listen, o.lan ? "0.0.0.0:8443" : "127.0.0.1:8380");
	if (o.lan) {
		char *dir = lan_dir(&o);

		if (dir == NULL || relay_lan_cert(dir, &cert, &key, fp, sizeof fp, err,
						  sizeof err) != 0)
			die("%s", dir == NULL ? _("out of memory") : err);
		free(dir);
	} else if (o.tls_cert != NULL) {
		cert = slurp(o.tls_cert);
		key = slurp(o.tls_key);
	}

	/* The signals that stop the relay are taken by sigwait below, in
	 * this thread; the server's threads inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	cfg.listen = o.listen;
	cfg.store = o.store;
	cfg.tls_cert_pem = cert;
	cfg.tls_key_pem = key;
	cfg.quota = o.quota;
	cfg.rate = o.rate;
	cfg.burst = o.burst;
	cfg.threads = o.threads;
	if (o.register_allow != NULL) {
		allow = read_allow(o.register_allow, &nallow);
		cfg.register_allow = (const char *const *)allow;
		cfg.nregister_allow = nallow;
	}
	if (relay_server_start(&cfg, &srv, err, sizeof err) != 0) {
		fprintf(stderr, _("hearth-relay: cannot start: %s\n"), err);
		rc = 1;
		goto out;
	}
	if (o.lan)
		announce(o.listen, relay_server_port(srv), fp);
	fprintf(stderr, _("hearth-relay: listening on port %u, store %s\n"),
		relay_server_port(srv), o.store);
	sigwait(&sigs, &sig);
	fprintf(stderr, "%s", _("hearth-relay: stopping\n"));
	relay_server_stop(srv);
out:
	free(cert);
	free(key);
	free(o.listen);
	free(o.store);
	free(o.tls_cert);
	free(o.tls_key);
	free(o.lan_dir);
	free(o.register_allow);
	while (nallow > 0)
		free(allow[--nallow]);
	free(allow);
	return rc;
}
