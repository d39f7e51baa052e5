/*
 * test_share.c - consent shares (hearth/share.h): an employee shares
 * journal entries with one counsellor chosen by a contact code; the
 * entries reach only that counsellor, appear on the person's timeline
 * they tie the share to, and after unshare nothing new does.
 *
 * Suite 'share'.  Three vaults on real SQLite files (employee E, chosen
 * counsellor A, another counsellor B) with real identities and libsodium.
 * There is no bundle yet: the share space's control ops (epoch 0, whose
 * key is public) are applied directly; its data ops travel the way they
 * will travel, each sealed in an envelope at the epoch current when it
 * is sent, signed by E's device, and are applied only if the receiver's
 * own trust (hearth_space_trust: membership and its keyring) opens it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/instruments.h"
#include "hearth/journal.h"
#include "hearth/person.h"
#include "hearth/schema.h"
#include "hearth/share.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

#include "testutil.h"

/* ---- vaults on files ---------------------------------------------------------- */

typedef struct vault {
	fixture *f;
	hearth_store *s;
	uint64_t sent;            /* arrival cursor of what was shipped */
} vault;

/* A store on a file (testutil.h) with its identity and device key. */
static void vault_open(vault *v)
{
	void *st = NULL;

	memset(v, 0, sizeof *v);
	assert_int_equal(store_setup(&st), 0);
	v->f = st;
	v->s = v->f->s;
	assert_int_equal(hearth_devices_ensure(v->s, NULL), HEARTH_OK);
}

static void vault_close(vault *v)
{
	void *st = v->f;

	store_teardown(&st);
}

static char *contact_of(vault *v)
{
	char *code = NULL;

	assert_int_equal(hearth_share_contact(v->s, &code), HEARTH_OK);
	assert_non_null(code);
	return code;
}

static void fingerprint_of(vault *v, char fp[HEARTH_FINGERPRINT_LEN + 1])
{
	assert_int_equal(hearth_identity_fingerprint_get(v->s, fp), HEARTH_OK);
}

typedef struct counted {
	const hearth_id *space; /* NULL: any */
	size_t n;
} counted;

static int count_cb(const hearth_record *r, void *ctx)
{
	counted *c = ctx;

	c->n += c->space == NULL || hearth_id_equal(&r->space, c->space);
	return 0;
}

static size_t count_in(vault *v, const char *kind, const hearth_id *space)
{
	counted c = { space, 0 };

	assert_int_equal(hearth_store_each(v->s, kind, 0, count_cb, &c), HEARTH_OK);
	return c.n;
}

/* ---- shipping a space's ops ------------------------------------------------------ */

/* The envelopes of one shipment: control ops as they are, data ops sealed. */
typedef struct shipment {
	hearth_op *control;       /* deep copies */
	size_t ncontrol, ccap;
	uint8_t **env;
	size_t *len;
	size_t nenv, ecap;
	uint64_t epoch;           /* the data ops' epoch */
} shipment;

typedef struct ship_ctx {
	shipment *sh;
	const hearth_id *space;
	const uint8_t *key, *sk;
	uint64_t device, last;
} ship_ctx;

static void copy_op(hearth_op *c, const hearth_op *op)
{
	*c = *op;
	c->kind = strdup(op->kind);
	c->field = strdup(op->field);
	c->value = op->value ? strdup(op->value) : NULL;
	c->prev = NULL;
	if (op->nprev > 0) {
		hearth_op_id *p = malloc(op->nprev * sizeof *p);

		assert_non_null(p);
		memcpy(p, op->prev, op->nprev * sizeof *p);
		c->prev = p;
	}
}

static void free_op(hearth_op *o)
{
	free((char *)o->kind);
	free((char *)o->field);
	free((char *)o->value);
	free((void *)o->prev);
}

