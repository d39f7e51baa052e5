/*
 * test_spaces.c - spaces, members and epochs (sync/space.c, core/spaces.c):
 * the state is a function of the set of control ops (permutations,
 * repeats, a subset then the rest, through real stores); invite, join,
 * approve and remove across real vaults exchanging ops directly
 * (hearth_store_ops_since + hearth_store_apply); seeded schedules of
 * concurrent membership changes by two leads offline, after which every
 * replica agrees on members and the current epoch, whose key was never
 * sealed to a removed member.
 *
 * HEARTH_SPACE_SCHEDULES sets how many schedules run (default 200);
 * HEARTH_SPACE_SEED the first seed.  A failing schedule prints its seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/envelope.h"
#include "hearth/schema.h"
#include "hearth/space.h"
#include "hearth/spaces.h"

/* ---- replicas: real stores on in-memory SQLite --------------------------- */

typedef struct replica {
	sqlite3 *db;
	hearth_store *s;
} replica;

static void replica_open(replica *r)
{
	assert_int_equal(sqlite3_open(":memory:", &r->db), SQLITE_OK);
	assert_int_equal(hearth_schema_migrate(r->db, hearth_schema_latest()), HEARTH_OK);
	assert_int_equal(hearth_store_open(r->db, NULL, &r->s), HEARTH_OK);
	assert_int_equal(hearth_devices_ensure(r->s, NULL), HEARTH_OK);
}

static void replica_close(replica *r)
{
	hearth_store_close(r->s);
	sqlite3_close(r->db);
	memset(r, 0, sizeof *r);
}

/* Deep copies of ops. */
typedef struct opset {
	hearth_op *v;
	size_t n, cap;
	const hearth_id *space; /* NULL: all */
} opset;

static void opset_add(opset *o, const hearth_op *op)
{
	hearth_op *c;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->v = realloc(o->v, o->cap * sizeof *o->v);
		assert_non_null(o->v);
	}
	c = &o->v[o->n++];
	*c = *op;
	c->kind = strdup(op->kind);
	c->field = strdup(op->field);
	c->value = op->value ? strdup(op->value) : NULL;
	if (op->nprev > 0) {
		hearth_op_id *p = malloc(op->nprev * sizeof *p);

		assert_non_null(p);
		memcpy(p, op->prev, op->nprev * sizeof *p);
		c->prev = p;
	} else {
		c->prev = NULL;
	}
}

static void opset_free(opset *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free((char *)o->v[i].kind);
		free((char *)o->v[i].field);
		free((char *)o->v[i].value);
		free((void *)o->v[i].prev);
	}
	free(o->v);
	memset(o, 0, sizeof *o);
}

static int collect_cb(const hearth_op *op, uint64_t arrival, hearth_op_state state,
		      void *ctx)
{
	opset *o = ctx;

	(void)arrival;
	if (state == HEARTH_OP_SUPERSEDED)
		return 0;
	if (o->space == NULL || hearth_id_equal(&op->space, o->space))
		opset_add(o, op);
	return 0;
}

static void ops_of(replica *r, const hearth_id *space, opset *o)
{
	memset(o, 0, sizeof *o);
	o->space = space;
	assert_int_equal(hearth_store_ops_since(r->s, 0, collect_cb, o), HEARTH_OK);
}

/* Sends every op of space from a to b. */
static void sync_to(replica *a, replica *b, const hearth_id *space)
{
	opset o;

	ops_of(a, space, &o);
	if (o.n > 0)
		assert_int_equal(hearth_store_apply(b->s, o.v, o.n, NULL), HEARTH_OK);
	opset_free(&o);
}

static char *dump_of(replica *r, const hearth_id *space)
{
	hearth_space_state *st;
	char *d;

	assert_int_equal(hearth_space_load(r->s, space, &st), HEARTH_OK);
	assert_int_equal(hearth_space_state_dump(st, &d), HEARTH_OK);
	hearth_space_state_free(st);
	return d;
}

static hearth_space_state *state_of(replica *r, const hearth_id *space)
{
	hearth_space_state *st;

	assert_int_equal(hearth_space_load(r->s, space, &st), HEARTH_OK);
	return st;
}

static const uint8_t *pk_of(replica *r)
{
	static hearth_identity_public pub;
	hearth_identity *id;

	assert_int_equal(hearth_identity_load(r->s, &id), HEARTH_OK);
	pub = *hearth_identity_public_keys(id);
	hearth_identity_free(id);
	return pub.sign_pk;
}

/* lead invites, invitee joins, lead approves; the member record id. */
static hearth_id add_member(replica *lead, replica *who, const hearth_id *space,
			    hearth_role role)
{
	char *code = NULL, *req = NULL, fp[HEARTH_FINGERPRINT_LEN + 1], mine[HEARTH_FINGERPRINT_LEN + 1];
	hearth_invitation inv;
	hearth_id m;

	assert_int_equal(hearth_space_invite(lead->s, space, role, 0, &code), HEARTH_OK);
	assert_int_equal(hearth_space_join(who->s, code, &req, &inv), HEARTH_OK);
	assert_true(hearth_id_equal(&inv.space, space));
	assert_int_equal(inv.role, role);
	assert_int_equal(hearth_space_approve(lead->s, space, req, &m, fp), HEARTH_OK);
	assert_int_equal(hearth_identity_fingerprint_get(who->s, mine), HEARTH_OK);
	assert_string_equal(fp, mine);
	free(code);
	free(req);
	return m;
}

/* A lead's replica l and a counsellor's a, both opened here, in a space
 * "team" that a has joined and heard of; a's member record id. */
static hearth_id lead_and_counsellor(replica *l, replica *a, hearth_id *space)
{
	hearth_id m;

	replica_open(l);
	replica_open(a);
	assert_int_equal(hearth_space_create(l->s, "team", space), HEARTH_OK);
	m = add_member(l, a, space, HEARTH_ROLE_COUNSELLOR);
	sync_to(l, a, space);
	assert_int_equal(hearth_space_refresh(a->s, space, NULL), HEARTH_OK);
	return m;
}


static int holds_key(replica *r, const hearth_id *space, uint64_t e)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	int found = 0;

	assert_int_equal(hearth_keyring_get(r->s, space, e, key, &found), HEARTH_OK);
	return found;
}

/* lead creates a space with counsellors a and b (member records *ma,
 * *mb), who hold its control ops and the current key. */
