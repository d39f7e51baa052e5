/*
 * gui-gtk/hearth-person-item.h - one person in the People list model: a
 * snapshot of the person record's fields, made when the list loads.
 */
#ifndef HEARTH_PERSON_ITEM_H
#define HEARTH_PERSON_ITEM_H

#include "hearth-gui.h"

G_BEGIN_DECLS

#define HEARTH_TYPE_PERSON_ITEM (hearth_person_item_get_type())
G_DECLARE_FINAL_TYPE(HearthPersonItem, hearth_person_item, HEARTH,
		     PERSON_ITEM, GObject)

/* A snapshot of a person record. */
HearthPersonItem *hearth_person_item_new(const hearth_record *r);

const hearth_id *hearth_person_item_get_id(HearthPersonItem *self);
const char *hearth_person_item_get_name(HearthPersonItem *self);
const char *hearth_person_item_get_unit(HearthPersonItem *self);
const char *hearth_person_item_get_tags(HearthPersonItem *self);
const char *hearth_person_item_get_risk(HearthPersonItem *self);
/* Name, unit, phone and tags, case-folded, for the search filter. */
const char *hearth_person_item_get_search_text(HearthPersonItem *self);

/* The name, or a placeholder for a person without one.  Borrowed. */
const char *hearth_person_display_name(const char *name);

/* A stored tags value (read by hearth_person_tags) as "a, b" text.
 * Newly allocated. */
char *hearth_person_tags_text(const char *stored);


G_END_DECLS

#endif /* HEARTH_PERSON_ITEM_H */