static int ship_cb(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	ship_ctx *c = ctx;
	shipment *sh = c->sh;

	c->last = arrival;
	/* Each vault sends what it wrote: others' envelopes are theirs. */
	if (state == HEARTH_OP_SUPERSEDED || !hearth_id_equal(&op->space, c->space) ||
	    op->id.device != c->device)
		return 0;
	if (hearth_op_is_control(op)) {
		if (sh->ncontrol == sh->ccap) {
			sh->ccap = sh->ccap ? 2 * sh->ccap : 32;
			sh->control = realloc(sh->control, sh->ccap * sizeof *sh->control);
			assert_non_null(sh->control);
		}
		copy_op(&sh->control[sh->ncontrol++], op);
		return 0;
	}
	if (sh->nenv == sh->ecap) {
		sh->ecap = sh->ecap ? 2 * sh->ecap : 32;
		sh->env = realloc(sh->env, sh->ecap * sizeof *sh->env);
		sh->len = realloc(sh->len, sh->ecap * sizeof *sh->len);
		assert_non_null(sh->env);
		assert_non_null(sh->len);
	}
	/* One op an envelope: a device's seqs in one space have gaps. */
	assert_int_equal(hearth_envelope_seal(op, 1, c->space, sh->epoch, c->key, c->sk,
					      &sh->env[sh->nenv], &sh->len[sh->nenv]), HEARTH_OK);
	sh->nenv++;
	return 0;
}

/* What from wrote in space since its last shipment, data ops sealed at
 * the epoch current now on from's side. */
static void ship(vault *from, const hearth_id *space, shipment *sh)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	hearth_space_state *st;
	hearth_device_key *dk;
	ship_ctx c;
	int found = 0;

	memset(sh, 0, sizeof *sh);
	assert_int_equal(hearth_space_load(from->s, space, &st), HEARTH_OK);
	assert_non_null(st->current);
	sh->epoch = st->current->epoch;
	hearth_space_state_free(st);
	assert_int_equal(hearth_keyring_get(from->s, space, sh->epoch, key, &found), HEARTH_OK);
	assert_true(found);
	assert_int_equal(hearth_device_key_load(from->s, &dk, NULL), HEARTH_OK);
	c.sh = sh;
	c.space = space;
	c.key = key;
	c.sk = hearth_device_key_secret(dk);
	c.last = from->sent;
	c.device = hearth_store_device(from->s);
	assert_int_equal(hearth_store_ops_since(from->s, from->sent, ship_cb, &c), HEARTH_OK);
	from->sent = c.last;
	hearth_device_key_free(dk);
	sodium_memzero(key, sizeof key);
}

static void shipment_free(shipment *sh)
{
	size_t i;

	for (i = 0; i < sh->ncontrol; i++)
		free_op(&sh->control[i]);
	for (i = 0; i < sh->nenv; i++)
		free(sh->env[i]);
	free(sh->control);
	free(sh->env);
	free(sh->len);
	memset(sh, 0, sizeof *sh);
}

/* Receives a shipment: the control ops, the keys sealed to this device,
 * then each envelope this vault's trust opens.  Returns how many opened. */
static size_t receive(vault *to, const hearth_id *space, const shipment *sh)
{
	hearth_space_trust *t;
	size_t i, opened = 0;

	if (sh->ncontrol > 0)
		assert_int_equal(hearth_store_apply(to->s, sh->control, sh->ncontrol, NULL),
				 HEARTH_OK);
	assert_int_equal(hearth_space_refresh(to->s, space, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_trust_new(to->s, &t), HEARTH_OK);
	for (i = 0; i < sh->nenv; i++) {
		hearth_envelope_trust tr = hearth_space_trust_envelope(t);
		hearth_envelope_batch b;
		hearth_status st;

		memset(&b, 0, sizeof b);
		st = hearth_envelope_open(sh->env[i], sh->len[i], &tr, &b);
		if (st == HEARTH_OK) {
			assert_int_equal(hearth_store_apply(to->s, b.ops, b.n, NULL), HEARTH_OK);
			opened++;
		} else {
			/* Refused for want of the key, never for anything else. */
			assert_int_equal(st, HEARTH_ENOTFOUND);
		}
		hearth_envelope_batch_release(&b);
	}
	hearth_space_trust_free(t);
	return opened;
}

/* No wrap of any epoch of space opens with v's device key. */
static void assert_no_wrap_opens(vault *v, const hearth_id *space)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	hearth_space_state *st;
	hearth_device_key *dk;
	size_t i, j;

	assert_int_equal(hearth_device_key_load(v->s, &dk, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_load(v->s, space, &st), HEARTH_OK);
	assert_true(st->nepochs > 0);
	for (i = 0; i < st->nepochs; i++)
		for (j = 0; j < st->epochs[i].nwraps; j++)
			assert_int_not_equal(hearth_epoch_unwrap(st->epochs[i].wraps[j].sealed,
					     hearth_device_key_secret(dk), key), HEARTH_OK);
	hearth_space_state_free(st);
	hearth_device_key_free(dk);
}

static int holds_key(vault *v, const hearth_id *space, uint64_t e)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	int found = 0;

	assert_int_equal(hearth_keyring_get(v->s, space, e, key, &found), HEARTH_OK);
	return found;
}