static void team_of_two(replica *lead, replica *a, replica *b, hearth_id *space,
			hearth_id *ma, hearth_id *mb)
{
	assert_int_equal(hearth_space_create(lead->s, "team", space), HEARTH_OK);
	*ma = add_member(lead, a, space, HEARTH_ROLE_COUNSELLOR);
	*mb = add_member(lead, b, space, HEARTH_ROLE_COUNSELLOR);
	sync_to(lead, a, space);
	sync_to(lead, b, space);
	assert_int_equal(hearth_space_refresh(a->s, space, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_refresh(b->s, space, NULL), HEARTH_OK);
}

/* ---- the basics ------------------------------------------------------------ */

static void test_create(void **state)
{
	hearth_space_state *st;
	const hearth_space_member *me;
	uint8_t key[HEARTH_EPOCH_KEYBYTES], sk[64], check[HEARTH_KEYCHECK_BYTES];
	hearth_device_key *dk;
	hearth_id space;
	replica a;
	int found;

	(void)state;
	replica_open(&a);
	assert_int_equal(hearth_space_create(a.s, "", &space), HEARTH_EINVAL);
	assert_int_equal(hearth_space_create(a.s, "工会心理服务队", &space), HEARTH_OK);
	st = state_of(&a, &space);
	assert_true(st->known);
	assert_int_equal(st->nmembers, 1);
	me = hearth_space_member_of(st, pk_of(&a));
	assert_non_null(me);
	assert_int_equal(me->role, HEARTH_ROLE_LEAD);
	assert_int_equal(me->ndevices, 1);
	assert_true(me->devices[0].device == hearth_store_device(a.s));
	assert_non_null(st->current);
	assert_int_equal(st->current->number, 1);
	assert_false(st->needs_rotation);
	assert_int_equal(st->current->nwraps, 1);
	/* The wrap opens with this device's key to the kept key. */
	assert_int_equal(hearth_device_key_load(a.s, &dk, NULL), HEARTH_OK);
	memcpy(sk, hearth_device_key_secret(dk), 64);
	hearth_device_key_free(dk);
	assert_int_equal(hearth_epoch_unwrap(st->current->wraps[0].sealed, sk, key), HEARTH_OK);
	hearth_epoch_key_check(&space, st->current->epoch, key, check);
	assert_memory_equal(check, st->current->check, sizeof check);
	assert_true(holds_key(&a, &space, st->current->epoch));
	{
		uint8_t kept[HEARTH_EPOCH_KEYBYTES];

		assert_int_equal(hearth_keyring_get(a.s, &space, st->current->epoch, kept, &found),
				 HEARTH_OK);
		assert_memory_equal(kept, key, sizeof key);
	}
	/* The control key is public and derived. */
	assert_int_equal(hearth_keyring_get(a.s, &space, 0, key, &found), HEARTH_OK);
	assert_true(found);
	/* Audited, and only the control plane plus the name were written. */
	{
		int64_t n = 0;

		assert_int_equal(hearth_audit_verify(a.s, &n), HEARTH_OK);
	}
	hearth_space_state_free(st);
	sodium_memzero(sk, sizeof sk);
	replica_close(&a);
}

struct list_ctx {
	int n;
	char name[64];
	hearth_role role;
	int inviter;
};

static int list_cb(const hearth_space_info *i, void *ctx)
{
	struct list_ctx *l = ctx;

	l->n++;
	l->inviter = i->inviter;
	snprintf(l->name, sizeof l->name, "%s", i->name ? i->name : "");
	l->role = i->role;
	return 0;
}

/* Lead, counsellors A and B: invite, join, approve, sync, remove B. */
static void test_three_vaults(void **state)
{
	replica l, a, b;
	hearth_id space, ma, mb, found;
	hearth_space_state *st, *sb;
	const hearth_space_member *bm;
	struct list_ctx lc = { 0 };
	uint8_t pk[32];
	uint64_t bdev, cut, old_epoch;
	size_t i;

	(void)state;
	replica_open(&l);
	replica_open(&a);
	replica_open(&b);
	team_of_two(&l, &a, &b, &space, &ma, &mb);
	st = state_of(&a, &space);
	old_epoch = st->current->epoch;
	assert_true(holds_key(&a, &space, old_epoch));
	assert_true(holds_key(&b, &space, old_epoch));
	assert_int_equal(st->nmembers, 3);
	hearth_space_state_free(st);
	/* A lists the space with its role and name. */
	assert_int_equal(hearth_spaces_each(a.s, list_cb, &lc), HEARTH_OK);
	assert_int_equal(lc.n, 1);
	assert_string_equal(lc.name, "team");
	assert_int_equal(lc.role, HEARTH_ROLE_COUNSELLOR);
	/* The inviter the code named is a member; the creator joined by no
	 * code; a code that named someone else is flagged. */
	assert_int_equal(lc.inviter, 1);
	memset(&lc, 0, sizeof lc);
	assert_int_equal(hearth_spaces_each(l.s, list_cb, &lc), HEARTH_OK);
	assert_int_equal(lc.inviter, 0);
	{
		char name[8 + HEARTH_ID_HEX], hex[HEARTH_ID_HEX + 1];
		uint8_t sec[16];
		size_t n;
		int f;

		hearth_id_to_hex(&space, hex);
		snprintf(name, sizeof name, "joined.%s", hex);
		assert_int_equal(hearth_store_secret_get(a.s, name, sec, sizeof sec, &n, &f), HEARTH_OK);
		assert_true(f);
		sec[0] ^= 1;
		assert_int_equal(hearth_store_secret_put(a.s, name, sec, sizeof sec), HEARTH_OK);
		memset(&lc, 0, sizeof lc);
		assert_int_equal(hearth_spaces_each(a.s, list_cb, &lc), HEARTH_OK);
		assert_int_equal(lc.inviter, -1);
		sec[0] ^= 1;
		assert_int_equal(hearth_store_secret_put(a.s, name, sec, sizeof sec), HEARTH_OK);
	}
	memset(&lc, 0, sizeof lc);
	assert_int_equal(hearth_space_resolve(a.s, "team", &found), HEARTH_OK);
	assert_true(hearth_id_equal(&found, &space));
	/* A counsellor may not invite or remove. */
	{
		char *code = NULL;

		assert_int_equal(hearth_space_invite(a.s, &space, HEARTH_ROLE_COUNSELLOR, 0, &code),
				 HEARTH_ESTATE);
		assert_null(code);
		assert_int_equal(hearth_space_remove(a.s, &space, &mb), HEARTH_ESTATE);
	}
	/* B writes a little (its control ops: none; a data record). */
	{
		hearth_id r;

		assert_int_equal(hearth_record_create(b.s, &space, "note", &r), HEARTH_OK);
		sync_to(&b, &l, &space);
	}
	bdev = hearth_store_device(b.s);
	assert_int_equal(hearth_space_remove(l.s, &space, &mb), HEARTH_OK);
	assert_int_equal(hearth_space_remove(l.s, &space, &mb), HEARTH_ESTATE);
	st = state_of(&l, &space);
	bm = NULL;
	for (i = 0; i < st->nmembers; i++)
		if (hearth_id_equal(&st->members[i].record, &mb))
			bm = &st->members[i];
	assert_non_null(bm);
	assert_true(bm->removed);
	assert_int_equal(bm->ncutoffs, 1);
	cut = bm->cutoffs[0].cutoff;
	assert_true(cut >= 1);
	/* A new epoch, sealed to the lead and A only. */
	assert_non_null(st->current);
	assert_int_equal(st->current->number, 2);
	assert_int_equal(st->current->nwraps, 2);
	for (i = 0; i < st->current->nwraps; i++)
		assert_true(st->current->wraps[i].device != bdev);
	/* B's ops up to the cutoff are still accepted, later ones refused. */
	assert_true(hearth_space_may_write(st, bdev, 1, cut, old_epoch, pk, NULL));
	assert_false(hearth_space_may_write(st, bdev, 1, cut + 1, old_epoch, pk, NULL));
	assert_false(hearth_space_may_write(st, bdev, cut + 1, cut + 1, 0, pk, NULL));
	assert_true(hearth_space_may_write(st, hearth_store_device(a.s), 1, 1000,
					   st->current->epoch, pk, NULL));
	assert_false(hearth_space_may_write(st, hearth_store_device(a.s), 1, 1, 12345, pk, NULL));
	/* Everyone converges; B decrypts nothing sealed after its removal. */
	sync_to(&l, &a, &space);
	sync_to(&l, &b, &space);
	assert_int_equal(hearth_space_refresh(a.s, &space, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_refresh(b.s, &space, NULL), HEARTH_OK);
	assert_true(holds_key(&a, &space, st->current->epoch));
	assert_false(holds_key(&b, &space, st->current->epoch));
	assert_true(holds_key(&b, &space, old_epoch)); /* what B read stays */
	sb = state_of(&b, &space);
	assert_null(hearth_space_member_of(sb, pk_of(&b)));
	{
		char *d1, *d2;

		assert_int_equal(hearth_space_state_dump(st, &d1), HEARTH_OK);
		assert_int_equal(hearth_space_state_dump(sb, &d2), HEARTH_OK);
		assert_string_equal(d1, d2);
		free(d1);
		free(d2);
	}
	/* B's own audit says what happened here; it lists no space now. */
	lc.n = 0;
	assert_int_equal(hearth_spaces_each(b.s, list_cb, &lc), HEARTH_OK);
	assert_int_equal(lc.n, 0);
	(void)ma;
	hearth_space_state_free(st);
	hearth_space_state_free(sb);
	replica_close(&l);
	replica_close(&a);
	replica_close(&b);
}

/* A lead about to be removed writes, before the removal reaches it, a
 * cutoff for its own device far past anything it wrote: a device never
 * names its own cutoff (nor does anyone in the record it is listed in),
 * so the removal's cutoff holds and its later ops stay refused. */
static void test_removed_lead_own_cutoff(void **state)
{
	replica l, k;
	hearth_id space, mk;
	hearth_space_state *sl, *sk;
	uint8_t pk[32];
	uint64_t kdev, cut = 0;
	char f[32], *d1, *d2;
	int found = 0;
	size_t i;

	(void)state;
	replica_open(&l);
	replica_open(&k);
	assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
	mk = add_member(&l, &k, &space, HEARTH_ROLE_LEAD);
	sync_to(&l, &k, &space);
	assert_int_equal(hearth_space_refresh(k.s, &space, NULL), HEARTH_OK);
	sync_to(&k, &l, &space);
	kdev = hearth_store_device(k.s);
	/* K, not yet removed, raises its own cutoff in its own record. */
	snprintf(f, sizeof f, "cutoff.%016llx", (unsigned long long)kdev);
	assert_int_equal(hearth_record_set(k.s, &mk, f, "1000000"), HEARTH_OK);
	assert_int_equal(hearth_space_remove(l.s, &space, &mk), HEARTH_OK);
	sync_to(&k, &l, &space);
	sync_to(&l, &k, &space);
	sl = state_of(&l, &space);
	sk = state_of(&k, &space);
	for (i = 0; i < sl->nmembers; i++)
		if (hearth_id_equal(&sl->members[i].record, &mk) &&
		    sl->members[i].ncutoffs == 1) {
			cut = sl->members[i].cutoffs[0].cutoff;
			found = 1;
		}
	assert_true(found && cut < 1000000);
	assert_false(hearth_space_may_write(sl, kdev, cut + 1, cut + 1, 0, pk, NULL));
	assert_int_equal(hearth_space_state_dump(sl, &d1), HEARTH_OK);
	assert_int_equal(hearth_space_state_dump(sk, &d2), HEARTH_OK);
	assert_string_equal(d1, d2);
	free(d1);
	free(d2);
	hearth_space_state_free(sl);
	hearth_space_state_free(sk);
	replica_close(&l);
	replica_close(&k);
}

/* ---- members as a face lists them ------------------------------------------ */

struct members_ctx {
	int n;
	hearth_space_member_info v[4];
};

static int members_cb(const hearth_space_member_info *m, void *ctx)
{
	struct members_ctx *c = ctx;

	if (c->n < 4)
		c->v[c->n] = *m;
	c->n++;
	return 0;
}

/* The member of c whose record is id. */
static const hearth_space_member_info *member_in(const struct members_ctx *c,
						 const hearth_id *id)
{
	int i;

	for (i = 0; i < c->n && i < 4; i++)
		if (hearth_id_equal(&c->v[i].record, id))
			return &c->v[i];
	fail_msg("member not listed");
	return NULL;
}

/* The name r's members list gives member of space. */
static const char *name_in(replica *r, const hearth_id *space, const hearth_id *member)
{
	static struct members_ctx c;

	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(r->s, space, members_cb, &c), HEARTH_OK);
	return member_in(&c, member)->name;
}

/* The member_name record whose name r's device wrote last. */
static hearth_id newest_name_record(replica *r)
{
	struct { hearth_id id; hearth_hlc at; int found; } best = { 0 };
	hearth_record *rec = NULL;
	opset o;
	size_t i;

	ops_of(r, NULL, &o);
	for (i = 0; i < o.n; i++)
		if (strcmp(o.v[i].kind, HEARTH_KIND_MEMBER_NAME) == 0 &&
		    strcmp(o.v[i].field, "name") == 0 &&
		    hearth_hlc_device(&o.v[i].hlc) == hearth_store_device(r->s) &&
		    (!best.found || hearth_hlc_cmp(&o.v[i].hlc, &best.at) > 0)) {
			best.id = o.v[i].record;
			best.at = o.v[i].hlc;
			best.found = 1;
		}
	opset_free(&o);
	assert_true(best.found);
	assert_int_equal(hearth_record_load(r->s, &best.id, &rec), HEARTH_OK);
	hearth_record_free(rec);
	return best.id;
}

/* Members' names: a member names itself, the others read it once it
 * arrives, the newest counts, and a name counts only for the member whose
 * device wrote it: the lead writing over a counsellor's name record hides
 * that name (the older one shows again) and names the lead, never the
 * counsellor.  Bad names and non-members are refused, nothing written. */
static void test_member_names(void **state)
{
	const hearth_space_state *st;
	char name[HEARTH_MEMBER_NAME_MAX + 1], longest[HEARTH_MEMBER_NAME_MAX + 2];
	hearth_id space, ma, ml, other, rec;
	struct members_ctx c;
	replica l, a, b;

	(void)state;
	ma = lead_and_counsellor(&l, &a, &space);
	replica_open(&b);
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	ml = c.v[0].self ? c.v[0].record : c.v[1].record;
	assert_string_equal(name_in(&l, &space, &ma), "");
	assert_string_equal(name_in(&l, &space, &ml), "");

	/* The counsellor names itself; the lead reads it once it arrives. */
	assert_int_equal(hearth_space_name_set(a.s, &space, "王芳"), HEARTH_OK);
	assert_string_equal(name_in(&a, &space, &ma), "王芳");
	assert_string_equal(name_in(&l, &space, &ma), "");
	sync_to(&a, &l, &space);
	assert_string_equal(name_in(&l, &space, &ma), "王芳");
	assert_string_equal(name_in(&l, &space, &ml), "");
	/* The newest counts; surrounding spaces are dropped. */
	assert_int_equal(hearth_space_name_set(a.s, &space, "  Wang Fang "), HEARTH_OK);
	sync_to(&a, &l, &space);
	assert_string_equal(name_in(&l, &space, &ma), "Wang Fang");
	st = state_of(&l, &space);
	assert_int_equal(hearth_space_member_name(l.s, &space,
		hearth_space_member_of(st, pk_of(&a)),
		name), HEARTH_OK);
	assert_string_equal(name, "Wang Fang");
	hearth_space_state_free((hearth_space_state *)st);

	/* The lead writes over the counsellor's newest name record (the vault
	 * refuses that locally, as the kind is immutable there; a store
	 * without that rule, or a backdated op, lets it through): the value
	 * is the lead's, so it names the lead, and the counsellor's name is
	 * the one before. */
	rec = newest_name_record(&a);
	assert_int_equal(hearth_record_set(l.s, &rec, "name", "Mallory"), HEARTH_OK);
	sync_to(&l, &a, &space);
	assert_string_equal(name_in(&l, &space, &ma), "王芳");
	assert_string_equal(name_in(&a, &space, &ma), "王芳");
	assert_string_equal(name_in(&l, &space, &ml), "Mallory");
	assert_string_equal(name_in(&a, &space, &ml), "Mallory");

	/* Refused, nothing written. */
	assert_int_equal(hearth_space_name_set(a.s, &space, "   "), HEARTH_EINVAL);
	memset(longest, 'x', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	assert_int_equal(hearth_space_name_set(a.s, &space, longest), HEARTH_EINVAL);
	assert_non_null(strstr(hearth_errdetail(), "longer than 64 bytes"));
	longest[HEARTH_MEMBER_NAME_MAX] = '\0';
	assert_int_equal(hearth_space_name_set(a.s, &space, "a\x01b"), HEARTH_EINVAL);
	assert_int_equal(hearth_space_name_set(b.s, &space, "Outsider"), HEARTH_ENOTFOUND);
	other = hearth_id_random();
	assert_int_equal(hearth_space_name_set(a.s, &other, "Lost"), HEARTH_ENOTFOUND);
	assert_string_equal(name_in(&a, &space, &ma), "王芳");
	/* The longest name fits. */
	assert_int_equal(hearth_space_name_set(a.s, &space, longest), HEARTH_OK);
	assert_string_equal(name_in(&a, &space, &ma), longest);
	/* A removed member names itself no more. */
	assert_int_equal(hearth_space_remove(l.s, &space, &ma), HEARTH_OK);
	sync_to(&l, &a, &space);
	assert_int_equal(hearth_space_refresh(a.s, &space, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_name_set(a.s, &space, "Again"), HEARTH_ESTATE);

	replica_close(&l);
	replica_close(&a);
	replica_close(&b);
}

/* How many ops r holds. */
static size_t op_total(replica *r)
{
	opset o;
	size_t n;

	ops_of(r, NULL, &o);
	n = o.n;
	opset_free(&o);
	return n;
}

/* The current member records of r's space with the lead role. */
static int leads_of(replica *r, const hearth_id *space)
{
	hearth_space_state *st = state_of(r, space);
	int n = 0;
	size_t i;

	for (i = 0; i < st->nmembers; i++)
		n += !st->members[i].removed && st->members[i].has_identity &&
		     st->members[i].role == HEARTH_ROLE_LEAD;
	hearth_space_state_free(st);
	return n;
}

/* A lead changes roles: a counsellor made lead may invite, the last lead
 * may not step down, a counsellor changes no role.  Two leads stepping
 * down at once, offline, each allowed by what it saw: every replica's
 * fold keeps the later one a lead (the space is never left without). */
static void test_set_role(void **state)
{
	char *code = NULL;
	hearth_id space, ma, ml, nobody;
	struct members_ctx c;
	replica l, a;
	char *dl, *da;
	size_t ops;

	(void)state;
	ma = lead_and_counsellor(&l, &a, &space);
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	ml = c.v[0].self ? c.v[0].record : c.v[1].record;

	assert_int_equal(hearth_space_set_role(a.s, &space, &ma, HEARTH_ROLE_LEAD), HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "only a lead"));
	assert_int_equal(hearth_space_set_role(l.s, &space, &ml, HEARTH_ROLE_COUNSELLOR),
			 HEARTH_ESTATE);
	assert_non_null(strstr(hearth_errdetail(), "a space needs a lead"));
	assert_int_equal(hearth_space_set_role(l.s, &space, &ma, HEARTH_ROLE_NONE), HEARTH_EINVAL);
	nobody = hearth_id_random();
	assert_int_equal(hearth_space_set_role(l.s, &space, &nobody, HEARTH_ROLE_LEAD),
			 HEARTH_ENOTFOUND);
	assert_int_equal(leads_of(&l, &space), 1);

	/* The counsellor made a lead invites. */
	assert_int_equal(hearth_space_set_role(l.s, &space, &ma, HEARTH_ROLE_LEAD), HEARTH_OK);
	ops = op_total(&l);
	assert_int_equal(hearth_space_set_role(l.s, &space, &ma, HEARTH_ROLE_LEAD), HEARTH_OK);
	assert_int_equal(op_total(&l), ops); /* nothing to write */
	sync_to(&l, &a, &space);
	assert_int_equal(hearth_space_refresh(a.s, &space, NULL), HEARTH_OK);
	assert_int_equal(leads_of(&a, &space), 2);
	assert_int_equal(hearth_space_invite(a.s, &space, HEARTH_ROLE_COUNSELLOR, 0, &code),
			 HEARTH_OK);
	free(code);

	/* Both step down at once, each seeing two leads. */
	assert_int_equal(hearth_space_set_role(l.s, &space, &ml, HEARTH_ROLE_COUNSELLOR),
			 HEARTH_OK);
	assert_int_equal(hearth_space_set_role(a.s, &space, &ma, HEARTH_ROLE_COUNSELLOR),
			 HEARTH_OK);
	assert_int_equal(leads_of(&l, &space), 1);
	assert_int_equal(leads_of(&a, &space), 1);
	sync_to(&l, &a, &space);
	sync_to(&a, &l, &space);
	assert_int_equal(leads_of(&l, &space), 1);
	assert_int_equal(leads_of(&a, &space), 1);
	dl = dump_of(&l, &space);
	da = dump_of(&a, &space);
	assert_string_equal(dl, da);
	free(dl);
	free(da);

	replica_close(&l);
	replica_close(&a);
}

/* hearth_space_members_each: roles, this vault's own record, devices less
 * the revoked, fingerprints, when each member's newest change held was
 * written, and removable only for a lead, never for itself or a removed
 * member. */
static void test_members_each(void **state)
{
	char fp[HEARTH_FINGERPRINT_LEN + 1];
	const hearth_space_member_info *x;
	struct members_ctx c;
	hearth_id space, ma, ml, other;
	replica l, a;
	int done = 0;

	(void)state;
	ma = lead_and_counsellor(&l, &a, &space);
	/* Nothing of the counsellor's device has reached the lead yet; the
	 * lead's own changes have. */
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	assert_int_equal(member_in(&c, &ma)->last_change_ms, 0);
	assert_true((c.v[0].self ? c.v[0] : c.v[1]).last_change_ms > 0);
	/* The counsellor writes in the space; once it arrives, the lead sees
	 * when (the HLC of that device's newest op). */
	{
		hearth_id rec;
		hearth_hlc newest;
		int found = 0;

		assert_int_equal(hearth_record_create(a.s, &space, "person", &rec), HEARTH_OK);
		assert_int_equal(hearth_record_set(a.s, &rec, "name", "王芳"), HEARTH_OK);
		assert_int_equal(hearth_store_device_latest(a.s, hearth_store_device(a.s),
							    &newest, &found), HEARTH_OK);
		assert_true(found);
		sync_to(&a, &l, &space);
		memset(&c, 0, sizeof c);
		assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c),
				 HEARTH_OK);
		assert_true(hearth_hlc_ms(&newest) > 0);
		assert_true(member_in(&c, &ma)->last_change_ms == hearth_hlc_ms(&newest));
	}

	/* The lead's view. */
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	assert_int_equal(c.n, 2);
	x = member_in(&c, &ma);
	assert_int_equal(x->role, HEARTH_ROLE_COUNSELLOR);
	assert_false(x->self);
	assert_false(x->removed);
	assert_int_equal(x->devices, 1);
	assert_true(x->removable);
	assert_int_equal(hearth_identity_fingerprint_get(a.s, fp), HEARTH_OK);
	assert_string_equal(x->fingerprint, fp);
	ml = c.v[0].self ? c.v[0].record : c.v[1].record;
	x = member_in(&c, &ml);
	assert_true(x->self);
	assert_int_equal(x->role, HEARTH_ROLE_LEAD);
	assert_false(x->removable);

	/* A counsellor removes no one. */
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(a.s, &space, members_cb, &c), HEARTH_OK);
	assert_int_equal(c.n, 2);
	assert_false(c.v[0].removable);
	assert_false(c.v[1].removable);
	assert_true(member_in(&c, &ma)->self);

	/* A revoked device is no longer counted. */
	assert_int_equal(hearth_space_revoke_device(l.s, &space, hearth_store_device(a.s),
						    0, &done), HEARTH_OK);
	assert_true(done);
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	assert_int_equal(member_in(&c, &ma)->devices, 0);

	/* Removed: listed, marked, no longer removable. */
	assert_int_equal(hearth_space_remove(l.s, &space, &ma), HEARTH_OK);
	memset(&c, 0, sizeof c);
	assert_int_equal(hearth_space_members_each(l.s, &space, members_cb, &c), HEARTH_OK);
	assert_int_equal(c.n, 2);
	x = member_in(&c, &ma);
	assert_true(x->removed);
	assert_false(x->removable);

	/* No such space. */
	memset(&other, 0x5a, sizeof other);
	assert_int_equal(hearth_space_members_each(l.s, &other, members_cb, &c),
			 HEARTH_ENOTFOUND);
	assert_int_equal(hearth_space_members_each(l.s, &space, NULL, &c), HEARTH_EINVAL);
	replica_close(&l);
	replica_close(&a);
}

