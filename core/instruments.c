/*
 * instruments.c - loading, validating and scoring instrument files.
 *
 * The file is parsed by jansson and kept alive for the instrument's life:
 * every text and id handed out points into the JSON tree, so nothing is
 * copied and nothing can go stale before hearth_instrument_free().
 *
 * Validation is strict because a silent typo in a scoring file changes
 * what a counsellor is told: unknown keys are refused, option values must
 * run in one direction without repeats, bands must cover every reachable
 * total exactly once, and every rule must name items that exist.  Every
 * error names the file, the JSON path and the reason.
 *
 * Limits keep a hostile file cheap to refuse: at most 64 items, 16 options
 * per item, 32 bands, 16 rules, conditions nested 8 deep, values 0-100.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "hearth/instruments.h"

#define MAX_OPTIONS 16u
#define MAX_BANDS 32u
#define MAX_RULES 16u
#define MAX_FLAGS_PER 4u
#define MAX_COND_DEPTH 8
#define MAX_COND_KIDS 64u
#define MAX_CHOICES 8u
#define MAX_VALUE 100
#define MAX_MULTIPLIER 100
#define MAX_DAYS 365
#define MAX_ID_LEN 32u
#define PATH_LEN 256u

enum cond_type { COND_ITEM, COND_ANY, COND_ALL };
enum cond_op { OP_MIN, OP_MAX, OP_EQ };

/* A compiled rule condition. */
struct cond {
	enum cond_type type;
	size_t item;        /* COND_ITEM */
	enum cond_op op;
	int value;
	size_t n;           /* COND_ANY, COND_ALL */
	struct cond *kids;
};

/* A band, a risk level or an item rule. */
struct outcome {
	hearth_outcome o;
	int min, max;                     /* bands only */
	struct cond *when;                /* levels and rules */
	const char *flags[MAX_FLAGS_PER];
};

struct hearth_instrument {
	json_t *root;                     /* owns every string below */
	char *name;                       /* file name, for messages */
	const char *id, *version, *administration, *licence, *source;
	const char *wording_en, *wording_zh, *translation;
	hearth_text title, lead_in;
	hearth_scoring_method method;
	size_t n_items;
	hearth_item items[HEARTH_INSTRUMENT_MAX_ITEMS];
	hearth_option *options[HEARTH_INSTRUMENT_MAX_ITEMS]; /* owned */
	int has_difficulty;
	hearth_item difficulty;
	hearth_option *difficulty_options; /* owned */
	int multiplier, total_min, total_max;
	size_t n_bands;
	struct outcome bands[MAX_BANDS];
	size_t n_rules;
	struct outcome rules[MAX_RULES];
	int has_cutoff, cutoff, at_or_below;
	const char *setting;
	size_t n_choices;
	int choices[MAX_CHOICES];
	/* Which parts hold unofficial Chinese (when the whole translation is
	 * official): these make up the notice. */
	int unof_title, unof_lead, unof_difficulty;
	int unof_item[HEARTH_INSTRUMENT_MAX_ITEMS];
	int has_unofficial;
	char *notice_en, *notice_zh;
};

/* Parsing state: the file name for messages. */
struct ctx {
	const char *name;
	hearth_instrument *inst;
};

/* ---- errors and JSON access ---- */

static hearth_status bad(const struct ctx *c, const char *path,
			 const char *fmt, ...) HEARTH_PRINTF(3, 4);

static hearth_status bad(const struct ctx *c, const char *path,
			 const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return hearth_fail(HEARTH_EFORMAT, "%s: %s: %s", c->name, path, msg);
}

/* path.key into buf.  Paths are bounded by the nesting limits; one that
 * would not fit is cut short, which only shortens a message. */
static const char *sub(char *buf, const char *path, const char *key)
{
	if (snprintf(buf, PATH_LEN, "%s.%s", path, key) < 0)
		buf[0] = '\0';
	return buf;
}

/* path[i] into buf. */
static const char *idx(char *buf, const char *path, size_t i)
{
	if (snprintf(buf, PATH_LEN, "%s[%zu]", path, i) < 0)
		buf[0] = '\0';
	return buf;
}

/* Refuses keys of obj that are not in allowed (NULL-terminated). */
static hearth_status check_keys(const struct ctx *c, json_t *obj,
				const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return bad(c, path, "unknown key '%.40s'", key);
	}
	return HEARTH_OK;
}

static hearth_status want_object(const struct ctx *c, json_t *v,
				 const char *path)
{
	if (!json_is_object(v))
		return bad(c, path, "expected an object");
	return HEARTH_OK;
}

/* obj[key] as an object, array, ... or NULL when absent and optional. */
static hearth_status member(const struct ctx *c, json_t *obj,
			    const char *path, const char *key, int required,
			    json_t **out)
{
	char p[PATH_LEN];

	*out = json_object_get(obj, key);
	if (*out == NULL && required)
		return bad(c, sub(p, path, key), "missing");
	return HEARTH_OK;
}

static hearth_status get_string(const struct ctx *c, json_t *obj,
				const char *path, const char *key,
				int required, const char **out)
{
	char p[PATH_LEN];
	json_t *v;
	hearth_status st;

	*out = NULL;
	if ((st = member(c, obj, path, key, required, &v)) != HEARTH_OK ||
	    v == NULL)
		return st;
	if (!json_is_string(v))
		return bad(c, sub(p, path, key), "expected a string");
	if (json_string_length(v) == 0)
		return bad(c, sub(p, path, key), "must not be empty");
	*out = json_string_value(v);
	return HEARTH_OK;
}

static hearth_status get_int(const struct ctx *c, json_t *obj,
			     const char *path, const char *key, int required,
			     int lo, int hi, int *out, int *present)
{
	char p[PATH_LEN];
	json_t *v;
	json_int_t n;
	hearth_status st;

	if (present != NULL)
		*present = 0;
	if ((st = member(c, obj, path, key, required, &v)) != HEARTH_OK ||
	    v == NULL)
		return st;
	if (!json_is_integer(v))
		return bad(c, sub(p, path, key), "expected an integer");
	n = json_integer_value(v);
	if (n < lo || n > hi)
		return bad(c, sub(p, path, key), "%lld is out of range %d-%d",
			   (long long)n, lo, hi);
	*out = (int)n;
	if (present != NULL)
		*present = 1;
	return HEARTH_OK;
}

static int id_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > MAX_ID_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static const char *const text_keys[] = {"en", "zh_CN", "zh_CN_unofficial",
					NULL};

/* A text in both languages.  *unofficial (may be NULL: such texts are
 * Hearth's own wording, not an instrument's) gets 1 when the file marks
 * the Chinese as unofficial. */
static hearth_status parse_text(const struct ctx *c, json_t *v,
				const char *path, hearth_text *out,
				int *unofficial)
{
	json_t *flag;
	hearth_status st;

	if ((st = want_object(c, v, path)) != HEARTH_OK ||
	    (st = check_keys(c, v, path, text_keys)) != HEARTH_OK ||
	    (st = get_string(c, v, path, "en", 1, &out->en)) != HEARTH_OK ||
	    (st = get_string(c, v, path, "zh_CN", 1, &out->zh_CN)) != HEARTH_OK)
		return st;
	out->zh_unofficial = c->inst->translation != NULL &&
			     strcmp(c->inst->translation, "unofficial") == 0;
	flag = json_object_get(v, "zh_CN_unofficial");
	if (flag != NULL) {
		char p[PATH_LEN];
		if (!json_is_boolean(flag))
			return bad(c, sub(p, path, "zh_CN_unofficial"),
				   "expected true or false");
		if (unofficial == NULL)
			return bad(c, sub(p, path, "zh_CN_unofficial"),
				   "only instrument wording can be marked");
		if (json_is_true(flag)) {
			out->zh_unofficial = 1;
			*unofficial = 1;
		}
	}
	return HEARTH_OK;
}

static hearth_status get_text(const struct ctx *c, json_t *obj,
			      const char *path, const char *key,
			      int required, hearth_text *out, int *unofficial)
{
	char p[PATH_LEN];
	json_t *v;
	hearth_status st;

	if ((st = member(c, obj, path, key, required, &v)) != HEARTH_OK ||
	    v == NULL)
		return st;
	return parse_text(c, v, sub(p, path, key), out, unofficial);
}

/* ---- options and items ---- */

static const char *const option_keys[] = {"value", "label", NULL};

