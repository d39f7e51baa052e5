/*
 * gui-gtk/hearth-person-item.c - a person in the list model.
 */
#include "hearth-person-item.h"

#include "hearth/person.h"

struct _HearthPersonItem {
	GObject parent_instance;

	/* Owned */
	hearth_id id;
	char *name;
	char *unit;
	char *tags;
	char *risk;
	char *search;
};

G_DEFINE_FINAL_TYPE(HearthPersonItem, hearth_person_item, G_TYPE_OBJECT)

static char *
field(const hearth_record *r, const char *name)
{
	const char *v = hearth_record_field(r, name);

	return g_strdup(v ? v : "");
}

char *
hearth_person_tags_text(const char *stored)
{
	hearth_tags *tags = NULL;
	GString *out;

	/* The core reads the stored value (and copes with one written by
	 * hand); the app only joins the tags for display. */
	if (hearth_person_tags(stored, &tags) != HEARTH_OK) {
		hearth_errdetail_clear();
		return g_strdup("");
	}
	out = g_string_new(NULL);
	for (size_t i = 0; i < tags->n; i++) {
		if (out->len > 0)
			/* Translators: separates tags in a list. */
			g_string_append(out, _(", "));
		g_string_append(out, tags->v[i]);
	}
	hearth_tags_free(tags);
	return g_string_free(out, FALSE);
}

HearthPersonItem *
hearth_person_item_new(const hearth_record *r)
{
	HearthPersonItem *self = g_object_new(HEARTH_TYPE_PERSON_ITEM, NULL);
	g_autofree char *phone = field(r, "phone");
	g_autofree char *joined = NULL;

	self->id = r->id;
	self->name = field(r, "name");
	self->unit = field(r, "unit");
	self->tags = hearth_person_tags_text(hearth_record_field(r, "tags"));
	self->risk = field(r, "risk");
	joined = g_strjoin(" ", self->name, self->unit, phone, self->tags, NULL);
	self->search = g_utf8_casefold(joined, -1);
	return self;
}

const hearth_id *
hearth_person_item_get_id(HearthPersonItem *self)
{
	return &self->id;
}

const char *
hearth_person_item_get_name(HearthPersonItem *self)
{
	return self->name;
}

const char *
hearth_person_item_get_unit(HearthPersonItem *self)
{
	return self->unit;
}

const char *
hearth_person_item_get_tags(HearthPersonItem *self)
{
	return self->tags;
}

const char *
hearth_person_item_get_risk(HearthPersonItem *self)
{
	return self->risk;
}

const char *
hearth_person_item_get_search_text(HearthPersonItem *self)
{
	return self->search;
}

const char *
hearth_person_display_name(const char *name)
{
	return name != NULL && *name ? name : _("(no name)");
}

static void
hearth_person_item_finalize(GObject *object)
{
	HearthPersonItem *self = HEARTH_PERSON_ITEM(object);

	g_free(self->name);
	g_free(self->unit);
	g_free(self->tags);
	g_free(self->risk);
	g_free(self->search);
	G_OBJECT_CLASS(hearth_person_item_parent_class)->finalize(object);
}

static void
hearth_person_item_class_init(HearthPersonItemClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = hearth_person_item_finalize;
}

static void
hearth_person_item_init(HearthPersonItem *self)
{
}