/* ---- listing helpers ------------------------------------------------------------- */

typedef struct first_share {
	int n;
	hearth_share_info i;
} first_share;

static int first_cb(const hearth_share_info *i, void *ctx)
{
	first_share *f = ctx;

	if (f->n++ == 0) {
		f->i = *i;
		f->i.name = NULL;
	}
	return 0;
}

static first_share shares_of(vault *v)
{
	first_share f;

	memset(&f, 0, sizeof f);
	assert_int_equal(hearth_shares_each(v->s, first_cb, &f), HEARTH_OK);
	return f;
}

static size_t shared_on_timeline(vault *v, const hearth_id *person)
{
	hearth_timeline *t = NULL;
	size_t i, n = 0;

	assert_int_equal(hearth_person_timeline(v->s, person, &t), HEARTH_OK);
	for (i = 0; i < t->n; i++)
		n += strcmp(t->items[i].kind, "shared") == 0;
	hearth_timeline_free(t);
	return n;
}

static hearth_id new_person(vault *v, const char *name)
{
	hearth_person_fields f;
	hearth_id id;

	memset(&f, 0, sizeof f);
	f.name = name;
	assert_int_equal(hearth_person_add(v->s, &f, &id), HEARTH_OK);
	return id;
}

/* ---- the tests --------------------------------------------------------------------- */

/* Entries shared with A reach A only: B, given every control op and every
 * envelope, holds no key that opens them and applies nothing.  A ties the
 * share to a person and sees the entries there, marked shared.  The
 * private originals stay where they were. */