/* An option list: an array here, or the name of an option set. */
static hearth_status parse_options(const struct ctx *c, json_t *sets,
				   json_t *v, const char *path,
				   hearth_option **out, size_t *n_out,
				   int *min_out, int *max_out, int *unofficial)
{
	char p[PATH_LEN], q[PATH_LEN], setpath[PATH_LEN];
	const char *where = path;
	hearth_option *opts = NULL;
	size_t n, i;
	int dir = 0;
	hearth_status st = HEARTH_OK;

	if (json_is_string(v)) {
		const char *name = json_string_value(v);
		json_t *set = sets != NULL ? json_object_get(sets, name) : NULL;
		if (set == NULL)
			return bad(c, path, "no option set '%.40s' in $.option_sets",
				   name);
		snprintf(setpath, sizeof setpath, "$.option_sets.%.40s", name);
		where = setpath;
		v = set;
	}
	if (!json_is_array(v))
		return bad(c, where, "expected an array or the name of an option set");
	n = json_array_size(v);
	if (n < 2 || n > MAX_OPTIONS)
		return bad(c, where, "expected 2-%u options, found %zu",
			   MAX_OPTIONS, n);
	opts = calloc(n, sizeof *opts);
	if (opts == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory loading '%s'",
				   c->name);
	for (i = 0; i < n; i++) {
		json_t *o = json_array_get(v, i);
		idx(p, where, i);
		if ((st = want_object(c, o, p)) != HEARTH_OK ||
		    (st = check_keys(c, o, p, option_keys)) != HEARTH_OK ||
		    (st = get_int(c, o, p, "value", 1, 0, MAX_VALUE,
				  &opts[i].value, NULL)) != HEARTH_OK ||
		    (st = get_text(c, o, p, "label", 1, &opts[i].label,
				   unofficial)) != HEARTH_OK)
			goto out;
		if (i > 0) {
			int d = opts[i].value - opts[i - 1].value;
			if (d == 0) {
				st = bad(c, sub(q, p, "value"),
					 "duplicate value %d", opts[i].value);
				goto out;
			}
			if (dir == 0)
				dir = d > 0 ? 1 : -1;
			else if ((d > 0 ? 1 : -1) != dir) {
				st = bad(c, sub(q, p, "value"),
					 "value %d out of order: values must "
					 "rise or fall throughout",
					 opts[i].value);
				goto out;
			}
		}
	}
	*min_out = dir >= 0 ? opts[0].value : opts[n - 1].value;
	*max_out = dir >= 0 ? opts[n - 1].value : opts[0].value;
	*out = opts;
	*n_out = n;
	opts = NULL;
out:
	free(opts);
	return st;
}

static const char *const item_keys[] = {"id", "text", "options", "show_if",
					NULL};
static const char *const show_if_keys[] = {"item", "equals", NULL};

static int option_has(const hearth_item *it, int value)
{
	size_t i;

	for (i = 0; i < it->n_options; i++)
		if (it->options[i].value == value)
			return 1;
	return 0;
}

static size_t find_item(const hearth_instrument *inst, size_t n,
			const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(inst->items[i].id, id) == 0)
			return i;
	return (size_t)-1;
}

static hearth_status parse_item(const struct ctx *c, json_t *sets, json_t *v,
				const char *path, size_t index,
				hearth_item *it, hearth_option **owned,
				int *unofficial)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN];
	json_t *opts, *show;
	hearth_status st;

	if ((st = want_object(c, v, path)) != HEARTH_OK ||
	    (st = check_keys(c, v, path, item_keys)) != HEARTH_OK ||
	    (st = get_string(c, v, path, "id", 1, &it->id)) != HEARTH_OK)
		return st;
	if (!id_valid(it->id))
		return bad(c, sub(p, path, "id"),
			   "'%.40s' is not an id (letters, digits, '_', '-')",
			   it->id);
	if (index != (size_t)-1 && find_item(inst, index, it->id) != (size_t)-1)
		return bad(c, sub(p, path, "id"), "duplicate item id '%s'",
			   it->id);
	if ((st = get_text(c, v, path, "text", 1, &it->text, unofficial)) !=
	    HEARTH_OK ||
	    (st = member(c, v, path, "options", 1, &opts)) != HEARTH_OK ||
	    (st = parse_options(c, sets, opts, sub(p, path, "options"), owned,
				&it->n_options, &it->min_value,
				&it->max_value, unofficial)) != HEARTH_OK)
		return st;
	it->options = *owned;
	it->show_if_index = (size_t)-1;
	show = json_object_get(v, "show_if");
	if (show != NULL) {
		const char *ref;
		size_t k;
		sub(p, path, "show_if");
		if (index == (size_t)-1)
			return bad(c, p, "the difficulty question cannot be "
				   "conditional");
		if ((st = want_object(c, show, p)) != HEARTH_OK ||
		    (st = check_keys(c, show, p, show_if_keys)) != HEARTH_OK ||
		    (st = get_string(c, show, p, "item", 1, &ref)) != HEARTH_OK ||
		    (st = get_int(c, show, p, "equals", 1, 0, MAX_VALUE,
				  &it->show_if_value, NULL)) != HEARTH_OK)
			return st;
		k = find_item(inst, index, ref);
		if (k == (size_t)-1) {
			char q[PATH_LEN];
			return bad(c, sub(q, p, "item"),
				   "no earlier item '%.40s'", ref);
		}
		if (!option_has(&inst->items[k], it->show_if_value)) {
			char q[PATH_LEN];
			return bad(c, sub(q, p, "equals"),
				   "%d is not an option of item '%s'",
				   it->show_if_value, ref);
		}
		it->show_if_item = inst->items[k].id;
		it->show_if_index = k;
	}
	return HEARTH_OK;
}

/* ---- conditions ---- */

static const char *const cond_item_keys[] = {"item", "min", "max", "equals",
					     NULL};

/* Frees what a condition holds (not the condition itself). */
static void cond_clear(struct cond *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		cond_clear(&c->kids[i]);
	free(c->kids);
	c->kids = NULL;
	c->n = 0;
}

/* Frees a heap condition and everything below it.  Accepts NULL. */
static void cond_release(struct cond *c)
{
	if (c == NULL)
		return;
	cond_clear(c);
	free(c);
}

static hearth_status parse_cond(const struct ctx *c, json_t *v,
				const char *path, int depth, struct cond *out)
{
	const hearth_instrument *inst = c->inst;
	json_t *any, *all;
	hearth_status st;
	char p[PATH_LEN];

	memset(out, 0, sizeof *out);
	if (depth > MAX_COND_DEPTH)
		return bad(c, path, "conditions nested more than %d deep",
			   MAX_COND_DEPTH);
	if ((st = want_object(c, v, path)) != HEARTH_OK)
		return st;
	any = json_object_get(v, "any");
	all = json_object_get(v, "all");
	if (any != NULL || all != NULL) {
		json_t *list = any != NULL ? any : all;
		const char *key = any != NULL ? "any" : "all";
		size_t i;
		if (json_object_size(v) != 1)
			return bad(c, path, "a condition with '%s' takes no "
				   "other key", key);
		sub(p, path, key);
		if (!json_is_array(list))
			return bad(c, p, "expected an array");
		out->type = any != NULL ? COND_ANY : COND_ALL;
		out->n = json_array_size(list);
		if (out->n == 0 || out->n > MAX_COND_KIDS) {
			out->n = 0;
			return bad(c, p, "expected 1-%u conditions",
				   MAX_COND_KIDS);
		}
		out->kids = calloc(out->n, sizeof *out->kids);
		if (out->kids == NULL) {
			out->n = 0;
			return hearth_fail(HEARTH_ENOMEM, "out of memory");
		}
		for (i = 0; i < out->n; i++) {
			char q[PATH_LEN];
			st = parse_cond(c, json_array_get(list, i),
					idx(q, p, i), depth + 1, &out->kids[i]);
			if (st != HEARTH_OK)
				return st; /* the caller frees what was built */
		}
		return HEARTH_OK;
	} else {
		const char *ref;
		int n_ops = 0, present;
		size_t k;

		out->type = COND_ITEM;
		if ((st = check_keys(c, v, path, cond_item_keys)) != HEARTH_OK ||
		    (st = get_string(c, v, path, "item", 1, &ref)) != HEARTH_OK)
			return st;
		k = find_item(inst, inst->n_items, ref);
		if (k == (size_t)-1)
			return bad(c, sub(p, path, "item"), "no item '%.40s'",
				   ref);
		out->item = k;
		if ((st = get_int(c, v, path, "min", 0, 0, MAX_VALUE,
				  &out->value, &present)) != HEARTH_OK)
			return st;
		if (present)
			out->op = OP_MIN, n_ops++;
		if ((st = get_int(c, v, path, "max", 0, 0, MAX_VALUE,
				  &out->value, &present)) != HEARTH_OK)
			return st;
		if (present)
			out->op = OP_MAX, n_ops++;
		if ((st = get_int(c, v, path, "equals", 0, 0, MAX_VALUE,
				  &out->value, &present)) != HEARTH_OK)
			return st;
		if (present)
			out->op = OP_EQ, n_ops++;
		if (n_ops != 1)
			return bad(c, path, "expected exactly one of 'min', "
				   "'max', 'equals'");
		return HEARTH_OK;
	}
}

