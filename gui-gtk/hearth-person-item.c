/*
 * gui-gtk/hearth-person-item.c - a person in the list model.
 */
#include "hearth-person-item.h"

#include <jansson.h>

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
hearth_person_tags_text(const char *json)
{
	json_t *a;
	GString *out;
	size_t i;

	if (json == NULL || *json == '\0')
		return g_strdup("");
	a = json_loads(json, 0, NULL);
	if (a == NULL || !json_is_array(a)) {
		json_decref(a);
		return g_strdup(json);
	}
	out = g_string_new(NULL);
	for (i = 0; i < json_array_size(a); i++) {
		const char *t = json_string_value(json_array_get(a, i));

		if (t == NULL)
			continue;
		if (out->len > 0)
			/* Translators: separates tags in a list. */
			g_string_append(out, _(", "));
		g_string_append(out, t);
	}
	json_decref(a);
	return g_string_free(out, FALSE);
}

char *
hearth_person_tags_json(const char *text)
{
	g_auto(GStrv) parts = g_regex_split_simple("[,，、;；]", text ? text : "", 0, 0);
	json_t *a = json_array();
	char *dump, *out;

	for (guint i = 0; parts[i] != NULL; i++) {
		g_autofree char *t = g_strstrip(g_strdup(parts[i]));

		if (*t)
			json_array_append_new(a, json_string(t));
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return g_strdup("");
	}
	dump = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	out = g_strdup(dump ? dump : "");
	free(dump);
	return out;
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