static void test_share_reaches_only_chosen(void **state)
{
	vault e, a, b;
	hearth_instrument *phq9 = NULL;
	hearth_journal_screened scr;
	hearth_share_request req;
	hearth_share_result res;
	hearth_id tired, good, priv, person;
	hearth_record *r = NULL;
	shipment sh;
	char *code;
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	int answers[9] = { 2, 2, 1, 1, 1, 0, 0, 0, 1 };
	first_share fs;
	size_t ops;

	(void)state;
	vault_open(&e);
	vault_open(&a);
	vault_open(&b);
	priv = hearth_store_private_space(e.s);
	assert_int_equal(hearth_journal_add(e.s, "2026-11-30", 2, "tired after the night shift",
					    &tired), HEARTH_OK);
	assert_int_equal(hearth_journal_add(e.s, "2026-12-01", 4, "a good talk with my sister",
					    &good), HEARTH_OK);
	assert_int_equal(hearth_instrument_find("phq9", &phq9), HEARTH_OK);
	assert_int_equal(hearth_journal_screen(e.s, phq9, answers, 9, "2026-12-02", NULL,
					       "not sleeping", &scr), HEARTH_OK);
	hearth_instrument_free(phq9);

	/* E shares the tired check-in and the self-screening with A. */
	code = contact_of(&a);
	{
		hearth_id pick[2] = { tired, scr.entry };

		memset(&req, 0, sizeof req);
		req.contact = code;
		req.entries = pick;
		req.n = 2;
		req.name = "Wang's journal";
		assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	}
	assert_true(res.created);
	assert_int_equal(res.copied, 2);
	assert_int_equal(res.already, 0);
	assert_false(res.follow);
	fingerprint_of(&a, fp);
	assert_string_equal(res.fingerprint, fp);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 2);
	assert_int_equal(count_audit(e.s, HEARTH_AUDIT_JOURNAL_SHARE), 1);
	/* The originals stay private and unchanged. */
	assert_int_equal(hearth_record_load(e.s, &tired, &r), HEARTH_OK);
	assert_true(hearth_id_equal(&r->space, &priv));
	assert_false(r->deleted);
	hearth_record_free(r);
	assert_int_equal(count_in(&e, HEARTH_JOURNAL_KIND, &priv), 3);
	/* The journal's own list says which went out. */
	{
		hearth_journal_list *l = NULL;

		assert_int_equal(hearth_journal_entries(e.s, NULL, NULL, &l), HEARTH_OK);
		assert_int_equal(l->n, 3);
		assert_true(l->items[0].shared);   /* tired */
		assert_false(l->items[1].shared);  /* good */
		assert_true(l->items[2].shared);   /* the self-screening */
		hearth_journal_list_free(l);
	}
	/* Sharing one again copies nothing twice. */
	{
		hearth_id again[2] = { tired, good };
		hearth_share_result res2;

		req.entries = again;
		req.n = 2;
		assert_int_equal(hearth_journal_share(e.s, &req, &res2), HEARTH_OK);
		assert_false(res2.created);
		assert_true(hearth_id_equal(&res2.space, &res.space));
		assert_int_equal(res2.copied, 1);
		assert_int_equal(res2.already, 1);
	}
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 3);
	fs = shares_of(&e);
	assert_int_equal(fs.n, 1);
	assert_true(fs.i.mine);
	assert_true(fs.i.active);
	assert_int_equal(fs.i.entries, 3);
	assert_string_equal(fs.i.counsellor, fp);

	/* Everything travels to both counsellors. */
	ship(&e, &res.space, &sh);
	assert_true(sh.nenv >= 3);
	assert_int_equal(receive(&a, &res.space, &sh), sh.nenv);
	ops = count_ops(b.s);
	assert_int_equal(receive(&b, &res.space, &sh), 0);
	/* B holds the public control ops and nothing else of the space. */
	assert_int_equal(count_ops(b.s), ops + sh.ncontrol);
	assert_false(holds_key(&b, &res.space, sh.epoch));
	assert_no_wrap_opens(&b, &res.space);
	assert_int_equal(count_in(&b, HEARTH_KIND_SHARED_ENTRY, NULL), 0);
	assert_int_equal(count_in(&b, HEARTH_KIND_SHARE, NULL), 0);
	assert_int_equal(shares_of(&b).n, 0);
	shipment_free(&sh);

	/* A holds the copies, marked with their source, in the share space. */
	assert_true(holds_key(&a, &res.space, sh.epoch));
	assert_int_equal(count_in(&a, HEARTH_KIND_SHARED_ENTRY, &res.space), 3);
	fs = shares_of(&a);
	assert_int_equal(fs.n, 1);
	assert_false(fs.i.mine);
	assert_true(fs.i.active);
	assert_false(fs.i.linked);
	assert_int_equal(fs.i.entries, 3);
	{
		char efp[HEARTH_FINGERPRINT_LEN + 1];

		fingerprint_of(&e, efp);
		assert_string_equal(fs.i.employee, efp);
	}
	/* A ties it to the person it is about; the timeline shows it. */
	person = new_person(&a, "王芳");
	assert_int_equal(shared_on_timeline(&a, &person), 0);
	assert_int_equal(hearth_share_link(a.s, &res.space, &person), HEARTH_OK);
	assert_int_equal(count_audit(a.s, HEARTH_AUDIT_SHARE_LINK), 1);
	assert_int_equal(shared_on_timeline(&a, &person), 3);
	{
		hearth_timeline *t = NULL;
		size_t i, phq = 0, tiredline = 0;

		assert_int_equal(hearth_person_timeline(a.s, &person, &t), HEARTH_OK);
		for (i = 0; i < t->n; i++) {
			phq += strstr(t->items[i].summary, "phq9") != NULL &&
			       strcmp(t->items[i].status, "") != 0;
			tiredline += strstr(t->items[i].summary, "tired after") != NULL;
		}
		assert_int_equal(phq, 1);
		assert_int_equal(tiredline, 1);
		assert_string_equal(t->items[0].when, "2026-11-30");
		hearth_timeline_free(t);
	}
	fs = shares_of(&a);
	assert_true(fs.i.linked);
	assert_true(hearth_id_equal(&fs.i.person, &person));
	/* B can tie nothing: it received no share. */
	{
		hearth_id bp = new_person(&b, "王芳");

		assert_int_equal(hearth_share_link(b.s, &res.space, &bp), HEARTH_ENOTFOUND);
	}
	free(code);
	vault_close(&e);
	vault_close(&a);
	vault_close(&b);
}