/* Parses obj.key as a heap condition (required). */
static hearth_status get_cond(const struct ctx *c, json_t *obj,
			      const char *path, struct cond **out)
{
	char p[PATH_LEN];
	json_t *v;
	struct cond *cd;
	hearth_status st;

	*out = NULL;
	if ((st = member(c, obj, path, "when", 1, &v)) != HEARTH_OK)
		return st;
	cd = calloc(1, sizeof *cd);
	if (cd == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	st = parse_cond(c, v, sub(p, path, "when"), 0, cd);
	if (st != HEARTH_OK) {
		cond_release(cd);
		return st;
	}
	*out = cd;
	return HEARTH_OK;
}

static int cond_eval(const struct cond *c, const int *answers)
{
	size_t i;

	switch (c->type) {
	case COND_ITEM: {
		int a = answers[c->item];
		if (a == HEARTH_ANSWER_NONE)
			return 0;
		if (c->op == OP_MIN)
			return a >= c->value;
		if (c->op == OP_MAX)
			return a <= c->value;
		return a == c->value;
	}
	case COND_ANY:
		for (i = 0; i < c->n; i++)
			if (cond_eval(&c->kids[i], answers))
				return 1;
		return 0;
	case COND_ALL:
		for (i = 0; i < c->n; i++)
			if (!cond_eval(&c->kids[i], answers))
				return 0;
		return 1;
	}
	return 0;
}

/* ---- outcomes: bands, levels, rules ---- */

static const char *const action_keys[] = {"kind", "instrument", "days",
					  "priority", NULL};

static hearth_status parse_action(const struct ctx *c, json_t *obj,
				  const char *path, hearth_next_action *out)
{
	char p[PATH_LEN], q[PATH_LEN];
	const char *kind, *prio;
	json_t *v;
	hearth_status st;

	memset(out, 0, sizeof *out);
	if ((st = member(c, obj, path, "action", 0, &v)) != HEARTH_OK ||
	    v == NULL)
		return st;
	sub(p, path, "action");
	if ((st = want_object(c, v, p)) != HEARTH_OK ||
	    (st = check_keys(c, v, p, action_keys)) != HEARTH_OK ||
	    (st = get_string(c, v, p, "kind", 1, &kind)) != HEARTH_OK)
		return st;
	if (strcmp(kind, "none") == 0) {
		out->kind = HEARTH_ACTION_NONE;
		if (json_object_size(v) != 1)
			return bad(c, p, "action 'none' takes no other key");
	} else if (strcmp(kind, "full_form") == 0) {
		out->kind = HEARTH_ACTION_FULL_FORM;
		if ((st = get_string(c, v, p, "instrument", 1,
				     &out->instrument)) != HEARTH_OK)
			return st;
		if (!id_valid(out->instrument))
			return bad(c, sub(q, p, "instrument"),
				   "'%.40s' is not an instrument id",
				   out->instrument);
		if (json_object_size(v) != 2)
			return bad(c, p, "action 'full_form' takes only "
				   "'instrument'");
	} else if (strcmp(kind, "followup") == 0) {
		out->kind = HEARTH_ACTION_FOLLOWUP;
		if ((st = get_int(c, v, p, "days", 1, 0, MAX_DAYS, &out->days,
				  NULL)) != HEARTH_OK ||
		    (st = get_string(c, v, p, "priority", 0, &prio)) !=
		    HEARTH_OK)
			return st;
		if (prio != NULL && strcmp(prio, "high") == 0)
			out->high_priority = 1;
		else if (prio != NULL && strcmp(prio, "normal") != 0)
			return bad(c, sub(q, p, "priority"),
				   "expected 'normal' or 'high'");
		if (json_object_get(v, "instrument") != NULL)
			return bad(c, p, "action 'followup' takes no "
				   "'instrument'");
	} else if (strcmp(kind, "safety") == 0) {
		out->kind = HEARTH_ACTION_SAFETY;
		if (json_object_size(v) != 1)
			return bad(c, p, "action 'safety' takes no other key");
	} else {
		return bad(c, sub(q, p, "kind"), "unknown action '%.40s' "
			   "(none, full_form, followup, safety)", kind);
	}
	return HEARTH_OK;
}

static const char *const band_keys[] = {"id", "min", "max", "label",
					"next_step", "action", "flags", NULL};
static const char *const level_keys[] = {"id", "when", "risk", "positive",
					 "label", "next_step", "action",
					 "flags", NULL};
static const char *const rule_keys[] = {"id", "when", "risk", "label",
					"next_step", "action", "flags", NULL};

/* The parts every outcome shares: id, label, next step, action, flags,
 * risk. */
static hearth_status parse_outcome(const struct ctx *c, json_t *v,
				   const char *path, struct outcome *o)
{
	char p[PATH_LEN], q[PATH_LEN];
	json_t *flags;
	const char *risk;
	hearth_status st;
	size_t i;

	if ((st = get_string(c, v, path, "id", 1, &o->o.id)) != HEARTH_OK)
		return st;
	if (!id_valid(o->o.id))
		return bad(c, sub(p, path, "id"), "'%.40s' is not an id",
			   o->o.id);
	if ((st = get_text(c, v, path, "label", 1, &o->o.label, NULL)) !=
	    HEARTH_OK ||
	    (st = get_text(c, v, path, "next_step", 1, &o->o.next_step,
			   NULL)) != HEARTH_OK ||
	    (st = parse_action(c, v, path, &o->o.action)) != HEARTH_OK ||
	    (st = get_string(c, v, path, "risk", 0, &risk)) != HEARTH_OK)
		return st;
	if (risk != NULL && strcmp(risk, "low") != 0 &&
	    strcmp(risk, "moderate") != 0 && strcmp(risk, "high") != 0)
		return bad(c, sub(p, path, "risk"),
			   "expected 'low', 'moderate' or 'high'");
	o->o.risk = risk;
	flags = json_object_get(v, "flags");
	if (flags != NULL) {
		sub(p, path, "flags");
		if (!json_is_array(flags))
			return bad(c, p, "expected an array");
		if (json_array_size(flags) > MAX_FLAGS_PER)
			return bad(c, p, "at most %u flags", MAX_FLAGS_PER);
		for (i = 0; i < json_array_size(flags); i++) {
			json_t *f = json_array_get(flags, i);
			if (!json_is_string(f) ||
			    !id_valid(json_string_value(f)))
				return bad(c, idx(q, p, i),
					   "expected a flag name");
			o->flags[i] = json_string_value(f);
		}
		o->o.n_flags = json_array_size(flags);
	}
	o->o.flags = o->flags;
	return HEARTH_OK;
}

static void bands_range(const struct outcome *b, size_t n, int *lo, int *hi)
{
	*lo = b[0].min;
	*hi = b[n - 1].max;
}

static hearth_status parse_bands(const struct ctx *c, json_t *root)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN], q[PATH_LEN];
	json_t *bands;
	size_t i, n;
	int lo, hi;
	hearth_status st;

	if ((st = member(c, root, "$", "bands", 1, &bands)) != HEARTH_OK)
		return st;
	if (!json_is_array(bands))
		return bad(c, "$.bands", "expected an array");
	n = json_array_size(bands);
	if (n == 0 || n > MAX_BANDS)
		return bad(c, "$.bands", "expected 1-%u bands", MAX_BANDS);
	for (i = 0; i < n; i++) {
		json_t *b = json_array_get(bands, i);
		struct outcome *o = &inst->bands[i];
		idx(p, "$.bands", i);
		if ((st = want_object(c, b, p)) != HEARTH_OK ||
		    (st = check_keys(c, b, p, band_keys)) != HEARTH_OK ||
		    (st = get_int(c, b, p, "min", 1, 0, 100000, &o->min,
				  NULL)) != HEARTH_OK ||
		    (st = get_int(c, b, p, "max", 1, 0, 100000, &o->max,
				  NULL)) != HEARTH_OK ||
		    (st = parse_outcome(c, b, p, o)) != HEARTH_OK)
			return st;
		inst->n_bands = i + 1;
		if (o->max < o->min)
			return bad(c, sub(q, p, "max"), "%d is below min %d",
				   o->max, o->min);
		if (i > 0) {
			const struct outcome *prev = &inst->bands[i - 1];
			if (o->min <= prev->max)
				return bad(c, sub(q, p, "min"),
					   "%d overlaps band %zu (%d-%d)",
					   o->min, i - 1, prev->min,
					   prev->max);
			if (o->min > prev->max + 1)
				return bad(c, sub(q, p, "min"),
					   "gap: no band covers %d-%d",
					   prev->max + 1, o->min - 1);
		}
	}
	bands_range(inst->bands, n, &lo, &hi);
	if (lo != inst->total_min)
		return bad(c, "$.bands[0].min", "the first band starts at %d "
			   "but the lowest total is %d", lo, inst->total_min);
	if (hi != inst->total_max)
		return bad(c, idx(p, "$.bands", n - 1), "the last band ends at "
			   "%d but the highest total is %d", hi,
			   inst->total_max);
	return HEARTH_OK;
}