/* ---- codes ----------------------------------------------------------------- */

static void test_codes(void **state)
{
	replica l, a, c;
	hearth_id space;
	char *code = NULL, *req = NULL, *p;
	hearth_invitation inv;
	hearth_join_request jr;

	(void)state;
	replica_open(&l);
	replica_open(&a);
	replica_open(&c);
	assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
	assert_int_equal(hearth_space_invite(l.s, &space, HEARTH_ROLE_NONE, 0, &code),
			 HEARTH_EINVAL);
	assert_int_equal(hearth_space_invite(l.s, &space, HEARTH_ROLE_LEAD, 0, &code), HEARTH_OK);
	assert_int_equal(hearth_invitation_parse(code, &inv), HEARTH_OK);
	assert_int_equal(inv.role, HEARTH_ROLE_LEAD);
	/* Lowercase, no dashes, O for 0: the same code. */
	{
		char *q = strdup(code), *w = q;

		for (p = code; *p; p++)
			if (*p != '-')
				*w++ = (char)(*p == '0' ? 'o' : (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
		*w = '\0';
		assert_int_equal(hearth_invitation_parse(q, &inv), HEARTH_OK);
		free(q);
	}
	/* Every mistyped character is refused. */
	for (p = code; *p; p++) {
		char keep = *p;

		if (keep == '-')
			continue;
		*p = keep == 'Z' ? 'Y' : (keep == '9' ? 'A' : (char)(keep + 1));
		if (*p == 'I' || *p == 'L' || *p == 'O' || *p == 'U')
			(*p)++;
		assert_int_equal(hearth_invitation_parse(code, &inv), HEARTH_EFORMAT);
		*p = keep;
	}
	assert_int_equal(hearth_invitation_parse("hello", &inv), HEARTH_EFORMAT);
	assert_int_equal(hearth_join_request_parse(code, &jr), HEARTH_EFORMAT);
	/* An expired invitation is refused on both sides. */
	{
		char *old = NULL, *r2 = NULL;

		assert_int_equal(hearth_space_invite(l.s, &space, HEARTH_ROLE_COUNSELLOR, 1000, &old),
				 HEARTH_OK);
		assert_int_equal(hearth_space_join(c.s, old, &r2, NULL), HEARTH_ESTATE);
		assert_null(r2);
		free(old);
	}
	assert_int_equal(hearth_space_join(a.s, code, &req, NULL), HEARTH_OK);
	assert_int_equal(hearth_join_request_parse(req, &jr), HEARTH_OK);
	/* A request for another space, or a second use, is refused. */
	{
		hearth_id other;

		assert_int_equal(hearth_space_create(l.s, "other", &other), HEARTH_OK);
		assert_int_equal(hearth_space_approve(l.s, &other, req, NULL, NULL), HEARTH_ESTATE);
	}
	assert_int_equal(hearth_space_approve(l.s, &space, req, NULL, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_approve(l.s, &space, req, NULL, NULL), HEARTH_ESTATE);
	/* A tampered request: its certificate no longer verifies, or its
	 * checksum fails. */
	req[10] = req[10] == 'A' ? 'B' : 'A';
	assert_int_not_equal(hearth_join_request_parse(req, &jr), HEARTH_OK);
	free(code);
	free(req);
	replica_close(&l);
	replica_close(&a);
	replica_close(&c);
}

static int count_cb(const hearth_op *op, uint64_t arrival, hearth_op_state state, void *ctx)
{
	(void)op;
	(void)arrival;
	(void)state;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t count_ops_of(replica *r)
{
	size_t n = 0;

	assert_int_equal(hearth_store_ops_since(r->s, 0, count_cb, &n), HEARTH_OK);
	return n;
}

/* ---- the code format of docs/protocol.md §11.7, written independently ---- */

/* Crockford base32 of b (the check appended here), groups of 5. */
static char *encode_code(uint8_t *b, size_t n)
{
	static const char a[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	static const uint8_t magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'C', 'D' };
	size_t bits = n * 8, i, o = 0;
	char *out = malloc(bits / 5 * 2 + 8);
	crypto_generichash_state h;

	assert_non_null(out);
	crypto_generichash_init(&h, NULL, 0, 4);
	crypto_generichash_update(&h, magic, sizeof magic);
	crypto_generichash_update(&h, b, n - 4);
	crypto_generichash_final(&h, b + n - 4, 4);
	for (i = 0; i < (bits + 4) / 5; i++) {
		unsigned v = 0, k;

		for (k = 0; k < 5; k++) {
			size_t bit = i * 5 + k;

			v = v << 1 | (bit < bits ? (b[bit / 8] >> (7 - bit % 8)) & 1u : 0u);
		}
		if (i > 0 && i % 5 == 0)
			out[o++] = '-';
		out[o++] = a[v];
	}
	out[o] = '\0';
	return out;
}

/* A join request as §11.7 lays it out, for a device id and key the test
 * chooses, certified by identity who. */
static char *forge_request(const hearth_id *space, const uint8_t token[8],
			   const hearth_identity *who, uint64_t device,
			   const uint8_t device_pk[32])
{
	uint8_t b[278];

	b[0] = 0x21;
	memcpy(b + 1, space->b, 16);
	memcpy(b + 17, token, 8);
	memcpy(b + 25, hearth_identity_public_keys(who)->sign_pk, 32);
	memcpy(b + 57, hearth_identity_public_keys(who)->box_pk, 32);
	assert_int_equal(hearth_cert_issue(who, device, device_pk, 1, b + 89), HEARTH_OK);
	return encode_code(b, sizeof b);
}

/* The documented layout reads back, and a request naming a device id the
 * space knows under another key is refused before anything is written. */
static void test_code_layout(void **state)
{
	hearth_invitation inv;
	hearth_join_request jr;
	hearth_identity *x;
	hearth_device_key *k;
	hearth_id space;
	char *code = NULL, *req;
	replica l;
	size_t before;

	(void)state;
	replica_open(&l);
	assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
	assert_int_equal(hearth_space_invite(l.s, &space, HEARTH_ROLE_COUNSELLOR, 4102444800u,
					     &code), HEARTH_OK);
	assert_int_equal(hearth_invitation_parse(code, &inv), HEARTH_OK);
	assert_int_equal(inv.expires_s, 4102444800u);
	/* The invitation re-encoded by this test's encoder is the same text. */
	{
		uint8_t b[46];
		char *again;
		int i;

		b[0] = 0x11;
		memcpy(b + 1, space.b, 16);
		b[17] = 1;
		for (i = 0; i < 8; i++)
			b[18 + i] = (uint8_t)(inv.expires_s >> (56 - 8 * i));
		memcpy(b + 26, inv.token, 8);
		memcpy(b + 34, inv.inviter_tag, 8);
		again = encode_code(b, sizeof b);
		assert_string_equal(again, code);
		free(again);
	}
	assert_int_equal(hearth_identity_generate(&x), HEARTH_OK);
	assert_int_equal(hearth_device_key_generate(&k), HEARTH_OK);
	/* A genuine request of a new device parses ... */
	req = forge_request(&space, inv.token, x, 77, hearth_device_key_public(k));
	assert_int_equal(hearth_join_request_parse(req, &jr), HEARTH_OK);
	assert_true(jr.device.device == 77);
	free(req);
	/* ... one naming the lead's own device id under another key is
	 * refused, and nothing is written. */
	req = forge_request(&space, inv.token, x, hearth_store_device(l.s),
			    hearth_device_key_public(k));
	before = count_ops_of(&l);
	assert_int_equal(hearth_space_approve(l.s, &space, req, NULL, NULL), HEARTH_EEXISTS);
	assert_int_equal(count_ops_of(&l), before);
	free(req);
	free(code);
	hearth_device_key_free(k);
	hearth_identity_free(x);
	replica_close(&l);
}

/* ---- order independence ---------------------------------------------------- */

static uint64_t rng_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void shuffle(hearth_op *v, size_t n, uint64_t *rng)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(rng) % i);
		hearth_op t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ref and other hold the same state of space; the ops of ref (into *o,
 * the caller frees it) give it again in rounds seeded shuffles.  The
 * state's dump, for the caller to free. */
static char *agreed(replica *ref, replica *other, const hearth_id *space, opset *o,
		    int rounds, uint64_t *rng)
{
	char *want = dump_of(ref, space), *got = dump_of(other, space);
	hearth_space_state *st;

	assert_string_equal(want, got);
	free(got);
	ops_of(ref, space, o);
	while (rounds-- > 0) {
		shuffle(o->v, o->n, rng);
		assert_int_equal(hearth_space_compute(space, o->v, o->n, &st), HEARTH_OK);
		assert_int_equal(hearth_space_state_dump(st, &got), HEARTH_OK);
		assert_string_equal(want, got);
		free(got);
		hearth_space_state_free(st);
	}
	return want;
}

/* A space with history: members added and removed, concurrent rotations. */
static void build_history(replica *r, hearth_id *space)
{
	replica l2, c1, c2;
	hearth_id m1, m2;

	replica_open(&l2);
	replica_open(&c1);
	replica_open(&c2);
	assert_int_equal(hearth_space_create(r->s, "history", space), HEARTH_OK);
	add_member(r, &l2, space, HEARTH_ROLE_LEAD);
	m1 = add_member(r, &c1, space, HEARTH_ROLE_COUNSELLOR);
	m2 = add_member(r, &c2, space, HEARTH_ROLE_COUNSELLOR);
	sync_to(r, &l2, space);
	assert_int_equal(hearth_space_refresh(l2.s, space, NULL), HEARTH_OK);
	/* Offline: each lead removes a different counsellor. */
	assert_int_equal(hearth_space_remove(r->s, space, &m1), HEARTH_OK);
	assert_int_equal(hearth_space_remove(l2.s, space, &m2), HEARTH_OK);
	sync_to(&l2, r, space);
	assert_int_equal(hearth_space_refresh(r->s, space, NULL), HEARTH_OK);
	replica_close(&l2);
	replica_close(&c1);
	replica_close(&c2);
}

static void test_order_independence(void **state)
{
	hearth_space_state *ref, *st;
	char *want, *got;
	hearth_id space;
	opset o;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	replica r;
	int round;

	(void)state;
	replica_open(&r);
	build_history(&r, &space);
	ops_of(&r, &space, &o);
	assert_true(o.n > 50);
	assert_int_equal(hearth_space_compute(&space, o.v, o.n, &ref), HEARTH_OK);
	assert_int_equal(hearth_space_state_dump(ref, &want), HEARTH_OK);
	assert_true(ref->known);
	assert_non_null(ref->current);
	/* The store's own view is the same. */
	got = dump_of(&r, &space);
	assert_string_equal(want, got);
	free(got);
	for (round = 0; round < 40; round++) {
		size_t n = o.n, i, extra = (size_t)(rng_next(&rng) % (o.n / 2 + 1));
		hearth_op *v = malloc((o.n + extra) * sizeof *v);

		assert_non_null(v);
		memcpy(v, o.v, o.n * sizeof *v);
		/* Repeats. */
		for (i = 0; i < extra; i++)
			v[n++] = o.v[rng_next(&rng) % o.n];
		shuffle(v, n, &rng);
		assert_int_equal(hearth_space_compute(&space, v, n, &st), HEARTH_OK);
		assert_int_equal(hearth_space_state_dump(st, &got), HEARTH_OK);
		assert_string_equal(want, got);
		free(got);
		hearth_space_state_free(st);
		/* A subset alone is some state; the whole set is the same one. */
		assert_int_equal(hearth_space_compute(&space, v, n / 2, &st), HEARTH_OK);
		hearth_space_state_free(st);
		free(v);
	}
	/* Through real stores: a subset, then the rest, in random batches. */
	for (round = 0; round < 6; round++) {
		replica x;
		hearth_op *v = malloc(o.n * sizeof *v);
		size_t at = 0;

		assert_non_null(v);
		memcpy(v, o.v, o.n * sizeof *v);
		shuffle(v, o.n, &rng);
		replica_open(&x);
		while (at < o.n) {
			size_t k = 1 + (size_t)(rng_next(&rng) % 40);

			if (k > o.n - at)
				k = o.n - at;
			assert_int_equal(hearth_store_apply(x.s, v + at, k, NULL), HEARTH_OK);
			/* Recomputing midway leaves no trace. */
			hearth_space_state_free(state_of(&x, &space));
			at += k;
		}
		got = dump_of(&x, &space);
		assert_string_equal(want, got);
		free(got);
		replica_close(&x);
		free(v);
	}
	free(want);
	hearth_space_state_free(ref);
	opset_free(&o);
	replica_close(&r);
}

/* Ops by a stranger, by a removed device past its cutoff, or forged
 * genesis records change nothing. */
static void test_forgeries(void **state)
{
	replica l, x;
	hearth_id space, fake, rec;
	char *want, *got, f[40];
	opset o;

	(void)state;
	replica_open(&l);
	replica_open(&x);
	assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
	want = dump_of(&l, &space);
	/* A stranger writes into the space: a member record naming itself
	 * lead, a second genesis, an epoch. */
	sync_to(&l, &x, &space);
	assert_int_equal(hearth_record_create(x.s, &space, HEARTH_KIND_MEMBER, &rec), HEARTH_OK);
	assert_int_equal(hearth_record_set(x.s, &rec, "role", "lead"), HEARTH_OK);
	assert_int_equal(hearth_record_create(x.s, &space, HEARTH_KIND_SPACE, &fake), HEARTH_OK);
	assert_int_equal(hearth_record_set(x.s, &fake, "creator", "00"), HEARTH_OK);
	assert_int_equal(hearth_record_create(x.s, &space, HEARTH_KIND_EPOCH, &rec), HEARTH_OK);
	assert_int_equal(hearth_record_set(x.s, &rec, "number", "99"), HEARTH_OK);
	/* And the stranger edits the lead's member record. */
	{
		hearth_space_state *st = state_of(&x, &space);

		snprintf(f, sizeof f, "cutoff.%016llx", (unsigned long long)st->root_device);
		assert_int_equal(hearth_record_set(x.s, &st->members[0].record, "removed", "1"),
				 HEARTH_OK);
		assert_int_equal(hearth_record_set(x.s, &st->members[0].record, f, "0"), HEARTH_OK);
		hearth_space_state_free(st);
	}
	/* And tries to tombstone the genesis (and its own fake one): a
	 * control-plane record is never deleted (refused here; one that
	 * arrives is quarantined: test_store's
	 * test_control_records_not_deleted), so the space stays listed. */
	{
		opset g;
		size_t i, n = 0;

		ops_of(&x, &space, &g);
		for (i = 0; i < g.n; i++)
			if (strcmp(g.v[i].kind, HEARTH_KIND_SPACE) == 0 &&
			    strcmp(g.v[i].field, "_kind") == 0) {
				assert_int_equal(hearth_record_delete(x.s, &g.v[i].record),
						 HEARTH_ESTATE);
				n++;
			}
		assert_int_equal(n, 2);
		opset_free(&g);
	}
	sync_to(&x, &l, &space);
	got = dump_of(&l, &space);
	assert_string_equal(want, got);
	free(got);
	{
		struct list_ctx lc = { 0 };

		assert_int_equal(hearth_spaces_each(l.s, list_cb, &lc), HEARTH_OK);
		assert_int_equal(lc.n, 1);
	}
	/* A space whose genesis is not held is unknown. */
	ops_of(&l, &space, &o);
	/* An importer finds the root device's key in the ops themselves,
	 * the same key the state gives; a stranger's device has none (its
	 * member record lists no certificate). */
	{
		uint8_t pk[32], root_pk[32];
		hearth_space_state *st = state_of(&l, &space);

		assert_true(hearth_space_may_write(st, hearth_store_device(l.s), 1, 1, 0, root_pk, NULL));
		assert_true(hearth_space_cert_in_ops(o.v, o.n, hearth_store_device(l.s), pk));
		assert_memory_equal(pk, root_pk, sizeof pk);
		assert_false(hearth_space_cert_in_ops(o.v, o.n, hearth_store_device(x.s), pk));
		assert_false(hearth_space_may_write(st, hearth_store_device(x.s), 1, 1, 0, pk, NULL));
		hearth_space_state_free(st);
	}
	{
		hearth_space_state *st;
		hearth_id other = hearth_id_random();

		assert_int_equal(hearth_space_compute(&other, o.v, o.n, &st), HEARTH_OK);
		assert_false(st->known);
		assert_int_equal(st->nmembers, 0);
		assert_false(hearth_space_may_write(st, hearth_store_device(l.s), 1, 1, 0, NULL, NULL));
		hearth_space_state_free(st);
	}
	opset_free(&o);
	free(want);
	replica_close(&l);
	replica_close(&x);
}

/* Two abuses the fold refuses: a device id listed again under another key
 * (its envelopes would verify under a key not its own), and an epoch a
 * counsellor sealed to itself only (no lead could read it or seal it to
 * the others). */
static void test_abuse(void **state)
{
	uint8_t adev_pk[32], root_pk[32], pk[32], key[32], check[16], wrap[HEARTH_WRAP_BYTES];
	char hex[2 * HEARTH_CERT_BYTES + 1], f[40];
	hearth_identity *x;
	hearth_device_key *k;
	hearth_space_state *st;
	hearth_id space, rec, ep;
	uint64_t adev, root, current;
	replica l, a;

	(void)state;
	lead_and_counsellor(&l, &a, &space);
	adev = hearth_store_device(a.s);
	root = hearth_store_device(l.s);
	st = state_of(&l, &space);
	assert_true(hearth_space_may_write(st, adev, 1, 1, 0, adev_pk, NULL));
	assert_true(hearth_space_may_write(st, root, 1, 1, 0, root_pk, NULL));
	current = st->current->epoch;
	hearth_space_state_free(st);

	/* The lead lists A's device id, and its own, under another identity
	 * and key. */
	assert_int_equal(hearth_identity_generate(&x), HEARTH_OK);
	assert_int_equal(hearth_device_key_generate(&k), HEARTH_OK);
	assert_int_equal(hearth_record_create(l.s, &space, HEARTH_KIND_MEMBER, &rec), HEARTH_OK);
	hearth_hex_encode(hex, hearth_identity_public_keys(x)->sign_pk, 32);
	assert_int_equal(hearth_record_set(l.s, &rec, "identity", hex), HEARTH_OK);
	hearth_hex_encode(hex, hearth_identity_public_keys(x)->box_pk, 32);
	assert_int_equal(hearth_record_set(l.s, &rec, "box", hex), HEARTH_OK);
	assert_int_equal(hearth_record_set(l.s, &rec, "role", "lead"), HEARTH_OK);
	{
		uint64_t victims[2] = { adev, root };
		int i;

		for (i = 0; i < 2; i++) {
			uint8_t cert[HEARTH_CERT_BYTES];

			assert_int_equal(hearth_cert_issue(x, victims[i], hearth_device_key_public(k),
							   1, cert), HEARTH_OK);
			hearth_hex_encode(hex, cert, sizeof cert);
			snprintf(f, sizeof f, "device.%016llx", (unsigned long long)victims[i]);
			assert_int_equal(hearth_record_set(l.s, &rec, f, hex), HEARTH_OK);
		}
	}
	st = state_of(&l, &space);
	assert_true(hearth_space_may_write(st, adev, 1, 1, 0, pk, NULL));
	assert_memory_equal(pk, adev_pk, 32);
	assert_true(hearth_space_may_write(st, root, 1, 1, 0, pk, NULL));
	assert_memory_equal(pk, root_pk, 32);
	{
		size_t i;

		for (i = 0; i < st->nmembers; i++)
			if (hearth_id_equal(&st->members[i].record, &rec))
				assert_int_equal(st->members[i].ndevices, 0);
	}
	hearth_space_state_free(st);
	hearth_device_key_free(k);
	hearth_identity_free(x);

	/* A, a counsellor, makes the next epoch sealed to itself only. */
	hearth_epoch_key_generate(key);
	assert_int_equal(hearth_record_create(a.s, &space, HEARTH_KIND_EPOCH, &ep), HEARTH_OK);
	hearth_epoch_key_check(&space, hearth_epoch_of_record(&ep), key, check);
	assert_int_equal(hearth_record_set(a.s, &ep, "number", "2"), HEARTH_OK);
	hearth_hex_encode(hex, check, sizeof check);
	assert_int_equal(hearth_record_set(a.s, &ep, "check", hex), HEARTH_OK);
	assert_int_equal(hearth_epoch_wrap(key, adev_pk, wrap), HEARTH_OK);
	hearth_hex_encode(hex, wrap, sizeof wrap);
	snprintf(f, sizeof f, "wrap.%016llx", (unsigned long long)adev);
	assert_int_equal(hearth_record_set(a.s, &ep, f, hex), HEARTH_OK);
	sync_to(&a, &l, &space);
	st = state_of(&l, &space);
	assert_non_null(hearth_space_epoch_find(st, hearth_epoch_of_record(&ep)));
	assert_false(hearth_space_epoch_find(st, hearth_epoch_of_record(&ep))->valid);
	/* The greatest epoch is not valid: the lead rotates, and its epoch
	 * is the current one everywhere. */
	assert_true(st->needs_rotation);
	assert_int_equal(st->current->epoch, current);
	hearth_space_state_free(st);
	assert_int_equal(hearth_space_refresh(l.s, &space, NULL), HEARTH_OK);
	st = state_of(&l, &space);
	assert_false(st->needs_rotation);
	assert_int_equal(st->current->number, 3);
	assert_true(holds_key(&l, &space, st->current->epoch));
	hearth_space_state_free(st);
	sodium_memzero(key, sizeof key);
	replica_close(&l);
	replica_close(&a);
}

/* The ops of one device in a space, in seq order (deep copies). */
static void device_ops(replica *r, const hearth_id *space, uint64_t dev, uint64_t from,
		       opset *out)
{
	opset all;
	size_t i;

	ops_of(r, space, &all);
	memset(out, 0, sizeof *out);
	for (i = 0; i < all.n; i++)
		if (all.v[i].id.device == dev && all.v[i].id.seq >= from)
			opset_add(out, &all.v[i]);
	opset_free(&all);
}

static int seq_cmp(const void *a, const void *b)
{
	const hearth_op *x = a, *y = b;

	return x->id.seq < y->id.seq ? -1 : x->id.seq > y->id.seq;
}

/* Seals ops from..to of device r (to 0: all from on; to -1: up to the
 * first that is not of the control plane) at epoch e. */
static uint8_t *seal_from(replica *r, const hearth_id *space, uint64_t from, uint64_t to,
			  uint64_t e, size_t *len)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES], *env = NULL;
	hearth_device_key *k;
	size_t n;
	int found;
	opset o;

	device_ops(r, space, hearth_store_device(r->s), from, &o);
	assert_true(o.n > 0);
	qsort(o.v, o.n, sizeof *o.v, seq_cmp);
	for (n = 0; n < o.n; n++)
		if ((to == UINT64_MAX && !hearth_op_is_control(&o.v[n])) ||
		    (to != 0 && to != UINT64_MAX && o.v[n].id.seq > to))
			break;
	assert_true(n > 0);
	assert_int_equal(hearth_keyring_get(r->s, space, e, key, &found), HEARTH_OK);
	assert_true(found);
	assert_int_equal(hearth_device_key_load(r->s, &k, NULL), HEARTH_OK);
	assert_int_equal(hearth_envelope_seal(o.v, n, space, e, key,
					      hearth_device_key_secret(k), &env, len), HEARTH_OK);
	hearth_device_key_free(k);
	opset_free(&o);
	return env;
}

/* What an importer does: hearth_envelope_open with the trust of
 * hearth_space_trust_envelope.  A member's data envelope opens; after its
 * removal, an envelope of its later ops is refused, while the lead's
 * control envelope opens on the member's side. */
static void test_trust_envelopes(void **state)
{
	hearth_envelope_batch b = { 0 };
	hearth_space_trust *t;
	hearth_envelope_trust tr;
	hearth_space_state *st;
	hearth_id space, ma, rec;
	uint64_t e1, last;
	uint8_t *env;
	size_t len;
	replica l, a;

	(void)state;
	ma = lead_and_counsellor(&l, &a, &space);
	st = state_of(&a, &space);
	e1 = st->current->epoch;
	hearth_space_state_free(st);
	/* A writes a note at the current epoch. */
	assert_int_equal(hearth_record_create(a.s, &space, "note", &rec), HEARTH_OK);
	assert_int_equal(hearth_record_set(a.s, &rec, "text", "第一次会谈"), HEARTH_OK);
	env = seal_from(&a, &space, 1, 0, e1, &len);
	assert_int_equal(hearth_space_trust_new(l.s, &t), HEARTH_OK);
	tr = hearth_space_trust_envelope(t);
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_OK);
	assert_int_equal(b.n, 2);
	last = b.info.last_seq;
	assert_int_equal(hearth_store_apply(l.s, b.ops, b.n, NULL), HEARTH_OK);
	hearth_envelope_batch_release(&b);
	free(env);
	/* The lead removes A (cutoff: the last seq it holds of A). */
	assert_int_equal(hearth_space_remove(l.s, &space, &ma), HEARTH_OK);
	hearth_space_trust_forget(t, &space);
	/* A, not yet told, writes more at the epoch it holds: refused. */
	assert_int_equal(hearth_record_set(a.s, &rec, "text", "after"), HEARTH_OK);
	env = seal_from(&a, &space, last + 1, 0, e1, &len);
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_EAUTH);
	hearth_envelope_batch_release(&b);
	free(env);
	/* What A wrote before its removal still opens (a replica that got
	 * it late accepts it). */
	env = seal_from(&a, &space, 1, last, e1, &len);
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_OK);
	hearth_envelope_batch_release(&b);
	free(env);
	/* Nor may it stretch an envelope past its cutoff. */
	env = seal_from(&a, &space, 1, 0, e1, &len);
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_EAUTH);
	hearth_envelope_batch_release(&b);
	free(env);
	hearth_space_trust_free(t);
	/* The lead's first control ops (genesis, its member record, the first
	 * epoch), at epoch 0, open on A's side. */
	env = seal_from(&l, &space, 1, UINT64_MAX, HEARTH_EPOCH_CONTROL, &len);
	assert_int_equal(hearth_space_trust_new(a.s, &t), HEARTH_OK);
	tr = hearth_space_trust_envelope(t);
	assert_int_equal(hearth_envelope_open(env, len, &tr, &b), HEARTH_OK);
	hearth_envelope_batch_release(&b);
	free(env);
	hearth_space_trust_free(t);
	replica_close(&l);
	replica_close(&a);
}