/* With all, new entries follow while the share lasts; unshare removes A:
 * a new epoch A holds no key of, no new entry copied, anything written in
 * the share afterwards unreadable to A; what A received stays. */
static void test_unshare(void **state)
{
	vault e, a;
	hearth_share_request req;
	hearth_share_result res;
	hearth_unshare_result un;
	hearth_id first, during, after, person;
	shipment sh;
	uint64_t old_epoch;
	char *code;
	size_t n;

	(void)state;
	vault_open(&e);
	vault_open(&a);
	assert_int_equal(hearth_journal_add(e.s, "2026-12-01", 3, "first", &first), HEARTH_OK);
	code = contact_of(&a);
	memset(&req, 0, sizeof req);
	req.contact = code;
	req.all = 1;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	assert_true(res.follow);
	assert_int_equal(res.copied, 1);
	/* Written while shared with all: it follows at once. */
	assert_int_equal(hearth_journal_add(e.s, "2026-12-02", 2, "during", &during), HEARTH_OK);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 2);
	ship(&e, &res.space, &sh);
	old_epoch = sh.epoch;
	assert_int_equal(receive(&a, &res.space, &sh), sh.nenv);
	shipment_free(&sh);
	person = new_person(&a, "Li");
	assert_int_equal(hearth_share_link(a.s, &res.space, &person), HEARTH_OK);
	assert_int_equal(shared_on_timeline(&a, &person), 2);

	/* The employee ends it. */
	assert_int_equal(hearth_journal_unshare(e.s, &res.space, &un), HEARTH_OK);
	assert_int_equal(un.kept, 2);
	assert_int_equal(count_audit(e.s, HEARTH_AUDIT_JOURNAL_UNSHARE), 1);
	assert_int_equal(hearth_journal_unshare(e.s, &res.space, &un), HEARTH_ESTATE);
	assert_false(shares_of(&e).i.active);
	assert_false(shares_of(&e).i.follow);
	/* A new entry no longer follows. */
	assert_int_equal(hearth_journal_add(e.s, "2026-12-03", 1, "after", &after), HEARTH_OK);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 2);
	/* Even what the employee still writes in the share (taking back the
	 * "during" entry) is sealed at the new epoch, which A cannot open. */
	assert_int_equal(hearth_journal_delete(e.s, &during), HEARTH_OK);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 1);
	ship(&e, &res.space, &sh);
	assert_true(sh.epoch != old_epoch);
	assert_true(sh.nenv >= 2);  /* follow off, the copy's tombstone */
	assert_int_equal(receive(&a, &res.space, &sh), 0);
	assert_false(holds_key(&a, &res.space, sh.epoch));
	shipment_free(&sh);
	/* What A received stays: the key it had, both entries, the timeline. */
	assert_true(holds_key(&a, &res.space, old_epoch));
	assert_int_equal(count_in(&a, HEARTH_KIND_SHARED_ENTRY, &res.space), 2);
	assert_int_equal(shared_on_timeline(&a, &person), 2);
	n = (size_t)shares_of(&a).n;
	assert_int_equal(n, 1);
	assert_false(shares_of(&a).i.active);
	/* A new share with A is a new space with a new key. */
	{
		hearth_share_result res2;

		req.all = 0;
		req.entries = &after;
		req.n = 1;
		assert_int_equal(hearth_journal_share(e.s, &req, &res2), HEARTH_OK);
		assert_true(res2.created);
		assert_false(hearth_id_equal(&res2.space, &res.space));
	}
	free(code);
	vault_close(&e);
	vault_close(&a);
}