static hearth_status parse_levels(const struct ctx *c, json_t *scoring)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN], q[PATH_LEN];
	json_t *levels;
	size_t i, n;
	hearth_status st;

	if ((st = member(c, scoring, "$.scoring", "levels", 1, &levels)) !=
	    HEARTH_OK)
		return st;
	if (!json_is_array(levels))
		return bad(c, "$.scoring.levels", "expected an array");
	n = json_array_size(levels);
	if (n < 2 || n > MAX_BANDS)
		return bad(c, "$.scoring.levels", "expected 2-%u levels",
			   MAX_BANDS);
	for (i = 0; i < n; i++) {
		json_t *l = json_array_get(levels, i), *pos;
		struct outcome *o = &inst->bands[i];
		idx(p, "$.scoring.levels", i);
		if ((st = want_object(c, l, p)) != HEARTH_OK ||
		    (st = check_keys(c, l, p, level_keys)) != HEARTH_OK ||
		    (st = parse_outcome(c, l, p, o)) != HEARTH_OK)
			return st;
		inst->n_bands = i + 1;
		pos = json_object_get(l, "positive");
		if (pos != NULL && !json_is_boolean(pos))
			return bad(c, sub(q, p, "positive"),
				   "expected true or false");
		o->o.positive = json_is_true(pos);
		/* The last level is the "otherwise": it has no condition,
		 * and every other level has one, so exactly one level is
		 * always reached. */
		if (i + 1 < n) {
			if ((st = get_cond(c, l, p, &o->when)) != HEARTH_OK)
				return st;
		} else if (json_object_get(l, "when") != NULL) {
			return bad(c, sub(q, p, "when"), "the last level is "
				   "reached when no other is: it takes no "
				   "condition");
		}
	}
	return HEARTH_OK;
}

static hearth_status parse_rules(const struct ctx *c, json_t *root)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN];
	json_t *rules;
	size_t i, n;
	hearth_status st;

	if ((st = member(c, root, "$", "rules", 0, &rules)) != HEARTH_OK ||
	    rules == NULL)
		return st;
	if (!json_is_array(rules))
		return bad(c, "$.rules", "expected an array");
	n = json_array_size(rules);
	if (n > MAX_RULES)
		return bad(c, "$.rules", "at most %u rules", MAX_RULES);
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rules, i);
		struct outcome *o = &inst->rules[i];
		idx(p, "$.rules", i);
		if ((st = want_object(c, r, p)) != HEARTH_OK ||
		    (st = check_keys(c, r, p, rule_keys)) != HEARTH_OK)
			return st;
		inst->n_rules = i + 1;
		if ((st = parse_outcome(c, r, p, o)) != HEARTH_OK ||
		    (st = get_cond(c, r, p, &o->when)) != HEARTH_OK)
			return st;
	}
	return HEARTH_OK;
}

/* ---- scoring block and cut-off ---- */

static const char *const scoring_keys[] = {"method", "items", "reverse",
					   "multiplier", "levels", NULL};
static const char *const positive_keys[] = {"at_or_above", "at_or_below",
					    "setting", "choices", NULL};

/* Marks the items named by an array of ids (list) in flags. */
static hearth_status item_list(const struct ctx *c, json_t *list,
			       const char *path, int *flags)
{
	char p[PATH_LEN];
	size_t i;

	if (!json_is_array(list))
		return bad(c, path, "expected an array of item ids");
	for (i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		size_t k;
		if (!json_is_string(e))
			return bad(c, idx(p, path, i), "expected an item id");
		k = find_item(c->inst, c->inst->n_items, json_string_value(e));
		if (k == (size_t)-1)
			return bad(c, idx(p, path, i), "no item '%.40s'",
				   json_string_value(e));
		flags[k] = 1;
	}
	return HEARTH_OK;
}

static hearth_status parse_scoring(const struct ctx *c, json_t *root)
{
	hearth_instrument *inst = c->inst;
	int scored[HEARTH_INSTRUMENT_MAX_ITEMS] = {0};
	int reverse[HEARTH_INSTRUMENT_MAX_ITEMS] = {0};
	const char *method;
	json_t *scoring, *items, *rev;
	size_t i;
	hearth_status st;

	if ((st = member(c, root, "$", "scoring", 1, &scoring)) != HEARTH_OK ||
	    (st = want_object(c, scoring, "$.scoring")) != HEARTH_OK ||
	    (st = check_keys(c, scoring, "$.scoring", scoring_keys)) !=
	    HEARTH_OK ||
	    (st = get_string(c, scoring, "$.scoring", "method", 1, &method)) !=
	    HEARTH_OK)
		return st;
	if (strcmp(method, "sum") == 0) {
		inst->method = HEARTH_SCORING_SUM;
	} else if (strcmp(method, "risk") == 0) {
		inst->method = HEARTH_SCORING_RISK;
	} else {
		return bad(c, "$.scoring.method", "unknown scoring method "
			   "'%.40s' (sum, risk)", method);
	}
	inst->multiplier = 1;
	if (inst->method == HEARTH_SCORING_RISK) {
		const char *const no[] = {"items", "reverse", "multiplier"};
		for (i = 0; i < 3; i++)
			if (json_object_get(scoring, no[i]) != NULL) {
				char p[PATH_LEN];
				return bad(c, sub(p, "$.scoring", no[i]),
					   "not used by method 'risk'");
			}
		if (json_object_get(root, "bands") != NULL)
			return bad(c, "$.bands", "method 'risk' uses "
				   "$.scoring.levels, not bands");
		if (json_object_get(root, "positive") != NULL)
			return bad(c, "$.positive", "method 'risk' takes "
				   "'positive' from each level");
		return parse_levels(c, scoring);
	}
	if (json_object_get(scoring, "levels") != NULL)
		return bad(c, "$.scoring.levels", "not used by method 'sum'");
	if ((st = get_int(c, scoring, "$.scoring", "multiplier", 0, 1,
			  MAX_MULTIPLIER, &inst->multiplier, NULL)) != HEARTH_OK)
		return st;
	items = json_object_get(scoring, "items");
	if (items == NULL || (json_is_string(items) &&
			      strcmp(json_string_value(items), "all") == 0)) {
		for (i = 0; i < inst->n_items; i++)
			scored[i] = 1;
	} else if ((st = item_list(c, items, "$.scoring.items", scored)) !=
		   HEARTH_OK) {
		return st;
	}
	rev = json_object_get(scoring, "reverse");
	if (rev != NULL &&
	    (st = item_list(c, rev, "$.scoring.reverse", reverse)) != HEARTH_OK)
		return st;
	inst->total_min = inst->total_max = 0;
	for (i = 0; i < inst->n_items; i++) {
		hearth_item *it = &inst->items[i];
		it->scored = scored[i];
		it->reverse = reverse[i];
		if (reverse[i] && !scored[i]) {
			char p[PATH_LEN];
			return bad(c, sub(p, "$.scoring", "reverse"),
				   "item '%s' is reversed but not scored",
				   it->id);
		}
		if (!it->scored)
			continue;
		/* A conditional item may be skipped: it then adds
		 * nothing, so the lowest total counts it as 0. */
		if (it->show_if_item == NULL)
			inst->total_min += it->min_value;
		inst->total_max += it->max_value;
	}
	return parse_bands(c, root);
}

static hearth_status parse_positive(const struct ctx *c, json_t *root)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN];
	json_t *pos, *choices;
	int above = 0, below = 0, has_above, has_below;
	size_t i;
	hearth_status st;

	if (inst->method != HEARTH_SCORING_SUM)
		return HEARTH_OK;
	if ((st = member(c, root, "$", "positive", 0, &pos)) != HEARTH_OK ||
	    pos == NULL)
		return st;
	if ((st = want_object(c, pos, "$.positive")) != HEARTH_OK ||
	    (st = check_keys(c, pos, "$.positive", positive_keys)) !=
	    HEARTH_OK ||
	    (st = get_int(c, pos, "$.positive", "at_or_above", 0,
			  inst->total_min, inst->total_max, &above,
			  &has_above)) != HEARTH_OK ||
	    (st = get_int(c, pos, "$.positive", "at_or_below", 0,
			  inst->total_min, inst->total_max, &below,
			  &has_below)) != HEARTH_OK ||
	    (st = get_string(c, pos, "$.positive", "setting", 0,
			     &inst->setting)) != HEARTH_OK)
		return st;
	if (has_above + has_below != 1)
		return bad(c, "$.positive", "expected exactly one of "
			   "'at_or_above', 'at_or_below'");
	inst->has_cutoff = 1;
	inst->at_or_below = has_below;
	inst->cutoff = has_above ? above : below;
	choices = json_object_get(pos, "choices");
	if (choices == NULL) {
		inst->choices[0] = inst->cutoff;
		inst->n_choices = 1;
		return HEARTH_OK;
	}
	if (!json_is_array(choices) || json_array_size(choices) == 0 ||
	    json_array_size(choices) > MAX_CHOICES)
		return bad(c, "$.positive.choices", "expected an array of 1-%u "
			   "cut-offs", MAX_CHOICES);
	for (i = 0; i < json_array_size(choices); i++) {
		json_t *e = json_array_get(choices, i);
		json_int_t v;
		if (!json_is_integer(e))
			return bad(c, idx(p, "$.positive.choices", i),
				   "expected an integer");
		v = json_integer_value(e);
		if (v < inst->total_min || v > inst->total_max)
			return bad(c, idx(p, "$.positive.choices", i),
				   "%lld is out of range %d-%d", (long long)v,
				   inst->total_min, inst->total_max);
		inst->choices[i] = (int)v;
	}
	inst->n_choices = json_array_size(choices);
	for (i = 0; i < inst->n_choices; i++)
		if (inst->choices[i] == inst->cutoff)
			return HEARTH_OK;
	return bad(c, "$.positive.choices", "the default cut-off %d is not "
		   "among the choices", inst->cutoff);
}