/* A removed member invited again gets a new member record: a member
 * again, its device writes again and receives the current key; the old
 * record stays removed with its cutoff. */
static void test_invite_again(void **state)
{
	hearth_space_state *st;
	hearth_id space, m1, m2;
	uint64_t adev;
	replica l, a;
	size_t i, removed = 0;

	(void)state;
	replica_open(&l);
	replica_open(&a);
	assert_int_equal(hearth_space_create(l.s, "team", &space), HEARTH_OK);
	m1 = add_member(&l, &a, &space, HEARTH_ROLE_COUNSELLOR);
	assert_int_equal(hearth_space_remove(l.s, &space, &m1), HEARTH_OK);
	sync_to(&l, &a, &space);
	adev = hearth_store_device(a.s);
	m2 = add_member(&l, &a, &space, HEARTH_ROLE_LEAD);
	assert_false(hearth_id_equal(&m1, &m2));
	sync_to(&l, &a, &space);
	assert_int_equal(hearth_space_refresh(a.s, &space, NULL), HEARTH_OK);
	st = state_of(&a, &space);
	assert_non_null(hearth_space_member_of(st, pk_of(&a)));
	assert_int_equal(hearth_space_member_of(st, pk_of(&a))->role, HEARTH_ROLE_LEAD);
	assert_true(hearth_space_may_write(st, adev, 1, 1000, 0, NULL, NULL));
	for (i = 0; i < st->nmembers; i++)
		removed += st->members[i].removed;
	assert_int_equal(removed, 1);
	assert_true(holds_key(&a, &space, st->current->epoch));
	assert_int_equal(st->current->number, 2);
	hearth_space_state_free(st);
	replica_close(&l);
	replica_close(&a);
}