/* Opens E and A, and E shares one new check-in (*entry) with A: the
 * request (its entries pointing at *entry) and result come back, and the
 * contact code, which the caller frees. */
static char *share_one(vault *e, vault *a, hearth_id *entry, hearth_share_request *req,
		       hearth_share_result *res)
{
	char *code;

	vault_open(e);
	vault_open(a);
	code = contact_of(a);
	assert_int_equal(hearth_journal_add(e->s, "2026-12-01", 3, NULL, entry), HEARTH_OK);
	memset(req, 0, sizeof *req);
	req->contact = code;
	req->entries = entry;
	req->n = 1;
	assert_int_equal(hearth_journal_share(e->s, req, res), HEARTH_OK);
	return code;
}

typedef struct copy_of {
	const hearth_id *source;
	hearth_id id;
	int n;
} copy_of;

static int copy_of_cb(const hearth_record *r, void *ctx)
{
	copy_of *c = ctx;
	char hex[HEARTH_ID_HEX + 1];
	const char *src = hearth_record_field(r, "source");

	hearth_id_to_hex(c->source, hex);
	if (src != NULL && strcmp(src, hex) == 0) {
		c->id = r->id;
		c->n++;
	}
	return 0;
}

/* A self-screening written while a share made with all lasts follows at
 * once: one copy, carrying the entry's and the screening's fields; the
 * screening record itself stays private.  A share of chosen entries takes
 * no new ones. */
static void test_follow_screening(void **state)
{
	vault e, a;
	hearth_instrument *phq9 = NULL;
	hearth_journal_screened scr;
	hearth_share_request req;
	hearth_share_result res;
	hearth_record *r = NULL;
	hearth_id entry;
	copy_of c;
	char *code;
	int answers[9] = { 3, 3, 2, 2, 2, 1, 1, 1, 1 };
	size_t audits;

	(void)state;
	code = share_one(&e, &a, &entry, &req, &res);
	assert_false(res.follow);
	assert_false(res.other_device);
	/* Chosen entries only: a new one stays private. */
	assert_int_equal(hearth_journal_add(e.s, "2026-12-02", 2, NULL, &entry), HEARTH_OK);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 1);
	/* Extended with all: that one now, and new ones from now on. */
	req.entries = NULL;
	req.n = 0;
	req.all = 1;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	assert_true(res.follow);
	assert_int_equal(res.copied, 1);
	assert_int_equal(res.already, 1);
	audits = count_audit(e.s, HEARTH_AUDIT_JOURNAL_SHARE);
	assert_int_equal(hearth_instrument_find("phq9", &phq9), HEARTH_OK);
	assert_int_equal(hearth_journal_screen(e.s, phq9, answers, 9, "2026-12-03 20:15", "zh_CN",
					       "cannot sleep", &scr), HEARTH_OK);
	assert_int_equal(count_audit(e.s, HEARTH_AUDIT_JOURNAL_SHARE), audits + 1);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 3);
	assert_int_equal(count_in(&e, "screening", &res.space), 0);
	memset(&c, 0, sizeof c);
	c.source = &scr.entry;
	assert_int_equal(hearth_store_each(e.s, HEARTH_KIND_SHARED_ENTRY, 0, copy_of_cb, &c),
			 HEARTH_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(hearth_record_load(e.s, &c.id, &r), HEARTH_OK);
	assert_true(hearth_id_equal(&r->space, &res.space));
	assert_string_equal(hearth_record_field(r, "date"), "2026-12-03");
	assert_string_equal(hearth_record_field(r, "text"), "cannot sleep");
	assert_string_equal(hearth_record_field(r, "instrument"), "phq9");
	assert_string_equal(hearth_record_field(r, "band"), scr.score.band->id);
	assert_string_equal(hearth_record_field(r, "at"), "2026-12-03 20:15");
	assert_string_equal(hearth_record_field(r, "answers"), "[3,3,2,2,2,1,1,1,1]");
	assert_null(hearth_record_field(r, "screening"));
	assert_null(hearth_record_field(r, "journal"));
	hearth_record_free(r);
	hearth_instrument_free(phq9); /* the score's band was borrowed from it */
	/* The same counsellor's code from another device (here: A moved to
	 * a new device id, with a new certified key): the share goes on,
	 * and the result says that device was not given the key. */
	free(code);
	assert_int_equal(hearth_store_new_device(a.s, "test"), HEARTH_OK);
	assert_int_equal(hearth_devices_ensure(a.s, NULL), HEARTH_OK);
	code = contact_of(&a);
	req.contact = code;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	assert_false(res.created);
	assert_true(res.other_device);
	/* A self-screening's entry cannot be deleted, so its copy stays. */
	assert_int_equal(hearth_journal_delete(e.s, &scr.entry), HEARTH_ESTATE);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 3);
	free(code);
	vault_close(&e);
	vault_close(&a);
}

