/* store_impl.h - what each relay store implementation provides (private to sync/relay/). */
#ifndef HEARTH_RELAY_STORE_IMPL_H
#define HEARTH_RELAY_STORE_IMPL_H
#include "store.h"
struct relay_store_vt {
	void (*close)(relay_store *st);
	const char *(*error)(relay_store *st);
	int (*instance)(relay_store *st, uint8_t id[RELAY_INSTANCE_BYTES]);
	int (*space_add)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES]);
	int (*space_exists)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES]);
	int (*put)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES], const relay_envelope *e,
		   uint64_t quota, uint64_t *seq, int *added);
	int (*pull)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES], uint64_t after,
		    size_t max_bytes, int control_only, relay_envelope_cb cb, void *ctx, int *more);
	int (*get)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES],
		   const uint8_t id[RELAY_ID_BYTES], relay_envelope_cb cb, void *ctx);
	int (*state)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES], relay_space_state *out);
	int (*bucket)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES], unsigned b, hearth_fp *out);
	int (*bucket_ids)(relay_store *st, const uint8_t space[RELAY_SPACE_BYTES], unsigned b,
			  relay_id_cb cb, void *ctx);
	int (*nonce)(relay_store *st, uint64_t device, const uint8_t nonce[RELAY_NONCE_BYTES],
		     int64_t t, int64_t now, int64_t window);
};
/* Every implementation's struct starts with this. */
struct relay_store { const struct relay_store_vt *vt; };
#endif