/* ---- seeded schedules of concurrent changes ------------------------------- */

#define NREP 6 /* L1, L2, C1, C2, C3, C4 (C4 invited during the schedule) */

typedef struct world {
	replica r[NREP];
	hearth_id space;
	hearth_id member[NREP];
	int in[NREP]; /* holds the space's ops */
	uint64_t seed;
} world;

static void fail_seed(const world *w, const char *what)
{
	print_error("schedule seed %llu: %s\n", (unsigned long long)w->seed, what);
	fail();
}

/* Everyone exchanges everything and refreshes, until nothing changes. */
static void converge(world *w)
{
	int round, i, j, changed;

	for (round = 0; round < 8; round++) {
		changed = 0;
		for (i = 0; i < NREP; i++)
			for (j = 0; j < NREP; j++)
				if (i != j && w->in[i] && w->in[j])
					sync_to(&w->r[i], &w->r[j], &w->space);
		for (i = 0; i < NREP; i++) {
			int c = 0;

			if (!w->in[i])
				continue;
			if (hearth_space_refresh(w->r[i].s, &w->space, &c) != HEARTH_OK)
				fail_seed(w, "refresh failed");
			changed |= c;
		}
		if (!changed)
			return;
	}
	fail_seed(w, "no convergence after 8 rounds");
}