typedef struct share_rec {
	const hearth_id *space;
	hearth_id id;
} share_rec;

static int share_rec_cb(const hearth_record *r, void *ctx)
{
	share_rec *c = ctx;

	if (hearth_id_equal(&r->space, c->space))
		c->id = r->id;
	return 0;
}

/* The counsellor can write in the share space, but cannot widen it: a
 * "follow" they set, or a journalshare record they make, does not make
 * new entries follow on the employee's side. */
static void test_counsellor_cannot_widen(void **state)
{
	vault e, a;
	hearth_share_request req;
	hearth_share_result res;
	hearth_id entry, rec;
	share_rec sr;
	shipment sh;
	char *code;

	(void)state;
	code = share_one(&e, &a, &entry, &req, &res);
	ship(&e, &res.space, &sh);
	assert_int_equal(receive(&a, &res.space, &sh), sh.nenv);
	shipment_free(&sh);
	/* A turns following on, and makes a record of its own saying so. */
	sr.space = &res.space;
	assert_int_equal(hearth_store_each(a.s, HEARTH_KIND_SHARE, 0, share_rec_cb, &sr),
			 HEARTH_OK);
	assert_int_equal(hearth_record_set(a.s, &sr.id, "follow", "1"), HEARTH_OK);
	assert_int_equal(hearth_record_create(a.s, &res.space, HEARTH_KIND_SHARE, &rec), HEARTH_OK);
	assert_int_equal(hearth_record_set(a.s, &rec, "follow", "1"), HEARTH_OK);
	ship(&a, &res.space, &sh);
	assert_int_equal(sh.nenv, 3);
	assert_int_equal(receive(&e, &res.space, &sh), 3); /* A is a member: accepted */
	shipment_free(&sh);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARE, &res.space), 2);
	/* E's new entry stays private; its list says no following. */
	assert_int_equal(hearth_journal_add(e.s, "2026-12-02", 1, "private", &entry), HEARTH_OK);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARED_ENTRY, &res.space), 1);
	assert_int_equal(shares_of(&e).n, 1);
	assert_false(shares_of(&e).i.follow);
	free(code);
	vault_close(&e);
	vault_close(&a);
}

/* Bad codes, a second counsellor while one is active, unknown entries:
 * refused with a clear message and nothing written. */