/* ---- the translation notice ---- */

static hearth_status build_notice(hearth_instrument *inst)
{
	char en[768], zh[768];
	size_t i, nparts = 0;
	int whole = strcmp(inst->translation, "unofficial") == 0;

	if (whole) {
		inst->has_unofficial = 1;
		snprintf(en, sizeof en, "The Chinese wording of this "
			 "instrument is an unofficial translation made for "
			 "Hearth, not a published version.");
		snprintf(zh, sizeof zh, "本量表的中文措辞为 Hearth 自行翻译的"
			 "非官方译本，并非已发表的版本。");
	} else {
		size_t le, lz;
		le = (size_t)snprintf(en, sizeof en, "Part of the Chinese "
				      "wording is an unofficial translation "
				      "made for Hearth:");
		lz = (size_t)snprintf(zh, sizeof zh, "部分中文措辞为 Hearth "
				      "自行翻译的非官方译文：");
#define PART(e, z) do { \
		le += (size_t)snprintf(en + le, sizeof en - le, "%s %s", \
				       nparts ? "," : "", (e)); \
		lz += (size_t)snprintf(zh + lz, sizeof zh - lz, "%s%s", \
				       nparts ? "、" : "", (z)); \
		nparts++; \
	} while (0)
		if (inst->unof_title)
			PART("the title", "标题");
		if (inst->unof_lead)
			PART("the lead-in", "指导语");
		for (i = 0; i < inst->n_items && le < 600 && lz < 600; i++)
			if (inst->unof_item[i]) {
				char e[64], z[64];
				snprintf(e, sizeof e, "item %s",
					 inst->items[i].id);
				snprintf(z, sizeof z, "第 %s 题",
					 inst->items[i].id);
				PART(e, z);
			}
		if (inst->unof_difficulty)
			PART("the difficulty question", "困难程度问题");
#undef PART
		if (nparts == 0)
			return HEARTH_OK;
		inst->has_unofficial = 1;
		if (le < sizeof en - 2)
			strcat(en, ".");
		if (lz < sizeof zh - 4)
			strcat(zh, "。");
	}
	inst->notice_en = strdup(en);
	inst->notice_zh = strdup(zh);
	if (inst->notice_en == NULL || inst->notice_zh == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	return HEARTH_OK;
}

/* ---- the loader ---- */

static const char *const top_keys[] = {
	"format", "id", "version", "title", "administration", "lead_in",
	"licence", "source", "wording", "translation", "notes",
	"option_sets", "items", "difficulty", "scoring", "bands", "positive",
	"rules", NULL};
static const char *const wording_keys[] = {"en", "zh_CN", NULL};

static hearth_status check_wording(const struct ctx *c, const char *path,
				   const char *s)
{
	if (strcmp(s, "confirmed") != 0 && strcmp(s, "likely") != 0 &&
	    strcmp(s, "none found") != 0)
		return bad(c, path, "expected 'confirmed', 'likely' or "
			   "'none found'");
	return HEARTH_OK;
}

static hearth_status parse_root(const struct ctx *c, json_t *root)
{
	hearth_instrument *inst = c->inst;
	char p[PATH_LEN];
	json_t *items, *sets, *wording, *diff, *notes;
	int format;
	size_t i;
	hearth_status st;

	if ((st = want_object(c, root, "$")) != HEARTH_OK ||
	    (st = check_keys(c, root, "$", top_keys)) != HEARTH_OK ||
	    (st = get_int(c, root, "$", "format", 1, 1, 1000000, &format,
			  NULL)) != HEARTH_OK)
		return st;
	if (format > HEARTH_INSTRUMENT_FORMAT)
		return hearth_fail(HEARTH_ENEWER, "%s: $.format: format %d "
				   "needs a newer version of Hearth (this one "
				   "reads %d)", c->name, format,
				   HEARTH_INSTRUMENT_FORMAT);
	if ((st = get_string(c, root, "$", "id", 1, &inst->id)) != HEARTH_OK)
		return st;
	if (!id_valid(inst->id))
		return bad(c, "$.id", "'%.40s' is not an id (letters, digits, "
			   "'_', '-')", inst->id);
	if ((st = get_string(c, root, "$", "version", 1, &inst->version)) !=
	    HEARTH_OK ||
	    (st = get_string(c, root, "$", "translation", 1,
			     &inst->translation)) != HEARTH_OK)
		return st;
	if (strcmp(inst->translation, "official") != 0 &&
	    strcmp(inst->translation, "unofficial") != 0)
		return bad(c, "$.translation", "expected 'official' or "
			   "'unofficial'");
	if ((st = get_text(c, root, "$", "title", 1, &inst->title,
			   &inst->unof_title)) != HEARTH_OK ||
	    (st = get_text(c, root, "$", "lead_in", 1, &inst->lead_in,
			   &inst->unof_lead)) != HEARTH_OK ||
	    (st = get_string(c, root, "$", "administration", 1,
			     &inst->administration)) != HEARTH_OK)
		return st;
	if (strcmp(inst->administration, "self") != 0 &&
	    strcmp(inst->administration, "counsellor") != 0)
		return bad(c, "$.administration", "expected 'self' or "
			   "'counsellor'");
	if ((st = get_string(c, root, "$", "licence", 1, &inst->licence)) !=
	    HEARTH_OK ||
	    (st = get_string(c, root, "$", "source", 1, &inst->source)) !=
	    HEARTH_OK ||
	    (st = member(c, root, "$", "wording", 1, &wording)) != HEARTH_OK ||
	    (st = want_object(c, wording, "$.wording")) != HEARTH_OK ||
	    (st = check_keys(c, wording, "$.wording", wording_keys)) !=
	    HEARTH_OK ||
	    (st = get_string(c, wording, "$.wording", "en", 1,
			     &inst->wording_en)) != HEARTH_OK ||
	    (st = check_wording(c, "$.wording.en", inst->wording_en)) !=
	    HEARTH_OK ||
	    (st = get_string(c, wording, "$.wording", "zh_CN", 1,
			     &inst->wording_zh)) != HEARTH_OK ||
	    (st = check_wording(c, "$.wording.zh_CN", inst->wording_zh)) !=
	    HEARTH_OK)
		return st;
	if (strcmp(inst->wording_zh, "none found") == 0 &&
	    strcmp(inst->translation, "unofficial") != 0)
		return bad(c, "$.translation", "no published Chinese wording "
			   "was found ($.wording.zh_CN): the translation must "
			   "be 'unofficial'");
	notes = json_object_get(root, "notes");
	if (notes != NULL && !json_is_string(notes))
		return bad(c, "$.notes", "expected a string");
	sets = json_object_get(root, "option_sets");
	if (sets != NULL && !json_is_object(sets))
		return bad(c, "$.option_sets", "expected an object");

	if ((st = member(c, root, "$", "items", 1, &items)) != HEARTH_OK)
		return st;
	if (!json_is_array(items))
		return bad(c, "$.items", "expected an array");
	if (json_array_size(items) == 0 ||
	    json_array_size(items) > HEARTH_INSTRUMENT_MAX_ITEMS)
		return bad(c, "$.items", "expected 1-%u items",
			   HEARTH_INSTRUMENT_MAX_ITEMS);
	for (i = 0; i < json_array_size(items); i++) {
		st = parse_item(c, sets, json_array_get(items, i),
				idx(p, "$.items", i), i, &inst->items[i],
				&inst->options[i], &inst->unof_item[i]);
		if (st != HEARTH_OK)
			return st;
		inst->n_items = i + 1;
	}
	diff = json_object_get(root, "difficulty");
	if (diff != NULL) {
		st = parse_item(c, sets, diff, "$.difficulty", (size_t)-1,
				&inst->difficulty, &inst->difficulty_options,
				&inst->unof_difficulty);
		if (st != HEARTH_OK)
			return st;
		inst->has_difficulty = 1;
	}
	if ((st = parse_scoring(c, root)) != HEARTH_OK ||
	    (st = parse_positive(c, root)) != HEARTH_OK ||
	    (st = parse_rules(c, root)) != HEARTH_OK)
		return st;
	return build_notice(inst);
}

