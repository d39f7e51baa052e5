/*
 * spaces.c - spaces and their members: the audited verbs that write a
 * space's control records, the codes people pass by hand, and the trust
 * an envelope importer asks (see hearth/spaces.h).
 *
 * What counts is decided in sync/space.c from the records alone; this
 * module only writes them, in the shapes docs/protocol.md §11 gives, and
 * keeps epoch keys in the keyring.  Secrets of this device only (meta,
 * never synced):
 *
 *   invite.<16 hex token>   space (16) | role (1) | expires (8, s) | used (1)
 *   joined.<32 hex space>   the inviter's tag (8) | the token (8)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hearth/audit.h"
#include "hearth/casework.h"
#include "hearth/crypto.h"
#include "hearth/devices.h"
#include "hearth/spaces.h"

#define NAME_MAX_BYTES 200u
#define DEV_FIELD_MAX 32u

/* ---- small helpers ------------------------------------------------------- */

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static void put64(uint8_t *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void dev_field(char out[DEV_FIELD_MAX], const char *prefix, uint64_t d)
{
	snprintf(out, DEV_FIELD_MAX, "%s%016llx", prefix, (unsigned long long)d);
}

/* Sets field of record id to the lowercase hex of v. */
static hearth_status set_hex(hearth_store *s, const hearth_id *id, const char *field,
			     const uint8_t *v, size_t n)
{
	char hex[2 * HEARTH_CERT_BYTES + 1];

	hearth_hex_encode(hex, v, n);
	return hearth_record_set(s, id, field, hex);
}

static hearth_status set_u64(hearth_store *s, const hearth_id *id, const char *field,
			     uint64_t v)
{
	char text[24];

	snprintf(text, sizeof text, "%llu", (unsigned long long)v);
	return hearth_record_set(s, id, field, text);
}

/* The 8-byte tag of an identity in an invitation. */
static void identity_tag(const hearth_identity_public *id, uint8_t tag[8])
{
	crypto_generichash(tag, 8, (const uint8_t *)id, sizeof *id, NULL, 0);
}

/* This vault's identity, device key and certificate. */
typedef struct me {
	hearth_identity *id;
	hearth_device_key *key;
	uint8_t cert[HEARTH_CERT_BYTES];
	uint64_t device;
} me;

static hearth_status me_load(hearth_store *s, me *m)
{
	hearth_status st;

	memset(m, 0, sizeof *m);
	if ((st = hearth_identity_load(s, &m->id)) != HEARTH_OK ||
	    (st = hearth_device_key_load(s, &m->key, m->cert)) != HEARTH_OK) {
		hearth_identity_free(m->id);
		m->id = NULL;
		return st;
	}
	m->device = hearth_store_device(s);
	return HEARTH_OK;
}

static void me_free(me *m)
{
	hearth_identity_free(m->id);
	hearth_device_key_free(m->key);
	memset(m, 0, sizeof *m);
}

static const uint8_t *me_pk(const me *m)
{
	return hearth_identity_public_keys(m->id)->sign_pk;
}

/* 1 when this vault may act as a lead of st now. */
static int me_lead(const hearth_space_state *st, const me *m)
{
	const hearth_space_member *mine = hearth_space_member_of(st, me_pk(m));
	hearth_role role = HEARTH_ROLE_NONE;

	if (!hearth_space_may_write(st, m->device, 1, UINT64_MAX, HEARTH_EPOCH_CONTROL,
				    NULL, &role))
		return 0;
	/* The genesis device before its member record exists, or a lead. */
	return role == HEARTH_ROLE_LEAD && (mine == NULL || mine->role == HEARTH_ROLE_LEAD);
}

static void detail_space(char out[8 + HEARTH_ID_HEX], const hearth_id *space)
{
	char hex[HEARTH_ID_HEX + 1];

	hearth_id_to_hex(space, hex);
	snprintf(out, 8 + HEARTH_ID_HEX, "space=%s", hex);
}

/* ---- epochs -------------------------------------------------------------- */

/* Writes a new epoch (number max + 1) sealed to every device of st's
 * current members but member record leaving (NULL: none), and keeps its
 * key. */
static hearth_status rotate(hearth_store *s, const hearth_space_state *st,
			    const hearth_id *leaving)
{
	uint8_t *key = hearth_secret_alloc(HEARTH_EPOCH_KEYBYTES);
	uint8_t check[HEARTH_KEYCHECK_BYTES], wrap[HEARTH_WRAP_BYTES];
	char f[DEV_FIELD_MAX];
	hearth_status ret;
	hearth_id rec;
	size_t i, j;
	uint64_t e;

	if (key == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	hearth_epoch_key_generate(key);
	if ((ret = hearth_record_create(s, &st->space, HEARTH_KIND_EPOCH, &rec)) != HEARTH_OK)
		goto out;
	e = hearth_epoch_of_record(&rec);
	hearth_epoch_key_check(&st->space, e, key, check);
	if ((ret = set_u64(s, &rec, "number", st->max_number + 1)) != HEARTH_OK ||
	    (ret = set_hex(s, &rec, "check", check, sizeof check)) != HEARTH_OK)
		goto out;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (m->removed || (leaving != NULL && hearth_id_equal(&m->record, leaving)))
			continue;
		for (j = 0; j < m->ndevices; j++) {
			if (hearth_space_device_revoked(st, m->devices[j].device, NULL))
				continue;
			if ((ret = hearth_epoch_wrap(key, m->devices[j].pk, wrap)) != HEARTH_OK)
				goto out;
			dev_field(f, "wrap.", m->devices[j].device);
			if ((ret = set_hex(s, &rec, f, wrap, sizeof wrap)) != HEARTH_OK)
				goto out;
		}
	}
	ret = hearth_keyring_put(s, &st->space, e, key);
out:
	hearth_secret_free(key);
	return ret;
}

/* Seals the key of epoch e of st (NULL: none) to the current devices that
 * lack a wrap in it, of the members whose identity is only (NULL: of
 * every member); *added counts them.  Nothing when this vault lacks the
 * key. */
static hearth_status wrap_missing(hearth_store *s, const hearth_space_state *st,
				  const hearth_space_epoch *e, const uint8_t *only,
				  size_t *added)
{
	uint8_t *key = hearth_secret_alloc(HEARTH_EPOCH_KEYBYTES);
	uint8_t wrap[HEARTH_WRAP_BYTES];
	hearth_status ret = HEARTH_OK;
	char f[DEV_FIELD_MAX];
	size_t i, j, k;
	int found = 0;

	*added = 0;
	if (key == NULL)
		return hearth_fail(HEARTH_ENOMEM, "cannot allocate secret memory");
	if (e == NULL ||
	    (ret = hearth_keyring_get(s, &st->space, e->epoch, key, &found)) != HEARTH_OK ||
	    !found)
		goto out;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *m = &st->members[i];

		if (only != NULL && (!m->has_identity ||
				     memcmp(m->identity.sign_pk, only, HEARTH_ID_SIGN_PUBLICBYTES) != 0))
			continue;
		for (j = 0; !m->removed && j < m->ndevices; j++) {
			for (k = 0; k < e->nwraps && e->wraps[k].device != m->devices[j].device; k++)
				;
			if (k < e->nwraps ||
			    hearth_space_device_revoked(st, m->devices[j].device, NULL))
				continue;
			if ((ret = hearth_epoch_wrap(key, m->devices[j].pk, wrap)) != HEARTH_OK)
				goto out;
			dev_field(f, "wrap.", m->devices[j].device);
			if ((ret = set_hex(s, &e->record, f, wrap, sizeof wrap)) != HEARTH_OK)
				goto out;
			(*added)++;
		}
	}
out:
	hearth_secret_free(key);
	return ret;
}