static void test_refusals(void **state)
{
	vault e, a, b;
	hearth_share_request req;
	hearth_share_result res;
	hearth_unshare_result un;
	hearth_id entry, other, space;
	char *ca, *cb, *ce, *p;
	size_t ops, i;

	(void)state;
	vault_open(&e);
	vault_open(&a);
	vault_open(&b);
	assert_int_equal(hearth_journal_add(e.s, "2026-12-01", 3, NULL, &entry), HEARTH_OK);
	ca = contact_of(&a);
	cb = contact_of(&b);
	ce = contact_of(&e);
	memset(&req, 0, sizeof req);
	req.entries = &entry;
	req.n = 1;
	ops = count_ops(e.s);

	/* A typo anywhere in the code is refused. */
	req.contact = ca;
	for (i = 3; i < strlen(ca); i += 37) {
		char keep = ca[i];

		p = ca + i;
		if (keep == '-')
			continue;
		*p = keep == '7' ? '8' : '7';
		assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_EFORMAT);
		assert_non_null(strstr(hearth_errdetail(), "contact code"));
		*p = keep;
	}
	req.contact = "hello";
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_EFORMAT);
	/* A join request for a space is not a contact code. */
	{
		vault l;
		char *inv = NULL, *jr = NULL;

		vault_open(&l);
		assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
		assert_int_equal(hearth_space_invite(l.s, &space, HEARTH_ROLE_COUNSELLOR, 0, &inv),
				 HEARTH_OK);
		assert_int_equal(hearth_space_join(a.s, inv, &jr, NULL), HEARTH_OK);
		req.contact = jr;
		assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_EFORMAT);
		assert_non_null(strstr(hearth_errdetail(), "join request for a space"));
		free(inv);
		free(jr);
		vault_close(&l);
	}
	/* One's own code. */
	req.contact = ce;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_EINVAL);
	/* Not a journal entry of this vault. */
	req.contact = ca;
	other = hearth_id_random();
	req.entries = &other;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_ENOTFOUND);
	req.entries = NULL;
	req.n = 0;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_EINVAL);
	assert_int_equal(count_ops(e.s), ops);
	assert_int_equal(count_in(&e, HEARTH_KIND_SHARE, NULL), 0);

	/* One counsellor at a time. */
	req.entries = &entry;
	req.n = 1;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	space = res.space;
	ops = count_ops(e.s);
	req.contact = cb;
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "another counsellor"));
	assert_int_equal(count_ops(e.s), ops);
	/* Unshare: only a share of this journal. */
	other = hearth_id_random();
	assert_int_equal(hearth_journal_unshare(e.s, &other, &un), HEARTH_ENOTFOUND);
	assert_int_equal(hearth_journal_unshare(e.s, &space, &un), HEARTH_OK);
	/* Once it ended, the next counsellor may be chosen. */
	assert_int_equal(hearth_journal_share(e.s, &req, &res), HEARTH_OK);
	assert_true(res.created);
	{
		char fp[HEARTH_FINGERPRINT_LEN + 1];

		fingerprint_of(&b, fp);
		assert_string_equal(res.fingerprint, fp);
	}
	/* The audit chain holds. */
	{
		int64_t n = 0;

		assert_int_equal(hearth_audit_verify(e.s, &n), HEARTH_OK);
	}
	free(ca);
	free(cb);
	free(ce);
	vault_close(&e);
	vault_close(&a);
	vault_close(&b);
}

/* The contact code: a join request with no space, read back whatever the
 * case or dashes; the fingerprint is the counsellor's. */
static void test_contact_code(void **state)
{
	vault a;
	hearth_share_contact_info c;
	char fp[HEARTH_FINGERPRINT_LEN + 1], *code, *q, *w;
	hearth_join_request jr;

	(void)state;
	vault_open(&a);
	code = contact_of(&a);
	assert_int_equal(hearth_share_contact_parse(code, &c), HEARTH_OK);
	fingerprint_of(&a, fp);
	assert_string_equal(c.fingerprint, fp);
	assert_true(c.device.device == hearth_store_device(a.s));
	assert_int_equal(hearth_join_request_parse(code, &jr), HEARTH_OK);
	q = strdup(code);
	assert_non_null(q);
	for (w = q; *w; w++)
		if (*w >= 'A' && *w <= 'Z')
			*w = (char)(*w + 32);
	assert_int_equal(hearth_share_contact_parse(q, &c), HEARTH_OK);
	free(q);
	free(code);
	vault_close(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contact_code),
		cmocka_unit_test(test_share_reaches_only_chosen),
		cmocka_unit_test(test_unshare),
		cmocka_unit_test(test_follow_screening),
		cmocka_unit_test(test_counsellor_cannot_widen),
		cmocka_unit_test(test_refusals),
	};

	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