hearth_status hearth_instrument_parse(const char *name, const char *data,
				      size_t len, hearth_instrument **out)
{
	hearth_instrument *inst = NULL;
	json_error_t jerr;
	struct ctx c;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for instrument");
	*out = NULL;
	if (name == NULL)
		name = "instrument";
	if (data == NULL && len > 0)
		return hearth_fail(HEARTH_EINVAL, "no data for '%s'", name);
	c.name = name;
	if (len > HEARTH_INSTRUMENT_MAX_BYTES)
		return bad(&c, "$", "larger than %u bytes",
			   HEARTH_INSTRUMENT_MAX_BYTES);
	inst = calloc(1, sizeof *inst);
	if (inst == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory loading '%s'",
				   name);
	c.inst = inst;
	inst->name = strdup(name);
	if (inst->name == NULL) {
		st = hearth_fail(HEARTH_ENOMEM, "out of memory loading '%s'",
				 name);
		goto out;
	}
	c.name = inst->name;
	inst->root = json_loadb(data != NULL ? data : "", len,
				JSON_REJECT_DUPLICATES, &jerr);
	if (inst->root == NULL) {
		st = bad(&c, "$", "not JSON (line %d, column %d: %s)",
			 jerr.line, jerr.column, jerr.text);
		goto out;
	}
	st = parse_root(&c, inst->root);
	if (st != HEARTH_OK)
		goto out;
	*out = inst;
	inst = NULL;
out:
	hearth_instrument_free(inst);
	return st;
}

hearth_status hearth_instrument_load_file(const char *path,
					  hearth_instrument **out)
{
	const char *base;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = NULL;
	hearth_status st = HEARTH_OK;

	if (out == NULL || path == NULL)
		return hearth_fail(HEARTH_EINVAL, "no instrument file named");
	*out = NULL;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	f = fopen(path, "rb");
	if (f == NULL)
		return hearth_fail(HEARTH_EIO, "cannot read instrument file "
				   "'%s': %s", path, strerror(errno));
	for (;;) {
		size_t got;
		if (len == cap) {
			char *nb;
			if (cap > HEARTH_INSTRUMENT_MAX_BYTES) {
				st = hearth_fail(HEARTH_EFORMAT, "%s: $: larger "
						 "than %u bytes", base,
						 HEARTH_INSTRUMENT_MAX_BYTES);
				goto out;
			}
			cap = cap ? cap * 2 : 16384;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				st = hearth_fail(HEARTH_ENOMEM, "out of memory "
						 "reading '%s'", path);
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				st = hearth_fail(HEARTH_EIO, "cannot read "
						 "instrument file '%s'", path);
				goto out;
			}
			break;
		}
	}
	st = hearth_instrument_parse(base, buf, len, out);
out:
	if (f != NULL)
		fclose(f);
	free(buf);
	return st;
}

void hearth_instrument_free(hearth_instrument *inst)
{
	size_t i;

	if (inst == NULL)
		return;
	for (i = 0; i < HEARTH_INSTRUMENT_MAX_ITEMS; i++)
		free(inst->options[i]);
	free(inst->difficulty_options);
	for (i = 0; i < MAX_BANDS; i++)
		cond_release(inst->bands[i].when);
	for (i = 0; i < MAX_RULES; i++)
		cond_release(inst->rules[i].when);
	free(inst->notice_en);
	free(inst->notice_zh);
	free(inst->name);
	json_decref(inst->root);
	free(inst);
}

/* ---- the search path ---- */

static int id_is_file_id(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > MAX_ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
		      id[i] == '-'))
			return 0;
	return 1;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof **v);
	char *d;

	if (nv == NULL)
		return -1;
	*v = nv;
	d = strdup(s);
	if (d == NULL)
		return -1;
	nv[(*n)++] = d;
	return 0;
}