/* ---- create -------------------------------------------------------------- */

static hearth_status create(hearth_store *s, const char *name, hearth_id *out)
{
	uint8_t nonce[HEARTH_SPACE_NONCE_BYTES];
	const hearth_identity_public *pub;
	char f[DEV_FIELD_MAX], detail[8 + HEARTH_ID_HEX];
	hearth_space_state *st = NULL;
	hearth_id space, g, m, info;
	hearth_status ret;
	me i;

	if ((ret = me_load(s, &i)) != HEARTH_OK)
		return ret;
	pub = hearth_identity_public_keys(i.id);
	hearth_random(nonce, sizeof nonce);
	space = hearth_space_id_derive(pub->sign_pk, nonce);
	dev_field(f, "device.", i.device);
	/* The genesis, then the creator as its first lead. */
	if ((ret = hearth_record_create(s, &space, HEARTH_KIND_SPACE, &g)) != HEARTH_OK ||
	    (ret = set_hex(s, &g, "creator", pub->sign_pk, HEARTH_ID_SIGN_PUBLICBYTES)) != HEARTH_OK ||
	    (ret = set_hex(s, &g, "nonce", nonce, sizeof nonce)) != HEARTH_OK ||
	    (ret = set_u64(s, &g, "format", HEARTH_SPACE_FORMAT)) != HEARTH_OK ||
	    (ret = set_hex(s, &g, f, i.cert, HEARTH_CERT_BYTES)) != HEARTH_OK ||
	    (ret = hearth_record_create(s, &space, HEARTH_KIND_MEMBER, &m)) != HEARTH_OK ||
	    (ret = set_hex(s, &m, "identity", pub->sign_pk, HEARTH_ID_SIGN_PUBLICBYTES)) != HEARTH_OK ||
	    (ret = set_hex(s, &m, "box", pub->box_pk, HEARTH_ID_BOX_PUBLICBYTES)) != HEARTH_OK ||
	    (ret = hearth_record_set(s, &m, "role", "lead")) != HEARTH_OK ||
	    (ret = set_hex(s, &m, f, i.cert, HEARTH_CERT_BYTES)) != HEARTH_OK)
		goto out;
	if ((ret = hearth_space_load(s, &space, &st)) != HEARTH_OK ||
	    (ret = rotate(s, st, NULL)) != HEARTH_OK)
		goto out;
	if ((ret = hearth_record_create(s, &space, HEARTH_KIND_SPACEINFO, &info)) != HEARTH_OK ||
	    (ret = hearth_record_set(s, &info, "name", name)) != HEARTH_OK)
		goto out;
	detail_space(detail, &space);
	if ((ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_CREATE, &space, detail)) != HEARTH_OK)
		goto out;
	*out = space;
out:
	hearth_space_state_free(st);
	me_free(&i);
	return ret;
}

hearth_status hearth_space_create(hearth_store *s, const char *name, hearth_id *out)
{
	hearth_store_step step;
	hearth_status ret;
	size_t n;

	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the new space");
	n = name != NULL ? strlen(name) : 0;
	if (n == 0 || n > NAME_MAX_BYTES)
		return hearth_fail(HEARTH_EINVAL, "a space name has 1 to 200 bytes");
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	return hearth_store_step_end(s, &step, create(s, name, out));
}

/* ---- listing ------------------------------------------------------------- */

typedef struct ids {
	hearth_id *v;
	char **names;
	size_t n, cap;
	const char *kind;
	int oom;
} ids;

static int ids_add(ids *l, const hearth_id *id, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (hearth_id_equal(&l->v[i], id))
			return 0;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 8;
		hearth_id *v = realloc(l->v, c * sizeof *v);
		char **nm;

		if (v == NULL)
			goto oom;
		l->v = v;
		if ((nm = realloc(l->names, c * sizeof *nm)) == NULL)
			goto oom;
		l->names = nm;
		l->cap = c;
	}
	l->names[l->n] = name != NULL ? strdup(name) : NULL;
	if (name != NULL && l->names[l->n] == NULL)
		goto oom;
	l->v[l->n++] = *id;
	return 0;
oom:
	l->oom = 1;
	return 1;
}

static void ids_free(ids *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->v);
	free(l->names);
}

static int collect_cb(const hearth_record *r, void *ctx)
{
	ids *l = ctx;

	return ids_add(l, &r->space, strcmp(l->kind, HEARTH_KIND_SPACEINFO) == 0 ?
		       hearth_record_field(r, "name") : NULL);
}

static hearth_status collect(hearth_store *s, const char *kind, ids *l)
{
	hearth_status ret;

	memset(l, 0, sizeof *l);
	l->kind = kind;
	/* Tombstones included for the genesis: "_deleted" is no control
	 * field (anyone could write one), so a space stands until its state
	 * says otherwise. */
	ret = hearth_store_each(s, kind, strcmp(kind, HEARTH_KIND_SPACE) == 0,
				collect_cb, l);
	if (ret == HEARTH_OK && l->oom)
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory listing spaces");
	return ret;
}

static int space_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(hearth_id));
}

/* hearth_space_info.inviter: the tag this vault kept when it joined
 * against the identities of the space's member records. */
static int inviter_check(hearth_store *s, const hearth_space_state *st)
{
	char name[8 + HEARTH_ID_HEX], hex[HEARTH_ID_HEX + 1];
	uint8_t sec[16], tag[8];
	size_t len, i;
	int found = 0;

	hearth_id_to_hex(&st->space, hex);
	snprintf(name, sizeof name, "joined.%s", hex);
	if (hearth_store_secret_get(s, name, sec, sizeof sec, &len, &found) != HEARTH_OK ||
	    !found || len != sizeof sec) {
		hearth_errdetail_clear();
		return 0;
	}
	for (i = 0; i < st->nmembers; i++) {
		if (!st->members[i].has_identity || !st->members[i].has_box)
			continue;
		identity_tag(&st->members[i].identity, tag);
		if (memcmp(tag, sec, sizeof tag) == 0)
			return 1;
	}
	return -1;
}

hearth_status hearth_spaces_each(hearth_store *s, hearth_space_cb cb, void *ctx)
{
	uint8_t key[HEARTH_EPOCH_KEYBYTES];
	ids spaces, names;
	hearth_status ret;
	size_t i, j;
	me m;

	if (s == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list spaces: no callback");
	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = collect(s, HEARTH_KIND_SPACE, &spaces)) != HEARTH_OK) {
		me_free(&m);
		return ret;
	}
	if ((ret = collect(s, HEARTH_KIND_SPACEINFO, &names)) != HEARTH_OK)
		goto out_spaces;
	if (spaces.n > 1)
		qsort(spaces.v, spaces.n, sizeof *spaces.v, space_cmp);
	for (i = 0; i < spaces.n && ret == HEARTH_OK; i++) {
		hearth_space_state *st = NULL;
		const hearth_space_member *mine;
		hearth_space_info info;
		int found = 0, stop;

		if ((ret = hearth_space_load(s, &spaces.v[i], &st)) != HEARTH_OK)
			break;
		mine = hearth_space_member_of(st, me_pk(&m));
		if (!st->known || mine == NULL) {
			hearth_space_state_free(st);
			continue;
		}
		memset(&info, 0, sizeof info);
		info.space = spaces.v[i];
		info.role = mine->role;
		for (j = 0; j < names.n; j++)
			if (hearth_id_equal(&names.v[j], &spaces.v[i]))
				info.name = names.names[j];
		for (j = 0; j < st->nmembers; j++)
			info.members += !st->members[j].removed && st->members[j].has_identity;
		info.inviter = inviter_check(s, st);
		if (st->current != NULL) {
			info.epoch_number = st->current->number;
			ret = hearth_keyring_get(s, &st->space, st->current->epoch, key, &found);
			info.has_key = found;
		}
		stop = ret == HEARTH_OK && cb(&info, ctx) != 0;
		hearth_space_state_free(st);
		if (stop)
			break;
	}
	hearth_wipe(key, sizeof key);
	ids_free(&names);