static uint64_t max_seq_of(replica *r, uint64_t device);

static void check_world(world *w)
{
	char *ref = NULL, *d;
	hearth_space_state *st;
	size_t i, j, k;
	int r;

	for (r = 0; r < NREP; r++) {
		if (!w->in[r])
			continue;
		d = dump_of(&w->r[r], &w->space);
		if (ref == NULL)
			ref = d;
		else if (strcmp(ref, d) != 0)
			fail_seed(w, "replicas differ");
		if (d != ref)
			free(d);
	}
	st = state_of(&w->r[0], &w->space);
	if (st->current == NULL || st->needs_rotation)
		fail_seed(w, "no agreed current epoch");
	/* The current key was never sealed to a removed member's device. */
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (!m->removed || hearth_space_member_of(st, m->identity.sign_pk) != NULL)
			continue;
		for (j = 0; j < m->ndevices; j++)
			for (k = 0; k < st->current->nwraps; k++)
				if (st->current->wraps[k].device == m->devices[j].device)
					fail_seed(w, "current epoch sealed to a removed member");
	}
	/* Nor to a revoked device. */
	for (k = 0; k < st->current->nwraps; k++)
		if (hearth_space_device_revoked(st, st->current->wraps[k].device, NULL))
			fail_seed(w, "current epoch sealed to a revoked device");
	/* Every current device (each replica has one) holds the current key;
	 * no removed member's or revoked one does. */
	for (r = 0; r < NREP; r++) {
		if (!w->in[r])
			continue;
		if (hearth_space_device_current(st, hearth_store_device(w->r[r].s)) !=
		    holds_key(&w->r[r], &w->space, st->current->epoch))
			fail_seed(w, "a device lacks the key, or a removed or revoked one holds it");
	}
	hearth_space_state_free(st);
	free(ref);
}

static int is_member(world *w, int who)
{
	hearth_space_state *st = state_of(&w->r[0], &w->space);
	int yes = hearth_space_member_of(st, pk_of(&w->r[who])) != NULL;

	hearth_space_state_free(st);
	return yes;
}