hearth_status hearth_instrument_dirs(char ***dirs, size_t *n)
{
	const char *env = getenv("HEARTH_DATA_DIR");
	char buf[4096];

	if (dirs == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for directories");
	*dirs = NULL;
	*n = 0;
	if (env != NULL && env[0] != '\0') {
		snprintf(buf, sizeof buf, "%s/instruments", env);
		if (push_str(dirs, n, buf) != 0)
			goto oom;
	}
#ifdef HEARTH_SRCDATADIR
	if (push_str(dirs, n, HEARTH_SRCDATADIR "/instruments") != 0)
		goto oom;
#endif
#ifdef HEARTH_DATADIR
	if (push_str(dirs, n, HEARTH_DATADIR "/instruments") != 0)
		goto oom;
#endif
	return HEARTH_OK;
oom:
	hearth_instrument_ids_free(*dirs, *n);
	*dirs = NULL;
	*n = 0;
	return hearth_fail(HEARTH_ENOMEM, "out of memory");
}

void hearth_instrument_ids_free(char **ids, size_t n)
{
	size_t i;

	if (ids == NULL)
		return;
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

hearth_status hearth_instrument_find(const char *id, hearth_instrument **out)
{
	char **dirs = NULL;
	size_t n = 0, i;
	hearth_status st;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for instrument");
	*out = NULL;
	if (id == NULL || !id_is_file_id(id))
		return hearth_fail(HEARTH_EINVAL, "'%.40s' is not an instrument "
				   "id (see 'hearth instruments list')",
				   id != NULL ? id : "");
	if ((st = hearth_instrument_dirs(&dirs, &n)) != HEARTH_OK)
		return st;
	st = hearth_fail(HEARTH_ENOTFOUND, "no instrument '%s' (see 'hearth "
			 "instruments list')", id);
	for (i = 0; i < n; i++) {
		char path[4200];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s.json", dirs[i], id);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		st = hearth_instrument_load_file(path, out);
		if (st == HEARTH_OK && strcmp(hearth_instrument_id(*out), id)
		    != 0) {
			st = hearth_fail(HEARTH_EFORMAT, "%s.json: $.id: '%s' "
					 "does not match the file name", id,
					 hearth_instrument_id(*out));
			hearth_instrument_free(*out);
			*out = NULL;
		}
		break;
	}
	hearth_instrument_ids_free(dirs, n);
	return st;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

hearth_status hearth_instrument_list(char ***ids, size_t *n)
{
	char **dirs = NULL, **v = NULL;
	size_t nd = 0, nv = 0, i, j;
	hearth_status st;

	if (ids == NULL || n == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for instruments");
	*ids = NULL;
	*n = 0;
	if ((st = hearth_instrument_dirs(&dirs, &nd)) != HEARTH_OK)
		return st;
	for (i = 0; i < nd; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char stem[MAX_ID_LEN + 1];
			size_t len = strlen(e->d_name);
			if (len < 6 || len - 5 > MAX_ID_LEN ||
			    strcmp(e->d_name + len - 5, ".json") != 0)
				continue;
			memcpy(stem, e->d_name, len - 5);
			stem[len - 5] = '\0';
			if (!id_is_file_id(stem))
				continue;
			for (j = 0; j < nv; j++)
				if (strcmp(v[j], stem) == 0)
					break;
			if (j < nv)
				continue;
			if (push_str(&v, &nv, stem) != 0) {
				closedir(d);
				st = hearth_fail(HEARTH_ENOMEM, "out of memory");
				goto out;
			}
		}
		closedir(d);
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, cmp_str);
	*ids = v;
	*n = nv;
	v = NULL;
	nv = 0;
out:
	hearth_instrument_ids_free(v, nv);
	hearth_instrument_ids_free(dirs, nd);
	return st;
}

/* ---- accessors ---- */

const char *hearth_instrument_id(const hearth_instrument *inst)
{
	return inst->id;
}

const char *hearth_instrument_version(const hearth_instrument *inst)
{
	return inst->version;
}

const hearth_text *hearth_instrument_title(const hearth_instrument *inst)
{
	return &inst->title;
}

const hearth_text *hearth_instrument_lead_in(const hearth_instrument *inst)
{
	return &inst->lead_in;
}

const char *hearth_instrument_administration(const hearth_instrument *inst)
{
	return inst->administration;
}

const char *hearth_instrument_licence(const hearth_instrument *inst)
{
	return inst->licence;
}

const char *hearth_instrument_source(const hearth_instrument *inst)
{
	return inst->source;
}

const char *hearth_instrument_wording(const hearth_instrument *inst,
				      const char *lang)
{
	const char *l = hearth_lang_normalise(lang);

	return l != NULL && strcmp(l, "zh_CN") == 0 ? inst->wording_zh
						    : inst->wording_en;
}

const char *hearth_instrument_translation(const hearth_instrument *inst)
{
	return inst->translation;
}

int hearth_instrument_has_unofficial(const hearth_instrument *inst)
{
	return inst->has_unofficial;
}

const char *hearth_instrument_translation_notice(const hearth_instrument *inst,
						 const char *lang)
{
	hearth_text t;

	if (!inst->has_unofficial)
		return NULL;
	/* A wholly unofficial translation is mentioned in every output; a
	 * part (a lead-in, a title) only where the Chinese is shown. */
	if (strcmp(inst->translation, "unofficial") != 0 &&
	    !(lang != NULL && lang[0] == 'z' && lang[1] == 'h'))
		return NULL;
	t.en = inst->notice_en;
	t.zh_CN = inst->notice_zh;
	t.zh_unofficial = 0;
	return hearth_text_get(&t, lang);
}

hearth_scoring_method hearth_instrument_method(const hearth_instrument *inst)
{
	return inst->method;
}

size_t hearth_instrument_n_items(const hearth_instrument *inst)
{
	return inst->n_items;
}

const hearth_item *hearth_instrument_item(const hearth_instrument *inst,
					  size_t i)
{
	return i < inst->n_items ? &inst->items[i] : NULL;
}

size_t hearth_instrument_item_index(const hearth_instrument *inst,
				    const char *id)
{
	return id != NULL ? find_item(inst, inst->n_items, id) : (size_t)-1;
}

const hearth_item *hearth_instrument_difficulty(const hearth_instrument *inst)
{
	return inst->has_difficulty ? &inst->difficulty : NULL;
}

int hearth_instrument_total_max(const hearth_instrument *inst)
{
	return inst->total_max;
}

int hearth_instrument_display_max(const hearth_instrument *inst)
{
	return inst->total_max * inst->multiplier;
}

int hearth_instrument_multiplier(const hearth_instrument *inst)
{
	return inst->multiplier;
}

size_t hearth_instrument_n_bands(const hearth_instrument *inst)
{
	return inst->n_bands;
}

const hearth_outcome *hearth_instrument_band(const hearth_instrument *inst,
					     size_t i, int *min, int *max)
{
	if (i >= inst->n_bands)
		return NULL;
	if (min != NULL)
		*min = inst->bands[i].min;
	if (max != NULL)
		*max = inst->bands[i].max;
	return &inst->bands[i].o;
}

const hearth_outcome *hearth_instrument_band_find(const hearth_instrument *inst,
						  const char *id)
{
	size_t i;

	for (i = 0; inst != NULL && id != NULL && i < inst->n_bands; i++)
		if (strcmp(inst->bands[i].o.id, id) == 0)
			return &inst->bands[i].o;
	return NULL;
}

/* The instruments a list of screenings names, each looked up once: NULL
 * inst for an id not installed here (or whose file is broken). */
struct hearth_band_labels {
	char lang[8];
	size_t n;
	struct band_labels_entry {
		char *id;
		hearth_instrument *inst;
	} *v;
};

hearth_status hearth_band_labels_new(const char *lang, hearth_band_labels **out)
{
	hearth_band_labels *l;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for band labels");
	*out = NULL;
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	snprintf(l->lang, sizeof l->lang, "%s",
		 lang != NULL && lang[0] == 'z' && lang[1] == 'h' ? "zh_CN" : "en");
	*out = l;
	return HEARTH_OK;
}

/* The loaded instrument id, loading it on first use; NULL when it cannot
 * be had (then the band is shown as stored, and nothing is reported). */
static const hearth_instrument *band_labels_instrument(hearth_band_labels *l,
							const char *id)
{
	struct band_labels_entry *v;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return l->v[i].inst;
	v = realloc(l->v, (l->n + 1) * sizeof *v);
	if (v == NULL)
		return NULL;
	l->v = v;
	v[l->n].id = strdup(id);
	if (v[l->n].id == NULL)
		return NULL;
	if (hearth_instrument_find(id, &v[l->n].inst) != HEARTH_OK) {
		hearth_errdetail_clear();
		v[l->n].inst = NULL;
	}
	return v[l->n++].inst;
}

const char *hearth_band_labels_get(hearth_band_labels *l,
				   const char *instrument, const char *band)
{
	const hearth_outcome *o;

	if (band == NULL)
		return "";
	if (l == NULL || instrument == NULL)
		return band;
	o = hearth_instrument_band_find(band_labels_instrument(l, instrument), band);
	return o != NULL ? hearth_text_get(&o->label, l->lang) : band;
}

void hearth_band_labels_free(hearth_band_labels *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		hearth_instrument_free(l->v[i].inst);
	}
	free(l->v);
	free(l);
}

size_t hearth_instrument_n_rules(const hearth_instrument *inst)
{
	return inst->n_rules;
}

const hearth_outcome *hearth_instrument_rule(const hearth_instrument *inst,
					     size_t i)
{
	return i < inst->n_rules ? &inst->rules[i].o : NULL;
}

int hearth_instrument_cutoff(const hearth_instrument *inst, int *has_cutoff,
			     int *at_or_below, const char **setting)
{
	if (has_cutoff != NULL)
		*has_cutoff = inst->has_cutoff;
	if (at_or_below != NULL)
		*at_or_below = inst->at_or_below;
	if (setting != NULL)
		*setting = inst->setting;
	return inst->has_cutoff ? inst->cutoff : 0;
}

size_t hearth_instrument_cutoff_choices(const hearth_instrument *inst,
					const int **choices)
{
	if (choices != NULL)
		*choices = inst->choices;
	return inst->has_cutoff ? inst->n_choices : 0;
}

const char *hearth_text_get(const hearth_text *t, const char *lang)
{
	if (t == NULL)
		return "";
	if (lang != NULL && lang[0] == 'z' && lang[1] == 'h')
		return t->zh_CN != NULL ? t->zh_CN : t->en;
	return t->en;
}

const char *hearth_lang_normalise(const char *lang)
{
	if (lang == NULL || lang[0] == '\0')
		return NULL;
	if (strncmp(lang, "zh", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' ||
	     lang[2] == '.'))
		return "zh_CN";
	if (strncmp(lang, "en", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' ||
	     lang[2] == '.'))
		return "en";
	if (strcmp(lang, "C") == 0 || strncmp(lang, "C.", 2) == 0 ||
	    strcmp(lang, "POSIX") == 0)
		return "en";
	return NULL;
}

/* ---- answers ---- */

int hearth_instrument_item_shown(const hearth_instrument *inst, size_t i,
				 const int *answers)
{
	const hearth_item *it;

	if (i >= inst->n_items)
		return 0;
	it = &inst->items[i];
	if (it->show_if_item == NULL)
		return 1;
	return answers[it->show_if_index] == it->show_if_value;
}

void hearth_item_choices(const hearth_item *item, char *buf, size_t size)
{
	size_t i, len = 0;
	int consecutive = 1;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (item == NULL || item->n_options == 0)
		return;
	for (i = 1; i < item->n_options; i++) {
		int d = item->options[i].value - item->options[i - 1].value;
		if (d != 1 && d != -1)
			consecutive = 0;
	}
	if (consecutive) {
		snprintf(buf, size, "%d-%d", item->min_value, item->max_value);
		return;
	}
	for (i = 0; i < item->n_options && len < size; i++) {
		/* Listed low to high whatever the file's order. */
		size_t k = item->options[0].value < item->options[1].value
				   ? i : item->n_options - 1 - i;
		int w = snprintf(buf + len, size - len, "%s%d",
				 i ? ", " : "", item->options[k].value);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

hearth_status hearth_answers_parse(const char *text, size_t len,
				   hearth_answer_list *out)
{
	size_t pos = 0;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no output for answers");
	out->n = 0;
	if (text == NULL)
		len = 0;
	/* One trailing comma is a slip, not an extra skipped answer. */
	if (len > 0 && text[len - 1] == ',')
		len--;
	{
		size_t k;
		int blank = 1;
		for (k = 0; k < len; k++)
			if (text[k] != ' ' && text[k] != '\t')
				blank = 0;
		if (blank)
			return hearth_fail(HEARTH_EINVAL, "no answers: give "
					   "them as 1,0,2,...");
	}
	for (;;) {
		size_t start = pos, end, a, b;
		int value = 0;

		while (pos < len && text[pos] != ',')
			pos++;
		end = pos;
		a = start;
		b = end;
		while (a < b && (text[a] == ' ' || text[a] == '\t'))
			a++;
		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
			b--;
		if (out->n >= HEARTH_INSTRUMENT_MAX_ITEMS)
			return hearth_fail(HEARTH_EINVAL, "more than %u answers",
					   HEARTH_INSTRUMENT_MAX_ITEMS);
		if (a == b || (b - a == 1 && text[a] == '-')) {
			value = HEARTH_ANSWER_NONE;
		} else {
			size_t k;
			int ok = b - a <= 3;
			for (k = a; ok && k < b; k++) {
				if (text[k] < '0' || text[k] > '9')
					ok = 0;
				else
					value = value * 10 + (text[k] - '0');
			}
			if (!ok) {
				char shown[20];
				size_t m = 0;
				/* Quote at most 16 bytes, printable ASCII
				 * only: the input may be anything. */
				for (k = a; k < b && m < 16; k++)
					shown[m++] = (text[k] >= 0x20 &&
						      text[k] < 0x7f)
							     ? text[k] : '?';
				shown[m] = '\0';
				return hearth_fail(HEARTH_EINVAL, "answer %zu is "
						   "'%s%s': expected a number",
						   out->n + 1, shown,
						   b - a > 16 ? "..." : "");
			}
		}
		out->values[out->n++] = value;
		if (end >= len)
			break;
		pos = end + 1;
	}
	return HEARTH_OK;
}

hearth_status hearth_instrument_answers_map(const hearth_instrument *inst,
					    const hearth_answer_list *list,
					    int answers[HEARTH_INSTRUMENT_MAX_ITEMS])
{
	size_t i, j = 0, asked = 0, first_missing = (size_t)-1;

	if (inst == NULL || list == NULL || answers == NULL)
		return hearth_fail(HEARTH_EINVAL, "no instrument or answers");
	for (i = 0; i < HEARTH_INSTRUMENT_MAX_ITEMS; i++)
		answers[i] = HEARTH_ANSWER_NONE;
	for (i = 0; i < inst->n_items; i++) {
		const hearth_item *it = &inst->items[i];
		int v;

		if (!hearth_instrument_item_shown(inst, i, answers)) {
			if (j < list->n && list->values[j] == HEARTH_ANSWER_NONE)
				j++;
			continue;
		}
		asked++;
		if (j >= list->n) {
			if (first_missing == (size_t)-1)
				first_missing = i;
			continue;
		}
		v = list->values[j++];
		if (v == HEARTH_ANSWER_NONE) {
			if (first_missing == (size_t)-1)
				first_missing = i;
			continue;
		}
		if (!option_has(it, v)) {
			char choices[96];
			hearth_item_choices(it, choices, sizeof choices);
			return hearth_fail(HEARTH_EINVAL, "answer %zu is %d: "
					   "choose %s", j, v, choices);
		}
		answers[i] = v;
	}
	if (j < list->n) {
		char skipped[256];
		size_t len = 0;
		skipped[0] = '\0';
		for (i = 0; i < inst->n_items && len < 200; i++)
			if (!hearth_instrument_item_shown(inst, i, answers)) {
				int w = snprintf(skipped + len,
						 sizeof skipped - len, "%s%s",
						 len ? ", " : "",
						 inst->items[i].id);
				if (w > 0)
					len += (size_t)w;
			}
		if (len > 0 && strchr(skipped, ',') != NULL)
			return hearth_fail(HEARTH_EINVAL, "too many answers: %zu "
					   "given, %zu asked (with these "
					   "answers items %s are skipped: leave "
					   "them out or write '-')", list->n,
					   asked, skipped);
		if (len > 0)
			return hearth_fail(HEARTH_EINVAL, "too many answers: %zu "
					   "given, %zu asked (with these "
					   "answers item %s is skipped: leave "
					   "them out or write '-')", list->n,
					   asked, skipped);
		return hearth_fail(HEARTH_EINVAL, "too many answers: %zu given, "
				   "%zu asked", list->n, asked);
	}
	if (first_missing != (size_t)-1)
		return hearth_fail(HEARTH_EINCOMPLETE, "item %s is unanswered: "
				   "nothing was scored",
				   inst->items[first_missing].id);
	return HEARTH_OK;
}

/* ---- scoring ---- */

static const int risk_rank_none = 0;

static int risk_rank(const char *r)
{
	if (r == NULL)
		return risk_rank_none;
	if (strcmp(r, "low") == 0)
		return 1;
	if (strcmp(r, "moderate") == 0)
		return 2;
	return 3;
}

static void add_outcome(hearth_score *s, const hearth_outcome *o)
{
	size_t i, j;

	if (s->n_outcomes < HEARTH_SCORE_MAX_OUTCOMES)
		s->outcomes[s->n_outcomes++] = o;
	for (i = 0; i < o->n_flags; i++) {
		for (j = 0; j < s->n_flags; j++)
			if (strcmp(s->flags[j], o->flags[i]) == 0)
				break;
		if (j == s->n_flags && s->n_flags < HEARTH_SCORE_MAX_FLAGS)
			s->flags[s->n_flags++] = o->flags[i];
	}
	if (risk_rank(o->risk) > risk_rank(s->risk))
		s->risk = o->risk;
	if (s->suggest == NULL && o->action.kind == HEARTH_ACTION_FULL_FORM)
		s->suggest = o->action.instrument;
}

hearth_status hearth_instrument_check_difficulty(const hearth_instrument *inst,
						 int difficulty)
{
	char choices[96];

	if (inst == NULL)
		return hearth_fail(HEARTH_EINVAL, "no instrument");
	if (difficulty == HEARTH_ANSWER_NONE)
		return HEARTH_OK;
	if (!inst->has_difficulty)
		return hearth_fail(HEARTH_EINVAL, "instrument '%s' has no "
				   "difficulty question", inst->id);
	if (option_has(&inst->difficulty, difficulty))
		return HEARTH_OK;
	hearth_item_choices(&inst->difficulty, choices, sizeof choices);
	return hearth_fail(HEARTH_EINVAL, "difficulty is %d: choose %s",
			   difficulty, choices);
}

hearth_status hearth_instrument_score(const hearth_instrument *inst,
				      const int *answers, size_t n,
				      const hearth_score_options *opt,
				      hearth_score *out)
{
	hearth_score s;
	size_t i, first_missing = (size_t)-1;
	int cutoff = 0;

	if (inst == NULL || out == NULL || (answers == NULL && n > 0))
		return hearth_fail(HEARTH_EINVAL, "no instrument or answers");
	if (n != inst->n_items)
		return hearth_fail(HEARTH_EINVAL, "%zu answers for instrument "
				   "'%s', which has %zu items", n, inst->id,
				   inst->n_items);
	if (inst->has_cutoff) {
		cutoff = inst->cutoff;
		if (opt != NULL && opt->cutoff != 0) {
			for (i = 0; i < inst->n_choices; i++)
				if (inst->choices[i] == opt->cutoff)
					break;
			if (i == inst->n_choices)
				return hearth_fail(HEARTH_EINVAL, "cut-off %d is "
						   "not offered for '%s'",
						   opt->cutoff, inst->id);
			cutoff = opt->cutoff;
		}
	} else if (opt != NULL && opt->cutoff != 0) {
		return hearth_fail(HEARTH_EINVAL, "instrument '%s' has no "
				   "cut-off to change", inst->id);
	}
	for (i = 0; i < inst->n_items; i++) {
		const hearth_item *it = &inst->items[i];
		int shown = hearth_instrument_item_shown(inst, i, answers);
		if (!shown) {
			if (answers[i] != HEARTH_ANSWER_NONE)
				return hearth_fail(HEARTH_EINVAL, "item %s is "
						   "asked only when item %s is "
						   "%d: leave it unanswered",
						   it->id, it->show_if_item,
						   it->show_if_value);
			continue;
		}
		if (answers[i] == HEARTH_ANSWER_NONE) {
			if (first_missing == (size_t)-1)
				first_missing = i;
			continue;
		}
		if (!option_has(it, answers[i])) {
			char choices[96];
			hearth_item_choices(it, choices, sizeof choices);
			return hearth_fail(HEARTH_EINVAL, "answer %zu is %d: "
					   "choose %s", i + 1, answers[i],
					   choices);
		}
	}
	if (first_missing != (size_t)-1)
		return hearth_fail(HEARTH_EINCOMPLETE, "item %s is unanswered: "
				   "nothing was scored",
				   inst->items[first_missing].id);

	memset(&s, 0, sizeof s);
	s.instrument = inst->id;
	s.version = inst->version;
	if (inst->method == HEARTH_SCORING_SUM) {
		for (i = 0; i < inst->n_items; i++) {
			const hearth_item *it = &inst->items[i];
			if (!it->scored || answers[i] == HEARTH_ANSWER_NONE)
				continue;
			s.total += it->reverse ? it->min_value + it->max_value -
							 answers[i]
					       : answers[i];
		}
		s.display = s.total * inst->multiplier;
		s.display_max = inst->total_max * inst->multiplier;
		s.cutoff = cutoff;
		if (inst->has_cutoff)
			s.positive = inst->at_or_below ? s.total <= cutoff
						       : s.total >= cutoff;
		for (i = 0; i < inst->n_bands; i++)
			if (s.total >= inst->bands[i].min &&
			    s.total <= inst->bands[i].max)
				break;
		/* The loader proved the bands cover every reachable total. */
		if (i == inst->n_bands)
			return hearth_fail(HEARTH_ERROR, "total %d of '%s' is in "
					   "no band", s.total, inst->id);
		s.band = &inst->bands[i].o;
	} else {
		for (i = 0; i < inst->n_items; i++)
			if (answers[i] != HEARTH_ANSWER_NONE &&
			    answers[i] > inst->items[i].min_value)
				s.total++;
		s.display = s.total;
		s.display_max = (int)inst->n_items;
		for (i = 0; i + 1 < inst->n_bands; i++)
			if (cond_eval(inst->bands[i].when, answers))
				break;
		s.band = &inst->bands[i].o;
		s.positive = s.band->positive;
	}
	add_outcome(&s, s.band);
	for (i = 0; i < inst->n_rules; i++)
		if (cond_eval(inst->rules[i].when, answers))
			add_outcome(&s, &inst->rules[i].o);
	for (i = 0; i < s.n_flags; i++)
		if (strcmp(s.flags[i], HEARTH_FLAG_SAFETY) == 0)
			s.safety = 1;
	if (s.risk != NULL && strcmp(s.risk, "high") == 0)
		s.safety = 1;
	*out = s;
	return HEARTH_OK;
}