out_spaces:
	ids_free(&spaces);
	me_free(&m);
	return ret;
}

typedef struct resolve_ctx {
	const char *text;
	size_t len;
	int by_id;
	hearth_id found;
	size_t n;
} resolve_ctx;

static int resolve_cb(const hearth_space_info *i, void *ctx)
{
	resolve_ctx *r = ctx;
	char hex[HEARTH_ID_HEX + 1];
	size_t k;
	int match = i->name != NULL && strcmp(i->name, r->text) == 0;

	if (!match && r->by_id) {
		hearth_id_to_hex(&i->space, hex);
		match = 1;
		for (k = 0; k < r->len; k++)
			if ((r->text[k] | 0x20) != hex[k])
				match = 0;
	}
	if (match) {
		r->found = i->space;
		r->n++;
	}
	return 0;
}

hearth_status hearth_space_resolve(hearth_store *s, const char *text, hearth_id *out)
{
	resolve_ctx r = { 0 };
	hearth_status ret;
	size_t k;

	if (s == NULL || text == NULL || out == NULL || text[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "no space named");
	r.text = text;
	r.len = strlen(text);
	r.by_id = r.len >= HEARTH_ID_MIN_PREFIX && r.len <= HEARTH_ID_HEX;
	for (k = 0; r.by_id && k < r.len; k++)
		if (!((text[k] >= '0' && text[k] <= '9') || ((text[k] | 0x20) >= 'a' &&
							      (text[k] | 0x20) <= 'f')))
			r.by_id = 0;
	if ((ret = hearth_spaces_each(s, resolve_cb, &r)) != HEARTH_OK)
		return ret;
	if (r.n == 0)
		return hearth_fail(HEARTH_ENOTFOUND, "no space '%s' (see 'hearth space list')", text);
	if (r.n > 1)
		return hearth_fail(HEARTH_EAMBIGUOUS, "'%s' names more than one space", text);
	*out = r.found;
	return HEARTH_OK;
}

hearth_status hearth_space_state_get(hearth_store *s, const hearth_id *space,
				     hearth_space_state **out)
{
	hearth_status ret;

	if ((ret = hearth_space_load(s, space, out)) != HEARTH_OK)
		return ret;
	if (!(*out)->known) {
		hearth_space_state_free(*out);
		*out = NULL;
		return hearth_fail(HEARTH_ENOTFOUND, "this vault holds no such space");
	}
	return HEARTH_OK;
}

hearth_status hearth_space_member_resolve(const hearth_space_state *st,
					  const char *text,
					  const hearth_space_member **out)
{
	char hex[HEARTH_ID_HEX + 1], fp[HEARTH_FINGERPRINT_LEN + 1];
	const hearth_space_member *hit = NULL;
	size_t i, k, len, n = 0;
	int pass;

	if (st == NULL || text == NULL || out == NULL || text[0] == '\0')
		return hearth_fail(HEARTH_EINVAL, "no member named");
	len = strlen(text);
	/* Current records first; removed ones only when none matches. */
	for (pass = 0; pass < 2 && n == 0; pass++) {
		for (i = 0; i < st->nmembers; i++) {
			const hearth_space_member *m = &st->members[i];
			int match;

			if (!m->has_identity || m->removed != pass)
				continue;
			hearth_fingerprint(&m->identity, fp);
			match = hearth_fingerprint_equal(fp, text);
			if (!match && len >= HEARTH_ID_MIN_PREFIX && len <= HEARTH_ID_HEX) {
				hearth_id_to_hex(&m->record, hex);
				match = 1;
				for (k = 0; k < len; k++)
					if ((text[k] | 0x20) != hex[k])
						match = 0;
			}
			if (match) {
				hit = m;
				n++;
			}
		}
	}
	if (n == 0)
		return hearth_fail(HEARTH_ENOTFOUND, "no member '%s' in this space", text);
	if (n > 1)
		return hearth_fail(HEARTH_EAMBIGUOUS, "'%s' names more than one member", text);
	*out = hit;
	return HEARTH_OK;
}

/* 1 if st names device as revoked. */
static int device_revoked(const hearth_space_state *st, uint64_t device)
{
	size_t i;

	for (i = 0; i < st->nrevoked; i++)
		if (st->revoked[i].device == device)
			return 1;
	return 0;
}

hearth_status hearth_space_member_last_change(hearth_store *s,
					      const hearth_space_member *member,
					      uint64_t *ms)
{
	hearth_status ret = HEARTH_OK;
	hearth_hlc hlc;
	size_t i;
	int found;

	if (s == NULL || member == NULL || ms == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read a member's changes: no member");
	*ms = 0;
	for (i = 0; i < member->ndevices && ret == HEARTH_OK; i++) {
		ret = hearth_store_device_latest(s, member->devices[i].device, &hlc, &found);
		if (ret == HEARTH_OK && found && hearth_hlc_ms(&hlc) > *ms)
			*ms = hearth_hlc_ms(&hlc);
	}
	return ret;
}

/* ---- members' names (HEARTH_KIND_MEMBER_NAME) ---------------------------- */

/* Every name value held for one space, with the device that wrote it. */
typedef struct name_set {
	const hearth_id *space;
	struct name_value {
		uint64_t device;
		hearth_hlc hlc;
		char name[HEARTH_MEMBER_NAME_MAX + 1];
	} *v;
	size_t n, cap;
	int oom;
} name_set;

static int names_cb(const hearth_record *r, void *ctx)
{
	name_set *ns = ctx;
	struct name_value *nv;
	size_t i;

	if (!hearth_id_equal(&r->space, ns->space))
		return 0;
	for (i = 0; i < r->nfields; i++) {
		const hearth_field *f = &r->fields[i];

		if (strcmp(f->name, "name") != 0 || f->value[0] == '\0' ||
		    strlen(f->value) > HEARTH_MEMBER_NAME_MAX)
			continue;
		if (ns->n == ns->cap) {
			size_t cap = ns->cap ? 2 * ns->cap : 8;

			nv = realloc(ns->v, cap * sizeof *ns->v);
			if (nv == NULL) {
				ns->oom = 1;
				return 1;
			}
			ns->v = nv;
			ns->cap = cap;
		}
		nv = &ns->v[ns->n++];
		nv->device = hearth_hlc_device(&f->hlc);
		nv->hlc = f->hlc;
		strcpy(nv->name, f->value);
	}
	return 0;
}

/* Tombstones included: "_deleted" is no field of the name's author
 * alone, so a name stands until its author gives another. */
static hearth_status names_load(hearth_store *s, const hearth_id *space, name_set *ns)
{
	hearth_status ret;

	memset(ns, 0, sizeof *ns);
	ns->space = space;
	ret = hearth_store_each(s, HEARTH_KIND_MEMBER_NAME, 1, names_cb, ns);
	if (ret == HEARTH_OK && ns->oom)
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory reading members' names");
	return ret;
}

/* The newest name written by one of m's devices. */
static void name_of(const name_set *ns, const hearth_space_member *m,
		    char out[HEARTH_MEMBER_NAME_MAX + 1])
{
	const struct name_value *best = NULL;
	size_t i, j;

	for (i = 0; i < ns->n; i++)
		for (j = 0; j < m->ndevices; j++)
			if (ns->v[i].device == m->devices[j].device &&
			    (best == NULL || hearth_hlc_cmp(&ns->v[i].hlc, &best->hlc) > 0))
				best = &ns->v[i];
	strcpy(out, best != NULL ? best->name : "");
}

hearth_status hearth_space_member_name(hearth_store *s, const hearth_id *space,
				       const hearth_space_member *member,
				       char out[HEARTH_MEMBER_NAME_MAX + 1])
{
	hearth_status ret;
	name_set ns;

	if (out != NULL)
		out[0] = '\0';
	if (s == NULL || space == NULL || member == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot read a member's name: no member");
	if ((ret = names_load(s, space, &ns)) == HEARTH_OK)
		name_of(&ns, member, out);
	free(ns.v);
	return ret;
}

static hearth_status name_set_in(hearth_store *s, const hearth_id *space, const char *name)
{
	char detail[8 + HEARTH_ID_HEX];
	const hearth_space_member *mine;
	hearth_space_state *st = NULL;
	hearth_status ret;
	hearth_id rec;
	me m;

	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
		goto out;
	mine = hearth_space_member_of(st, me_pk(&m));
	if (mine == NULL || mine->removed) {
		ret = hearth_fail(HEARTH_ESTATE, "this vault is not a member of that space");
		goto out;
	}
	if ((ret = hearth_record_create(s, space, HEARTH_KIND_MEMBER_NAME, &rec)) != HEARTH_OK ||
	    (ret = hearth_record_set(s, &rec, "name", name)) != HEARTH_OK)
		goto out;
	detail_space(detail, space);
	ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_NAME, NULL, detail);
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_name_set(hearth_store *s, const hearth_id *space,
				    const char *name)
{
	char buf[HEARTH_MEMBER_NAME_MAX + 1];
	hearth_store_step step;
	hearth_status ret;
	size_t a, b;

	if (s == NULL || space == NULL || name == NULL)
		return hearth_fail(HEARTH_EINVAL, "no name given");
	for (a = 0; name[a] == ' '; a++)
		;
	for (b = strlen(name); b > a && name[b - 1] == ' '; b--)
		;
	if (b == a)
		return hearth_fail(HEARTH_EINVAL, "the name cannot be empty");
	if (b - a > HEARTH_MEMBER_NAME_MAX)
		return hearth_fail(HEARTH_EINVAL, "the name is longer than %u bytes",
				   (unsigned)HEARTH_MEMBER_NAME_MAX);
	memcpy(buf, name + a, b - a);
	buf[b - a] = '\0';
	if ((ret = hearth_text_check("name", buf)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	return hearth_store_step_end(s, &step, name_set_in(s, space, buf));
}

hearth_status hearth_space_members_each(hearth_store *s, const hearth_id *space,
					hearth_space_member_cb cb, void *ctx)
{
	hearth_space_state *st = NULL;
	hearth_space_member_info info;
	hearth_status ret;
	name_set names = { 0 };
	size_t i, j;
	int lead;
	me m;

	if (s == NULL || space == NULL || cb == NULL)
		return hearth_fail(HEARTH_EINVAL, "cannot list members: no callback");
	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK) {
		me_free(&m);
		return ret;
	}
	lead = me_lead(st, &m);
	if ((ret = names_load(s, space, &names)) != HEARTH_OK)
		goto out;
	for (i = 0; i < st->nmembers; i++) {
		const hearth_space_member *x = &st->members[i];

		if (!x->has_identity)
			continue;
		memset(&info, 0, sizeof info);
		name_of(&names, x, info.name);
		info.record = x->record;
		info.role = x->role;
		info.removed = x->removed;
		info.self = memcmp(x->identity.sign_pk, me_pk(&m),
				   HEARTH_ID_SIGN_PUBLICBYTES) == 0;
		for (j = 0; j < x->ndevices; j++)
			info.devices += !device_revoked(st, x->devices[j].device);
		/* The same checks as remove_member's. */
		info.removable = lead && !info.removed && !info.self;
		hearth_fingerprint(&x->identity, info.fingerprint);
		if ((ret = hearth_space_member_last_change(s, x, &info.last_change_ms)) !=
		    HEARTH_OK || cb(&info, ctx) != 0)
			break;
	}
out:
	free(names.v);
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

/* ---- codes ----------------------------------------------------------------
 *
 * Crockford base32 of: a type-and-version byte, the payload, and a
 * 4-byte check BLAKE2b-32("HEARTHCD" || type || payload).  Groups of 5
 * joined by '-'. */

#define CODE_INVITE 0x11u
#define CODE_REQUEST 0x21u
#define INVITE_BYTES (1u + 16u + 1u + 8u + 8u + 8u + 4u)
#define REQUEST_BYTES (1u + 16u + 8u + 32u + 32u + HEARTH_CERT_BYTES + 4u)
#define CODE_CHECK 4u

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void code_check(const uint8_t *b, size_t n, uint8_t out[CODE_CHECK])
{
	static const uint8_t magic[8] = { 'H', 'E', 'A', 'R', 'T', 'H', 'C', 'D' };
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, CODE_CHECK);
	crypto_generichash_update(&h, magic, sizeof magic);
	crypto_generichash_update(&h, b, n);
	crypto_generichash_final(&h, out, CODE_CHECK);
}

/* Seals b (n bytes, the last CODE_CHECK bytes the check) as text. */
static char *code_encode(uint8_t *b, size_t n)
{
	size_t chars = (n * 8 + 4) / 5, i, o = 0;
	char *out = malloc(chars + chars / 5 + 1);
	unsigned acc = 0, bits = 0;
	size_t k = 0;

	if (out == NULL)
		return NULL;
	code_check(b, n - CODE_CHECK, b + n - CODE_CHECK);
	for (i = 0; i < chars; i++) {
		if (bits < 5) {
			acc = (acc << 8 | (k < n ? b[k] : 0)) & 0xffff;
			k++;
			bits += 8;
		}
		if (i > 0 && i % 5 == 0)
			out[o++] = '-';
		out[o++] = b32[(acc >> (bits - 5)) & 31];
		bits -= 5;
	}
	out[o] = '\0';
	return out;
}

static int b32_value(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	if (c == 'I' || c == 'L')
		c = '1';
	if (c == '\0' || (p = strchr(b32, c)) == NULL)
		return -1;
	return (int)(p - b32);
}

/* A code's failures, as literal messages (each is a msgid). */
static hearth_status not_code(uint8_t type)
{
	return type == CODE_INVITE ?
		hearth_fail(HEARTH_EFORMAT, "this is not an invitation code") :
		hearth_fail(HEARTH_EFORMAT, "this is not a join request");
}

/* Decodes a code of type into b (exactly n bytes).  HEARTH_EFORMAT. */
static hearth_status code_decode(const char *text, uint8_t type, uint8_t *b, size_t n)
{
	size_t chars = (n * 8 + 4) / 5, got = 0, k = 0;
	uint8_t check[CODE_CHECK];
	unsigned acc = 0, bits = 0;
	const char *p;

	if (text == NULL)
		return not_code(type);
	for (p = text; *p != '\0'; p++) {
		int v;

		if (*p == '-' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if ((v = b32_value(*p)) < 0 || got >= chars)
			return not_code(type);
		got++;
		acc = (acc << 5 | (unsigned)v) & 0xffff;
		bits += 5;
		if (bits >= 8) {
			if (k < n)
				b[k++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (got != chars || k != n || (acc & ((1u << bits) - 1)) != 0)
		return not_code(type);
	code_check(b, n - CODE_CHECK, check);
	if (memcmp(check, b + n - CODE_CHECK, CODE_CHECK) != 0)
		return type == CODE_INVITE ?
			hearth_fail(HEARTH_EFORMAT,
				    "the invitation code has a typo: its checksum does not match") :
			hearth_fail(HEARTH_EFORMAT,
				    "the join request has a typo: its checksum does not match");
	/* The high nibble says what the code is, the low one its version. */
	if ((b[0] & 0xf0) == (type & 0xf0) && b[0] > type)
		return hearth_fail(HEARTH_ENEWER, "this code was made by a newer version of Hearth");
	if (b[0] != type)
		return not_code(type);
	return HEARTH_OK;
}

hearth_status hearth_invitation_parse(const char *code, hearth_invitation *out)
{
	uint8_t b[INVITE_BYTES];
	hearth_status ret;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the invitation");
	memset(out, 0, sizeof *out);
	if ((ret = code_decode(code, CODE_INVITE, b, sizeof b)) != HEARTH_OK)
		return ret;
	memcpy(out->space.b, b + 1, 16);
	out->role = (hearth_role)b[17];
	out->expires_s = get64(b + 18);
	memcpy(out->token, b + 26, 8);
	memcpy(out->inviter_tag, b + 34, 8);
	if (hearth_role_name(out->role) == NULL)
		return not_code(CODE_INVITE);
	return HEARTH_OK;
}

hearth_status hearth_join_request_parse(const char *text, hearth_join_request *out)
{
	uint8_t b[REQUEST_BYTES];
	hearth_status ret;

	if (out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the join request");
	memset(out, 0, sizeof *out);
	if ((ret = code_decode(text, CODE_REQUEST, b, sizeof b)) != HEARTH_OK)
		return ret;
	memcpy(out->space.b, b + 1, 16);
	memcpy(out->token, b + 17, 8);
	memcpy(out->identity.sign_pk, b + 25, 32);
	memcpy(out->identity.box_pk, b + 57, 32);
	memcpy(out->cert, b + 89, HEARTH_CERT_BYTES);
	if (hearth_cert_verify(out->cert, HEARTH_CERT_BYTES, &out->identity,
			       &out->device) != HEARTH_OK)
		return hearth_fail(HEARTH_EAUTH,
				   "the join request's device certificate does not verify");
	return HEARTH_OK;
}

/* ---- invite, join, approve ------------------------------------------------ */

#define INVITE_SECRET_BYTES (16u + 1u + 8u + 1u)

static void invite_name(char out[32], const uint8_t token[8])
{
	char hex[17];

	hearth_hex_encode(hex, token, 8);
	snprintf(out, 32, "invite.%s", hex);
}

static hearth_status invite(hearth_store *s, const hearth_id *space, hearth_role role,
			    uint64_t expires_s, char **code)
{
	uint8_t b[INVITE_BYTES], sec[INVITE_SECRET_BYTES];
	char name[32], detail[8 + HEARTH_ID_HEX];
	hearth_space_state *st = NULL;
	hearth_status ret;
	me m;

	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
		goto out;
	if (!me_lead(st, &m)) {
		ret = hearth_fail(HEARTH_ESTATE, "only a lead of the space may do this");
		goto out;
	}
	b[0] = CODE_INVITE;
	memcpy(b + 1, space->b, 16);
	b[17] = (uint8_t)role;
	put64(b + 18, expires_s);
	hearth_random(b + 26, 8);
	identity_tag(hearth_identity_public_keys(m.id), b + 34);
	memcpy(sec, space->b, 16);
	sec[16] = (uint8_t)role;
	put64(sec + 17, expires_s);
	sec[25] = 0;
	invite_name(name, b + 26);
	if ((ret = hearth_store_secret_put(s, name, sec, sizeof sec)) != HEARTH_OK)
		goto out;
	detail_space(detail, space);
	if ((ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_INVITE, NULL, detail)) != HEARTH_OK)
		goto out;
	if ((*code = code_encode(b, sizeof b)) == NULL)
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory writing a code");
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_invite(hearth_store *s, const hearth_id *space,
				  hearth_role role, uint64_t expires_s, char **code)
{
	hearth_store_step step;
	hearth_status ret;

	if (s == NULL || space == NULL || code == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the invitation");
	*code = NULL;
	if (hearth_role_name(role) == NULL)
		return hearth_fail(HEARTH_EINVAL, "a role is lead or counsellor");
	if (expires_s == 0)
		expires_s = now_s() + HEARTH_INVITE_TTL_S;
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	ret = hearth_store_step_end(s, &step, invite(s, space, role, expires_s, code));
	if (ret != HEARTH_OK) {
		free(*code);
		*code = NULL;
	}
	return ret;
}

static hearth_status join(hearth_store *s, const char *code, char **request,
			  hearth_invitation *inv)
{
	uint8_t b[REQUEST_BYTES], sec[16];
	char name[8 + HEARTH_ID_HEX], hex[HEARTH_ID_HEX + 1], detail[8 + HEARTH_ID_HEX];
	const hearth_identity_public *pub;
	hearth_space_state *st = NULL;
	hearth_status ret;
	me m;

	if ((ret = hearth_invitation_parse(code, inv)) != HEARTH_OK)
		return ret;
	if (inv->expires_s < now_s())
		return hearth_fail(HEARTH_ESTATE, "this invitation has expired: ask for a new one");
	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	pub = hearth_identity_public_keys(m.id);
	if ((ret = hearth_space_load(s, &inv->space, &st)) != HEARTH_OK)
		goto out;
	if (hearth_space_member_of(st, pub->sign_pk) != NULL) {
		ret = hearth_fail(HEARTH_ESTATE, "this vault is a member of that space already");
		goto out;
	}
	b[0] = CODE_REQUEST;
	memcpy(b + 1, inv->space.b, 16);
	memcpy(b + 17, inv->token, 8);
	memcpy(b + 25, pub->sign_pk, 32);
	memcpy(b + 57, pub->box_pk, 32);
	memcpy(b + 89, m.cert, HEARTH_CERT_BYTES);
	memcpy(sec, inv->inviter_tag, 8);
	memcpy(sec + 8, inv->token, 8);
	hearth_id_to_hex(&inv->space, hex);
	snprintf(name, sizeof name, "joined.%s", hex);
	if ((ret = hearth_store_secret_put(s, name, sec, sizeof sec)) != HEARTH_OK)
		goto out;
	detail_space(detail, &inv->space);
	if ((ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_JOIN, NULL, detail)) != HEARTH_OK)
		goto out;
	if ((*request = code_encode(b, sizeof b)) == NULL)
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory writing a code");
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_join(hearth_store *s, const char *code, char **request,
				hearth_invitation *inv)
{
	hearth_invitation dummy;
	hearth_store_step step;
	hearth_status ret;

	if (s == NULL || request == NULL)
		return hearth_fail(HEARTH_EINVAL, "no place for the join request");
	*request = NULL;
	if (inv == NULL)
		inv = &dummy;
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	ret = hearth_store_step_end(s, &step, join(s, code, request, inv));
	if (ret != HEARTH_OK) {
		free(*request);
		*request = NULL;
	}
	return ret;
}

static hearth_status approve(hearth_store *s, const hearth_id *space, const char *text,
			     hearth_id *member, char *fingerprint)
{
	uint8_t sec[INVITE_SECRET_BYTES];
	char name[32], f[DEV_FIELD_MAX], detail[8 + HEARTH_ID_HEX];
	hearth_space_state *st = NULL;
	hearth_join_request req;
	hearth_status ret;
	hearth_id rec, cur;
	size_t len, added = 0, i;
	int found, has_cur = 0;
	me m;

	if ((ret = hearth_join_request_parse(text, &req)) != HEARTH_OK)
		return ret;
	if (!hearth_id_equal(&req.space, space))
		return hearth_fail(HEARTH_ESTATE, "this join request is for another space");
	invite_name(name, req.token);
	if ((ret = hearth_store_secret_get(s, name, sec, sizeof sec, &len, &found)) != HEARTH_OK)
		return ret;
	if (!found || len != sizeof sec || memcmp(sec, space->b, 16) != 0)
		return hearth_fail(HEARTH_ENOTFOUND,
				   "no invitation of this device matches the join request");
	if (sec[25] != 0)
		return hearth_fail(HEARTH_ESTATE, "this invitation was used already");
	if (get64(sec + 17) < now_s())
		return hearth_fail(HEARTH_ESTATE, "this invitation has expired: ask for a new one");
	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
		goto out;
	if (!me_lead(st, &m)) {
		ret = hearth_fail(HEARTH_ESTATE, "only a lead of the space may do this");
		goto out;
	}
	if (hearth_space_member_of(st, req.identity.sign_pk) != NULL) {
		ret = hearth_fail(HEARTH_EEXISTS, "this person is a member of the space already");
		goto out;
	}
	/* The fold would not count another key or identity under a device
	 * id it knows (docs/protocol.md §11.2): say so rather than write a
	 * member who could never write. */
	if (hearth_space_device_taken(st, req.device.device, req.device.device_pk,
				      req.identity.sign_pk)) {
		ret = hearth_fail(HEARTH_EEXISTS,
				  "the request's device id belongs to another device of the space");
		goto out;
	}
	dev_field(f, "device.", req.device.device);
	if ((ret = hearth_record_create(s, space, HEARTH_KIND_MEMBER, &rec)) != HEARTH_OK ||
	    (ret = set_hex(s, &rec, "identity", req.identity.sign_pk, 32)) != HEARTH_OK ||
	    (ret = set_hex(s, &rec, "box", req.identity.box_pk, 32)) != HEARTH_OK ||
	    (ret = hearth_record_set(s, &rec, "role",
				     hearth_role_name((hearth_role)sec[16]))) != HEARTH_OK ||
	    (ret = set_hex(s, &rec, f, req.cert, HEARTH_CERT_BYTES)) != HEARTH_OK)
		goto out;
	sec[25] = 1;
	if ((ret = hearth_store_secret_put(s, name, sec, sizeof sec)) != HEARTH_OK)
		goto out;
	/* Seal the epoch current until now to the new device (a new lead
	 * lacking its wrap makes it look invalid only until then), or start
	 * an epoch if there is none or this vault lacks its key. */
	if (st->current != NULL) {
		cur = st->current->record;
		has_cur = 1;
	}
	hearth_space_state_free(st);
	st = NULL;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
		goto out;
	for (i = 0; has_cur && i < st->nepochs; i++)
		if (hearth_id_equal(&st->epochs[i].record, &cur) &&
		    (ret = wrap_missing(s, st, &st->epochs[i], NULL, &added)) != HEARTH_OK)
			goto out;
	if (added == 0 || st->needs_rotation) {
		/* Read again: the wraps just written may have settled it. */
		hearth_space_state_free(st);
		st = NULL;
		if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
			goto out;
		if (st->needs_rotation && (ret = rotate(s, st, NULL)) != HEARTH_OK)
			goto out;
	}
	detail_space(detail, space);
	if ((ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_APPROVE, &rec, detail)) != HEARTH_OK)
		goto out;
	if (member != NULL)
		*member = rec;
	if (fingerprint != NULL)
		hearth_fingerprint(&req.identity, fingerprint);
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_approve(hearth_store *s, const hearth_id *space,
				   const char *request, hearth_id *member,
				   char fingerprint[HEARTH_FINGERPRINT_LEN + 1])
{
	hearth_store_step step;
	hearth_status ret;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "no space named");
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	return hearth_store_step_end(s, &step, approve(s, space, request, member, fingerprint));
}

/* ---- remove ---------------------------------------------------------------- */

typedef struct heads_ctx {
	const hearth_space_member *m;
	uint64_t *max;
} heads_ctx;

static int heads_cb(const hearth_device_head *h, void *ctx)
{
	heads_ctx *c = ctx;
	size_t i;

	for (i = 0; i < c->m->ndevices; i++)
		if (c->m->devices[i].device == h->device)
			c->max[i] = h->max_seq;
	return 0;
}

/* ---- acting on a member as a lead ------------------------------------------- */

/* Loads this vault (*m) and space's state (*st, the caller frees both,
 * whatever the result) and finds member's record there (*target), for an
 * act only a lead may do on a current member: HEARTH_ENOTFOUND,
 * HEARTH_ESTATE (not a lead, or the member removed). */
static hearth_status lead_on(hearth_store *s, const hearth_id *space, const hearth_id *member,
			     me *m, hearth_space_state **st,
			     const hearth_space_member **target)
{
	hearth_status ret;
	size_t i;

	*st = NULL;
	*target = NULL;
	if ((ret = me_load(s, m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, st)) != HEARTH_OK)
		return ret;
	for (i = 0; i < (*st)->nmembers; i++)
		if (hearth_id_equal(&(*st)->members[i].record, member))
			*target = &(*st)->members[i];
	if (*target == NULL)
		return hearth_fail(HEARTH_ENOTFOUND, "no such member in this space");
	if (!me_lead(*st, m))
		return hearth_fail(HEARTH_ESTATE, "only a lead of the space may do this");
	if ((*target)->removed)
		return hearth_fail(HEARTH_ESTATE, "this member was removed already");
	return HEARTH_OK;
}

static hearth_status remove_member(hearth_store *s, const hearth_id *space,
				   const hearth_id *member)
{
	char f[DEV_FIELD_MAX], detail[8 + HEARTH_ID_HEX];
	const hearth_space_member *target;
	hearth_space_state *st;
	uint64_t *max = NULL;
	hearth_status ret;
	heads_ctx hc;
	size_t i;
	me m;

	if ((ret = lead_on(s, space, member, &m, &st, &target)) != HEARTH_OK)
		goto out;
	if (target->has_identity &&
	    memcmp(target->identity.sign_pk, me_pk(&m), HEARTH_ID_SIGN_PUBLICBYTES) == 0) {
		ret = hearth_fail(HEARTH_ESTATE, "a lead cannot remove themselves");
		goto out;
	}
	/* The last seq held of each of its devices: later ones are refused
	 * by every replica. */
	if ((max = calloc(target->ndevices + 1, sizeof *max)) == NULL) {
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory removing a member");
		goto out;
	}
	hc.m = target;
	hc.max = max;
	if ((ret = hearth_store_heads(s, heads_cb, &hc)) != HEARTH_OK)
		goto out;
	for (i = 0; i < target->ndevices; i++) {
		dev_field(f, "cutoff.", target->devices[i].device);
		if ((ret = set_u64(s, member, f, max[i])) != HEARTH_OK)
			goto out;
	}
	if ((ret = hearth_record_set(s, member, "removed", "1")) != HEARTH_OK)
		goto out;
	/* A new epoch sealed to those who remain, in the same step: the
	 * state before the removal less the member removed (reading it again
	 * would cost as much as the rest of the removal). */
	if ((ret = rotate(s, st, member)) != HEARTH_OK)
		goto out;
	detail_space(detail, space);
	ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_REMOVE, member, detail);
out:
	free(max);
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

/* ---- changing a role --------------------------------------------------------- */

static hearth_status set_role(hearth_store *s, const hearth_id *space,
			      const hearth_id *member, hearth_role role)
{
	char detail[8 + HEARTH_ID_HEX + 16];
	const hearth_space_member *target;
	hearth_space_state *st;
	hearth_status ret;
	size_t i, leads = 0;
	me m;

	if ((ret = lead_on(s, space, member, &m, &st, &target)) != HEARTH_OK)
		goto out;
	for (i = 0; i < st->nmembers; i++)
		leads += !st->members[i].removed && st->members[i].has_identity &&
			 st->members[i].role == HEARTH_ROLE_LEAD;
	if (!target->has_identity) {
		ret = hearth_fail(HEARTH_ENOTFOUND, "no such member in this space");
		goto out;
	}
	if (target->role == role)
		goto out;
	if (target->role == HEARTH_ROLE_LEAD && leads <= 1) {
		ret = hearth_fail(HEARTH_ESTATE, "a space needs a lead: make another member "
				  "a lead first");
		goto out;
	}
	if ((ret = hearth_record_set(s, member, "role", hearth_role_name(role))) != HEARTH_OK)
		goto out;
	detail_space(detail, space);
	snprintf(detail + strlen(detail), sizeof detail - strlen(detail), " %s",
		 hearth_role_name(role));
	ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_ROLE, member, detail);
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_set_role(hearth_store *s, const hearth_id *space,
				    const hearth_id *member, hearth_role role)
{
	hearth_store_step step;
	hearth_status ret;

	if (s == NULL || space == NULL || member == NULL)
		return hearth_fail(HEARTH_EINVAL, "no member named");
	if (role != HEARTH_ROLE_LEAD && role != HEARTH_ROLE_COUNSELLOR)
		return hearth_fail(HEARTH_EINVAL, "a role is lead or counsellor");
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	return hearth_store_step_end(s, &step, set_role(s, space, member, role));
}

hearth_status hearth_space_remove(hearth_store *s, const hearth_id *space,
				  const hearth_id *member)
{
	hearth_store_step step;
	hearth_status ret;

	if (s == NULL || space == NULL || member == NULL)
		return hearth_fail(HEARTH_EINVAL, "no member named");
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	return hearth_store_step_end(s, &step, remove_member(s, space, member));
}

/* ---- revoking a device ------------------------------------------------------ */

static hearth_status revoke_device(hearth_store *s, const hearth_id *space,
				   uint64_t device, uint64_t cutoff, int *done)
{
	char f[DEV_FIELD_MAX], detail[8 + HEARTH_ID_HEX + 32];
	const hearth_space_member *target = NULL, *mine;
	hearth_space_state *st = NULL;
	hearth_status ret;
	hearth_id rec;
	size_t i, j;
	me m;

	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK)
		goto out;
	if (hearth_space_device_revoked(st, device, NULL))
		goto out;
	/* The current record that lists it: the revocation is written there
	 * (it holds space-wide whichever record carries it). */
	for (i = 0; i < st->nmembers && target == NULL; i++)
		for (j = 0; !st->members[i].removed && j < st->members[i].ndevices; j++)
			if (st->members[i].devices[j].device == device)
				target = &st->members[i];
	if (target == NULL)
		goto out;
	mine = hearth_space_member_of(st, me_pk(&m));
	if (!me_lead(st, &m) &&
	    (mine == NULL || !target->has_identity ||
	     memcmp(target->identity.sign_pk, me_pk(&m), HEARTH_ID_SIGN_PUBLICBYTES) != 0)) {
		ret = hearth_fail(HEARTH_ESTATE,
				  "only a lead or the device's own person may revoke it");
		goto out;
	}
	if (device == m.device) {
		ret = hearth_fail(HEARTH_EINVAL, "this device cannot revoke itself");
		goto out;
	}
	rec = target->record;
	dev_field(f, "revoked.", device);
	if ((ret = set_u64(s, &rec, f, cutoff)) != HEARTH_OK)
		goto out;
	/* A new epoch sealed to every current device but the revoked one:
	 * the fold no longer counts the epochs sealed to it as valid.  Any
	 * member may start an epoch; the state is read again so the
	 * revocation is in it. */
	hearth_space_state_free(st);
	st = NULL;
	if ((ret = hearth_space_state_get(s, space, &st)) != HEARTH_OK ||
	    (ret = rotate(s, st, NULL)) != HEARTH_OK)
		goto out;
	*done = 1;
	snprintf(detail, sizeof detail, "space=");
	hearth_id_to_hex(space, detail + 6);
	snprintf(detail + 6 + HEARTH_ID_HEX, sizeof detail - 6 - HEARTH_ID_HEX,
		 " device=%016llx", (unsigned long long)device);
	ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_REVOKE, &rec, detail);
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_revoke_device(hearth_store *s, const hearth_id *space,
					 uint64_t device, uint64_t cutoff, int *done)
{
	hearth_store_step step;
	hearth_status ret;
	int dummy;

	if (s == NULL || space == NULL || device == 0)
		return hearth_fail(HEARTH_EINVAL, "no device named");
	if (done == NULL)
		done = &dummy;
	*done = 0;
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	ret = hearth_store_step_end(s, &step, revoke_device(s, space, device, cutoff, done));
	if (ret != HEARTH_OK)
		*done = 0;
	return ret;
}

/* ---- this identity's own devices ---------------------------------------------
 *
 * A person lists their own devices in their own member record
 * (docs/protocol.md §11.2: `device.<d>` by the member itself, with a
 * certificate of its identity; no lead is needed) and seals the current
 * epoch key to them.  Every refresh does it for the devices this vault
 * knows as linked: after hearth_link_approve (which refreshes every space),
 * and after the first import of a space joined from one device while
 * others were linked already.  A device revoked here (hearth_device_revoke,
 * or a revocation from another device of the identity taken from the
 * private space: hearth_devices_absorb) that a space still lists is
 * revoked there, with a new epoch. */

typedef struct own_list {
	hearth_device_info *v;
	size_t n, cap;
	int oom;
} own_list;

static int own_cb(const hearth_device_info *d, void *ctx)
{
	own_list *l = ctx;

	if (d->this_device || d->retired || !d->certified || !(d->linked || d->revoked))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4;
		hearth_device_info *q = realloc(l->v, cap * sizeof *q);

		if (q == NULL) {
			l->oom = 1;
			return 1;
		}
		l->v = q;
		l->cap = cap;
	}
	l->v[l->n++] = *d;
	return 0;
}

static hearth_status revoke_device(hearth_store *s, const hearth_id *space,
				   uint64_t device, uint64_t cutoff, int *done);

/* Lists this identity's linked devices in its member record of *stp and
 * revokes there the ones revoked here; *stp is read again when anything
 * was written. */
static hearth_status own_devices(hearth_store *s, hearth_space_state **stp, const me *m,
				 int *changed)
{
	const hearth_space_member *mine = hearth_space_member_of(*stp, me_pk(m));
	char f[DEV_FIELD_MAX], detail[8 + HEARTH_ID_HEX + 32];
	hearth_space_state *st = *stp;
	hearth_status ret = HEARTH_OK;
	own_list l = { 0 };
	size_t i, listed = 0, added = 0;
	hearth_id rec, space = st->space;
	int done, wrote = 0;

	/* Only a current device of a current member writes what counts. */
	if (mine == NULL || !hearth_space_device_current(st, m->device))
		return HEARTH_OK;
	rec = mine->record;
	if ((ret = hearth_devices_each(s, own_cb, &l)) != HEARTH_OK)
		goto out;
	if (l.oom) {
		ret = hearth_fail(HEARTH_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		const hearth_device_info *d = &l.v[i];
		size_t j;
		int here = 0;

		if (hearth_space_device_revoked(st, d->device, NULL))
			continue;
		for (j = 0; j < mine->ndevices; j++)
			here |= mine->devices[j].device == d->device;
		if (d->revoked) {
			if (!here)
				continue;
			if ((ret = revoke_device(s, &space, d->device, d->cutoff,
						 &done)) != HEARTH_OK)
				goto out;
			wrote |= done;
			continue;
		}
		/* Listed already, or its id listed under another key or
		 * identity (the fold would not count it: writing it again on
		 * every refresh would only grow the log). */
		if (here || hearth_space_device_taken(st, d->device, d->public_key, me_pk(m)))
			continue;
		dev_field(f, "device.", d->device);
		if ((ret = set_hex(s, &rec, f, d->cert, HEARTH_CERT_BYTES)) != HEARTH_OK)
			goto out;
		snprintf(detail, sizeof detail, "space=");
		hearth_id_to_hex(&space, detail + 6);
		snprintf(detail + 6 + HEARTH_ID_HEX, sizeof detail - 6 - HEARTH_ID_HEX,
			 " device=%016llx", (unsigned long long)d->device);
		if ((ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_DEVICE, &rec,
					       detail)) != HEARTH_OK)
			goto out;
		listed++;
	}
	if (listed == 0 && !wrote)
		goto out;
	*changed = 1;
	hearth_space_state_free(*stp);
	*stp = NULL;
	if ((ret = hearth_space_load(s, &space, stp)) != HEARTH_OK)
		goto out;
	/* The current epoch's key, sealed to the devices just listed (a
	 * lead's own devices must hold it for the epoch to stay valid). */
	if (listed > 0 &&
	    (ret = wrap_missing(s, *stp, (*stp)->current, me_pk(m), &added)) == HEARTH_OK &&
	    added > 0) {
		hearth_space_state_free(*stp);
		*stp = NULL;
		ret = hearth_space_load(s, &space, stp);
	}
out:
	free(l.v);
	return ret;
}

/* ---- refresh ---------------------------------------------------------------- */

static hearth_status refresh(hearth_store *s, const hearth_id *space, int *changed)
{
	char detail[8 + HEARTH_ID_HEX];
	hearth_space_state *st = NULL;
	hearth_status ret;
	size_t n_new = 0, added = 0;
	me m;

	if ((ret = me_load(s, &m)) != HEARTH_OK)
		return ret;
	if ((ret = hearth_space_load(s, space, &st)) != HEARTH_OK || !st->known)
		goto out;
	if ((ret = hearth_keyring_absorb(s, st, m.device, hearth_device_key_secret(m.key),
					 &n_new)) != HEARTH_OK)
		goto out;
	if (n_new > 0)
		*changed = 1;
	if ((ret = own_devices(s, &st, &m, changed)) != HEARTH_OK || !me_lead(st, &m))
		goto out;
	if (st->needs_rotation) {
		if ((ret = rotate(s, st, NULL)) != HEARTH_OK)
			goto out;
		*changed = 1;
		detail_space(detail, space);
		ret = hearth_audit_append(s, HEARTH_AUDIT_SPACE_ROTATE, NULL, detail);
		goto out;
	}
	if ((ret = wrap_missing(s, st, st->current, NULL, &added)) == HEARTH_OK && added > 0)
		*changed = 1;
out:
	hearth_space_state_free(st);
	me_free(&m);
	return ret;
}

hearth_status hearth_space_refresh(hearth_store *s, const hearth_id *space, int *changed)
{
	hearth_store_step step;
	hearth_status ret;
	int dummy;

	if (s == NULL || space == NULL)
		return hearth_fail(HEARTH_EINVAL, "no space named");
	if (changed == NULL)
		changed = &dummy;
	*changed = 0;
	if ((ret = hearth_store_step_begin(s, &step)) != HEARTH_OK)
		return ret;
	ret = hearth_store_step_end(s, &step, refresh(s, space, changed));
	if (ret != HEARTH_OK)
		*changed = 0;
	return ret;
}

/* ---- trust ------------------------------------------------------------------- */

typedef struct cached {
	hearth_id space;
	hearth_space_state *st;
} cached;

struct hearth_space_trust {
	hearth_store *s;
	cached *v;
	size_t n;
};

hearth_status hearth_space_trust_new(hearth_store *s, hearth_space_trust **out)
{
	if (s == NULL || out == NULL)
		return hearth_fail(HEARTH_EINVAL, "no store to trust");
	if ((*out = calloc(1, sizeof **out)) == NULL)
		return hearth_fail(HEARTH_ENOMEM, "out of memory");
	(*out)->s = s;
	return HEARTH_OK;
}

void hearth_space_trust_free(hearth_space_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		hearth_space_state_free(t->v[i].st);
	free(t->v);
	free(t);
}

void hearth_space_trust_forget(hearth_space_trust *t, const hearth_id *space)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (hearth_id_equal(&t->v[i].space, space)) {
			hearth_space_state_free(t->v[i].st);
			t->v[i] = t->v[--t->n];
			return;
		}
}

static const hearth_space_state *trust_state(hearth_space_trust *t, const hearth_id *space)
{
	hearth_space_state *st = NULL;
	cached *v;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (hearth_id_equal(&t->v[i].space, space))
			return t->v[i].st;
	if (hearth_space_load(t->s, space, &st) != HEARTH_OK)
		return NULL;
	if ((v = realloc(t->v, (t->n + 1) * sizeof *v)) == NULL) {
		hearth_space_state_free(st);
		return NULL;
	}
	t->v = v;
	t->v[t->n].space = *space;
	t->v[t->n].st = st;
	return t->v[t->n++].st;
}

int hearth_space_trust_may_write(hearth_space_trust *t, const hearth_id *space,
				 uint64_t device, uint64_t first, uint64_t last,
				 uint64_t epoch, uint8_t pk[HEARTH_ID_SIGN_PUBLICBYTES])
{
	if (t == NULL || space == NULL)
		return 0;
	return hearth_space_may_write(trust_state(t, space), device, first, last, epoch,
				      pk, NULL);
}

uint64_t hearth_space_trust_write_limit(hearth_space_trust *t, const hearth_id *space,
					uint64_t device)
{
	if (t == NULL || space == NULL)
		return 0;
	return hearth_space_write_limit(trust_state(t, space), device);
}

int hearth_space_trust_epoch_key(hearth_space_trust *t, const hearth_id *space,
				 uint64_t epoch, uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	int found = 0;

	if (t == NULL || space == NULL ||
	    hearth_keyring_get(t->s, space, epoch, key, &found) != HEARTH_OK) {
		hearth_errdetail_clear();
		return 0;
	}
	return found;
}

static int cb_device_key(void *ctx, const hearth_envelope_info *info,
			 uint8_t pk[HEARTH_SIGN_PUBLICBYTES])
{
	return !hearth_space_trust_may_write(ctx, &info->space, info->device, info->first_seq,
					     info->last_seq, info->epoch, pk);
}

static int cb_epoch_key(void *ctx, const hearth_id *space, uint64_t epoch,
			uint8_t key[HEARTH_EPOCH_KEYBYTES])
{
	return !hearth_space_trust_epoch_key(ctx, space, epoch, key);
}

hearth_envelope_trust hearth_space_trust_envelope(hearth_space_trust *t)
{
	hearth_envelope_trust tr;

	tr.device_key = cb_device_key;
	tr.epoch_key = cb_epoch_key;
	tr.ctx = t;
	return tr;
}