static void run_schedule(uint64_t seed)
{
	world w;
	uint64_t rng = seed * 2654435761u + 1;
	int i, kind, a, b;

	memset(&w, 0, sizeof w);
	w.seed = seed;
	for (i = 0; i < NREP; i++)
		replica_open(&w.r[i]);
	assert_int_equal(hearth_space_create(w.r[0].s, "s", &w.space), HEARTH_OK);
	w.in[0] = 1;
	{
		hearth_space_state *st = state_of(&w.r[0], &w.space);

		w.member[0] = st->members[0].record;
		hearth_space_state_free(st);
	}
	w.member[1] = add_member(&w.r[0], &w.r[1], &w.space, HEARTH_ROLE_LEAD);
	for (i = 2; i < 5; i++)
		w.member[i] = add_member(&w.r[0], &w.r[i], &w.space, HEARTH_ROLE_COUNSELLOR);
	for (i = 1; i < 5; i++)
		w.in[i] = 1;
	converge(&w);
	/* Offline, the two leads act at once. */
	kind = (int)(rng_next(&rng) % 5);
	a = 2 + (int)(rng_next(&rng) % 3);
	b = 2 + (int)((a - 2 + 1 + rng_next(&rng) % 2) % 3);
	if (rng_next(&rng) & 1) {
		/* Some write first, which the cutoffs must count. */
		hearth_id rec;

		assert_int_equal(hearth_record_create(w.r[a].s, &w.space, "note", &rec), HEARTH_OK);
		sync_to(&w.r[a], &w.r[rng_next(&rng) & 1], &w.space);
	}
	switch (kind) {
	case 0: /* each removes a different member */
		assert_int_equal(hearth_space_remove(w.r[0].s, &w.space, &w.member[a]), HEARTH_OK);
		assert_int_equal(hearth_space_remove(w.r[1].s, &w.space, &w.member[b]), HEARTH_OK);
		break;
	case 1: /* one removes while the other invites */
		assert_int_equal(hearth_space_remove(w.r[0].s, &w.space, &w.member[a]), HEARTH_OK);
		w.member[5] = add_member(&w.r[1], &w.r[5], &w.space, HEARTH_ROLE_COUNSELLOR);
		w.in[5] = 1;
		sync_to(&w.r[1], &w.r[5], &w.space);
		break;
	case 2: /* the two leads remove each other */
		if (rng_next(&rng) & 1) {
			assert_int_equal(hearth_space_remove(w.r[0].s, &w.space, &w.member[1]), HEARTH_OK);
			assert_int_equal(hearth_space_remove(w.r[1].s, &w.space, &w.member[0]), HEARTH_OK);
		} else {
			assert_int_equal(hearth_space_remove(w.r[1].s, &w.space, &w.member[0]), HEARTH_OK);
			assert_int_equal(hearth_space_remove(w.r[0].s, &w.space, &w.member[1]), HEARTH_OK);
		}
		break;
	case 4: /* one revokes a's device while the other removes b; a
		 * (its device stolen) writes on */
		{
			uint64_t d = hearth_store_device(w.r[a].s);
			hearth_id rec;

			assert_int_equal(hearth_space_revoke_device(w.r[0].s, &w.space, d,
					 max_seq_of(&w.r[0], d), NULL), HEARTH_OK);
			assert_int_equal(hearth_space_remove(w.r[1].s, &w.space, &w.member[b]),
					 HEARTH_OK);
			assert_int_equal(hearth_record_create(w.r[a].s, &w.space, "member", &rec),
					 HEARTH_OK);
		}
		break;
	default: /* both remove the same member: concurrent rotations */
		assert_int_equal(hearth_space_remove(w.r[0].s, &w.space, &w.member[a]), HEARTH_OK);
		assert_int_equal(hearth_space_remove(w.r[1].s, &w.space, &w.member[a]), HEARTH_OK);
		break;
	}
	/* Partial exchanges in a random order before everything meets. */
	for (i = 0; i < (int)(rng_next(&rng) % 6); i++) {
		int x = (int)(rng_next(&rng) % NREP), y = (int)(rng_next(&rng) % NREP);

		if (x != y && w.in[x] && w.in[y])
			sync_to(&w.r[x], &w.r[y], &w.space);
	}
	converge(&w);
	check_world(&w);
	/* The changes that must hold. */
	switch (kind) {
	case 0:
		if (is_member(&w, a) || is_member(&w, b))
			fail_seed(&w, "a removal did not hold");
		break;
	case 1:
		if (is_member(&w, a) || !is_member(&w, 5))
			fail_seed(&w, "the removal or the invitation did not hold");
		break;
	case 2:
		if (is_member(&w, 0) + is_member(&w, 1) != 1)
			fail_seed(&w, "not exactly one lead stays after mutual removal");
		break;
	case 4:
		{
			hearth_space_state *st = state_of(&w.r[0], &w.space);
			uint64_t d = hearth_store_device(w.r[a].s);

			if (!is_member(&w, a) || is_member(&w, b))
				fail_seed(&w, "the revoked device's member left, or the removal did not hold");
			if (!hearth_space_device_revoked(st, d, NULL) ||
			    hearth_space_may_write(st, d, 1, max_seq_of(&w.r[a], d),
						   HEARTH_EPOCH_CONTROL, NULL, NULL))
				fail_seed(&w, "the revoked device may still write");
			hearth_space_state_free(st);
		}
		break;
	default:
		if (is_member(&w, a))
			fail_seed(&w, "the removal did not hold");
		break;
	}
	for (i = 0; i < NREP; i++)
		replica_close(&w.r[i]);
}

/* ---- revoking a device ------------------------------------------------------ */

static int head_cb(const hearth_device_head *h, void *ctx)
{
	uint64_t *v = ctx;

	if (h->device == v[0])
		v[1] = h->max_seq;
	return 0;
}

/* The greatest seq of device r holds. */
static uint64_t max_seq_of(replica *r, uint64_t device)
{
	uint64_t v[2] = { device, 0 };

	assert_int_equal(hearth_store_heads(r->s, head_cb, v), HEARTH_OK);
	return v[1];
}

static void set_dev_field(replica *r, const hearth_id *rec, const char *prefix,
			  uint64_t d, const char *value)
{
	char f[40];

	snprintf(f, sizeof f, "%s%016llx", prefix, (unsigned long long)d);
	assert_int_equal(hearth_record_set(r->s, rec, f, value), HEARTH_OK);
}

/* A counsellor with a second (linked) device loses it: the counsellor
 * revokes it from the first; the member stays, a new epoch is sealed to
 * every current device but the lost one, the lost one's later ops (even
 * one that raises its own cutoff or lists it again) count nowhere, and
 * a lead's replica computes the same state from the set in any order. */
static void test_revoke_device(void **state)
{
	replica lead, b, phone;
	uint8_t cert[HEARTH_CERT_BYTES], *pkg = NULL;
	char code[HEARTH_LINK_CODE_MAX], hex[2 * HEARTH_CERT_BYTES + 1];
	hearth_device_key *key = NULL;
	hearth_space_state *st;
	uint64_t dev, cutoff, after, before_epoch, rng = 42;
	hearth_id space, mb, note;
	char *want;
	size_t len, i;
	int done = 0;
	opset o;

	(void)state;
	replica_open(&lead);
	replica_open(&b);
	replica_open(&phone);
	assert_int_equal(hearth_space_create(lead.s, "team", &space), HEARTH_OK);
	mb = add_member(&lead, &b, &space, HEARTH_ROLE_COUNSELLOR);
	sync_to(&lead, &b, &space);
	/* The phone joins b's identity and b lists it in its record. */
	assert_int_equal(hearth_link_request(phone.s, code), HEARTH_OK);
	assert_int_equal(hearth_link_approve(b.s, code, &pkg, &len, &dev), HEARTH_OK);
	assert_int_equal(hearth_link_accept(phone.s, pkg, len), HEARTH_OK);
	free(pkg);
	assert_int_equal(hearth_device_key_load(phone.s, &key, cert), HEARTH_OK);
	hearth_device_key_free(key);
	sodium_bin2hex(hex, sizeof hex, cert, sizeof cert);
	set_dev_field(&b, &mb, "device.", dev, hex);
	sync_to(&b, &lead, &space);
	assert_int_equal(hearth_space_refresh(lead.s, &space, NULL), HEARTH_OK);
	sync_to(&lead, &b, &space);
	sync_to(&b, &phone, &space);
	assert_int_equal(hearth_space_refresh(phone.s, &space, NULL), HEARTH_OK);
	st = state_of(&phone, &space);
	assert_true(hearth_space_device_current(st, dev));
	before_epoch = st->current->number;
	assert_true(holds_key(&phone, &space, st->current->epoch));
	hearth_space_state_free(st);
	/* The phone writes, b receives it, then the phone is lost. */
	assert_int_equal(hearth_record_create(phone.s, &space, "note", &note), HEARTH_OK);
	/* A device never names its own cutoff: one written ahead of time
	 * would otherwise outbid every later revocation. */
	set_dev_field(&phone, &mb, "revoked.", dev, "18446744073709551615");
	sync_to(&phone, &b, &space);
	cutoff = max_seq_of(&b, dev);
	assert_true(cutoff > 0);
	/* Not this very device; not someone else's (b is no lead). */
	assert_int_equal(hearth_space_revoke_device(b.s, &space, hearth_store_device(b.s),
						    cutoff, &done), HEARTH_EINVAL);
	assert_int_equal(hearth_space_revoke_device(b.s, &space, hearth_store_device(lead.s),
						    1, &done), HEARTH_ESTATE);
	assert_int_equal(done, 0);
	assert_int_equal(hearth_space_revoke_device(b.s, &space, dev, cutoff, &done), HEARTH_OK);
	assert_int_equal(done, 1);
	/* Again: nothing to do. */
	assert_int_equal(hearth_space_revoke_device(b.s, &space, dev, cutoff, &done), HEARTH_OK);
	assert_int_equal(done, 0);
	st = state_of(&b, &space);
	assert_non_null(st->current);
	assert_false(st->needs_rotation);
	assert_true(st->current->number > before_epoch);
	assert_non_null(hearth_space_member_of(st, pk_of(&b)));
	assert_false(hearth_space_device_current(st, dev));
	for (i = 0; i < st->current->nwraps; i++)
		assert_true(st->current->wraps[i].device != dev);
	assert_true(hearth_space_may_write(st, dev, 1, cutoff, HEARTH_EPOCH_CONTROL, NULL, NULL));
	assert_false(hearth_space_may_write(st, dev, cutoff + 1, cutoff + 1,
					    HEARTH_EPOCH_CONTROL, NULL, NULL));
	hearth_space_state_free(st);
	/* The thief, not yet having seen the revocation, writes on: a note,
	 * its own cutoff raised, itself listed again. */
	assert_int_equal(hearth_record_create(phone.s, &space, "note", &note), HEARTH_OK);
	set_dev_field(&phone, &mb, "revoked.", dev, "18446744073709551615");
	set_dev_field(&phone, &mb, "device.", dev, hex);
	after = max_seq_of(&phone, dev);
	assert_true(after > cutoff);
	sync_to(&b, &lead, &space);
	sync_to(&phone, &lead, &space);
	sync_to(&phone, &b, &space);
	sync_to(&lead, &b, &space);
	/* The lead agrees, takes the new key and has nothing to rotate. */
	assert_int_equal(hearth_space_refresh(lead.s, &space, NULL), HEARTH_OK);
	st = state_of(&lead, &space);
	assert_int_equal(st->current->number, before_epoch + 1);
	assert_true(holds_key(&lead, &space, st->current->epoch));
	assert_false(holds_key(&phone, &space, st->current->epoch));
	assert_true(hearth_space_device_revoked(st, dev, &after));
	assert_int_equal(after, cutoff);
	assert_false(st->needs_rotation);
	assert_false(hearth_space_may_write(st, dev, cutoff + 1, cutoff + 1,
					    HEARTH_EPOCH_CONTROL, NULL, NULL));
	hearth_space_state_free(st);
	/* b agrees; the set in any order gives the same state. */
	want = agreed(&lead, &b, &space, &o, 20, &rng);
	/* The revocation without the epoch that followed it: no epoch sealed
	 * to the phone counts, and a lead's replica must rotate. */
	st = state_of(&lead, &space);
	{
		hearth_id newest = st->current->record;
		hearth_op *v = malloc(o.n * sizeof *v);
		hearth_space_state *cut;
		size_t k = 0;

		assert_non_null(v);
		for (i = 0; i < o.n; i++)
			if (!hearth_id_equal(&o.v[i].record, &newest))
				v[k++] = o.v[i];
		assert_true(k < o.n);
		assert_int_equal(hearth_space_compute(&space, v, k, &cut), HEARTH_OK);
		free(v);
		assert_true(cut->needs_rotation);
		assert_true(cut->current == NULL ||
			    !hearth_space_device_current(cut, dev));
		for (i = 0; cut->current != NULL && i < cut->current->nwraps; i++)
			assert_true(cut->current->wraps[i].device != dev);
		hearth_space_state_free(cut);
	}
	hearth_space_state_free(st);
	opset_free(&o);
	free(want);
	/* A counsellor naming another's device in its own record revokes
	 * nothing. */
	set_dev_field(&b, &mb, "revoked.", hearth_store_device(lead.s), "1");
	sync_to(&b, &lead, &space);
	st = state_of(&lead, &space);
	assert_false(hearth_space_device_revoked(st, hearth_store_device(lead.s), NULL));
	assert_true(hearth_space_device_current(st, hearth_store_device(lead.s)));
	hearth_space_state_free(st);
	/* The lead may revoke any member's device; b's own here. */
	assert_int_equal(hearth_space_revoke_device(lead.s, &space, hearth_store_device(b.s),
						    max_seq_of(&lead, hearth_store_device(b.s)),
						    &done), HEARTH_OK);
	assert_int_equal(done, 1);
	st = state_of(&lead, &space);
	assert_false(hearth_space_device_current(st, hearth_store_device(b.s)));
	assert_non_null(st->current);
	assert_false(st->needs_rotation);
	hearth_space_state_free(st);
	replica_close(&phone);
	replica_close(&b);
	replica_close(&lead);
}


