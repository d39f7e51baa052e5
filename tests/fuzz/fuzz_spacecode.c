/*
 * fuzz_spacecode.c - reading an invitation code or a join request (texts
 * people type or paste) never crashes and never reads past its input; what
 * parses has a known role, and a join request that parses carries a
 * certificate that verifies under the identity it names.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz tests/fuzz/fuzz_spacecode
 *   build-fuzz/tests/fuzz/fuzz_spacecode -max_total_time=60 NEW_DIR tests/fuzz/corpus/spacecode
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hearth/spaces.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hearth_invitation inv;
	hearth_join_request jr;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hearth_invitation_parse(text, &inv) == HEARTH_OK &&
	    hearth_role_name(inv.role) == NULL)
		abort();
	if (hearth_join_request_parse(text, &jr) == HEARTH_OK &&
	    hearth_cert_verify(jr.cert, sizeof jr.cert, &jr.identity, NULL) != HEARTH_OK)
		abort();
	hearth_errdetail_clear();
	free(text);
	return 0;
}