/* A certificate by r's identity for device d with the key of holder (a
 * replica whose device key stands for d), as hex. */
static void cert_hex_by(replica *r, uint64_t d, replica *holder,
			char hex[2 * HEARTH_CERT_BYTES + 1])
{
	uint8_t cert[HEARTH_CERT_BYTES];
	hearth_device_key *k = NULL;
	hearth_identity *id = NULL;

	assert_int_equal(hearth_identity_load(r->s, &id), HEARTH_OK);
	assert_int_equal(hearth_device_key_load(holder->s, &k, NULL), HEARTH_OK);
	assert_int_equal(hearth_cert_issue(id, d, hearth_device_key_public(k), 1, cert),
			 HEARTH_OK);
	sodium_bin2hex(hex, 2 * HEARTH_CERT_BYTES + 1, cert, sizeof cert);
	hearth_device_key_free(k);
	hearth_identity_free(id);
}

/* The wrap of the current epoch of space on r, for holder's device key. */
static void wrap_hex_for(replica *r, const hearth_id *space, replica *holder,
			 char hex[2 * HEARTH_WRAP_BYTES + 1], hearth_id *epoch_rec)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES], wrap[HEARTH_WRAP_BYTES];
	hearth_device_key *k = NULL;
	hearth_space_state *st = state_of(r, space);
	int found = 0;

	assert_non_null(st->current);
	*epoch_rec = st->current->record;
	assert_int_equal(hearth_keyring_get(r->s, space, st->current->epoch, key, &found),
			 HEARTH_OK);
	assert_true(found);
	assert_int_equal(hearth_device_key_load(holder->s, &k, NULL), HEARTH_OK);
	assert_int_equal(hearth_epoch_wrap(key, hearth_device_key_public(k), wrap), HEARTH_OK);
	sodium_bin2hex(hex, 2 * HEARTH_WRAP_BYTES + 1, wrap, sizeof wrap);
	hearth_device_key_free(k);
	hearth_space_state_free(st);
}

static int has_wrap(const hearth_space_state *st, uint64_t d)
{
	size_t i;

	for (i = 0; st->current != NULL && i < st->current->nwraps; i++)
		if (st->current->wraps[i].device == d)
			return 1;
	return 0;
}

/* A member lists its own devices (no lead needed) with certificates of its
 * own identity, and seals the current epoch key to them; the fold counts
 * nothing else of the kind from a counsellor: a device in another's record,
 * a certificate by another identity, a wrap for another's device.  The
 * state is the same from the set in any order (seeded shuffles). */
static void test_own_devices(void **state)
{
	replica lead, b, c, c2, d3, x;
	char hex[2 * HEARTH_CERT_BYTES + 1], whex[2 * HEARTH_WRAP_BYTES + 1];
	uint64_t dev2 = 0xc2c2c2c2c2c2c2c2ull, dev3 = 0xd3d3d3d3d3d3d3d3ull;
	uint64_t devx = 0xeeeeeeeeeeeeeeeeull, rng = 7;
	hearth_id space, mb, mc, erec;
	hearth_space_state *st;
	char *want;
	opset o;

	(void)state;
	replica_open(&lead);
	replica_open(&b);
	replica_open(&c);
	replica_open(&c2);
	replica_open(&d3);
	replica_open(&x);
	team_of_two(&lead, &b, &c, &space, &mb, &mc);
	/* B, a counsellor, writes what it may not: C's device d3 (certified
	 * by C's identity) in C's record; in its own record a device whose
	 * certificate C's identity signed; a wrap for C's second device. */
	cert_hex_by(&c, dev3, &d3, hex);
	set_dev_field(&b, &mc, "device.", dev3, hex);
	cert_hex_by(&c, devx, &x, hex);
	set_dev_field(&b, &mb, "device.", devx, hex);
	/* B lists C's own device under B's identity (a certificate B signed
	 * for C's device id and key): it does not count, so C's ops stay
	 * C's own. */
	cert_hex_by(&b, hearth_store_device(c.s), &c, hex);
	set_dev_field(&b, &mb, "device.", hearth_store_device(c.s), hex);
	/* C lists its own second device: no lead involved. */
	cert_hex_by(&c, dev2, &c2, hex);
	set_dev_field(&c, &mc, "device.", dev2, hex);
	sync_to(&c, &b, &space);
	wrap_hex_for(&b, &space, &c2, whex, &erec);
	set_dev_field(&b, &erec, "wrap.", dev2, whex);
	sync_to(&b, &lead, &space);
	sync_to(&c, &lead, &space);
	st = state_of(&lead, &space);
	assert_true(hearth_space_device_current(st, dev2));
	assert_false(hearth_space_device_current(st, dev3));
	assert_false(hearth_space_device_current(st, devx));
	assert_false(has_wrap(st, dev2));
	{
		const hearth_space_member *bm = hearth_space_member_of(st, pk_of(&b));
		size_t i;

		assert_non_null(bm);
		for (i = 0; i < bm->ndevices; i++)
			assert_true(bm->devices[i].device == hearth_store_device(b.s));
	}
	assert_false(st->needs_rotation);
	hearth_space_state_free(st);
	/* C seals the key to its own device: it counts. */
	wrap_hex_for(&c, &space, &c2, whex, &erec);
	set_dev_field(&c, &erec, "wrap.", dev2, whex);
	sync_to(&c, &lead, &space);
	sync_to(&lead, &b, &space);
	sync_to(&lead, &c, &space);
	st = state_of(&lead, &space);
	assert_true(has_wrap(st, dev2));
	assert_true(st->current->valid);
	assert_false(st->needs_rotation);
	hearth_space_state_free(st);
	want = agreed(&lead, &b, &space, &o, 50, &rng);
	opset_free(&o);
	free(want);
	replica_close(&x);
	replica_close(&d3);
	replica_close(&c2);
	replica_close(&c);
	replica_close(&b);
	replica_close(&lead);
}


/* How many ops device wrote in space, as r holds them. */
static size_t ops_by_in(replica *r, uint64_t device, const hearth_id *space)
{
	opset o;
	size_t i, n = 0;

	ops_of(r, space, &o);
	for (i = 0; i < o.n; i++)
		n += o.v[i].id.device == device;
	opset_free(&o);
	return n;
}

/* Another member listed C's new device under its own identity before C
 * linked it: the fold would count C's listing of it nowhere, so C's vault
 * does not write it, neither when linking nor at every refresh after. */
static void test_own_device_taken(void **state)
{
	replica lead, b, c, c2;
	char hex[2 * HEARTH_CERT_BYTES + 1], code[HEARTH_LINK_CODE_MAX];
	uint64_t dev2, cdev, before;
	hearth_id space, mb, mc;
	uint8_t *pkg = NULL;
	size_t len;

	(void)state;
	replica_open(&lead);
	replica_open(&b);
	replica_open(&c);
	replica_open(&c2);
	team_of_two(&lead, &b, &c, &space, &mb, &mc);
	dev2 = hearth_store_device(c2.s);
	cert_hex_by(&b, dev2, &c2, hex);
	set_dev_field(&b, &mb, "device.", dev2, hex);
	sync_to(&b, &c, &space);
	cdev = hearth_store_device(c.s);
	before = ops_by_in(&c, cdev, &space);
	assert_int_equal(hearth_link_request(c2.s, code), HEARTH_OK);
	assert_int_equal(hearth_link_approve(c.s, code, &pkg, &len, NULL), HEARTH_OK);
	free(pkg);
	assert_int_equal(hearth_space_refresh(c.s, &space, NULL), HEARTH_OK);
	assert_int_equal(hearth_space_refresh(c.s, &space, NULL), HEARTH_OK);
	/* Nothing in the team space (the private space gets the new
	 * device's certificate for C's other devices). */
	assert_int_equal(ops_by_in(&c, cdev, &space), before);
	replica_close(&c2);
	replica_close(&c);
	replica_close(&b);
	replica_close(&lead);
}

static void test_schedules(void **state)
{
	const char *e = getenv("HEARTH_SPACE_SCHEDULES"), *s0 = getenv("HEARTH_SPACE_SEED");
	uint64_t n = e != NULL ? strtoull(e, NULL, 10) : 200, first, i;

	(void)state;
	first = s0 != NULL ? strtoull(s0, NULL, 10) : 1;
	for (i = 0; i < n; i++)
		run_schedule(first + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_three_vaults),
		cmocka_unit_test(test_removed_lead_own_cutoff),
		cmocka_unit_test(test_members_each),
		cmocka_unit_test(test_member_names),
		cmocka_unit_test(test_set_role),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_code_layout),
		cmocka_unit_test(test_order_independence),
		cmocka_unit_test(test_forgeries),
		cmocka_unit_test(test_abuse),
		cmocka_unit_test(test_trust_envelopes),
		cmocka_unit_test(test_invite_again),
		cmocka_unit_test(test_revoke_device),
		cmocka_unit_test(test_own_devices),
		cmocka_unit_test(test_own_device_taken),
		cmocka_unit_test(test_schedules),
	};

	if (hearth_crypto_init() != HEARTH_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
