/* Copying one object's bytes: word by word inline for the small objects that
 * dominate Lisp heaps (a call to memcpy costs more than copying 16-32
 * bytes), memcpy above. */
#ifndef REGIONLAB_COPY_H
#define REGIONLAB_COPY_H

#include <stdint.h>
#include <string.h>

#include "regionlab/object.h"

#define RL_INLINE_COPY_MAX 64u

/* `size` is the object's footprint (a multiple of 8, at least 8).  Up to 64
 * bytes: two fixed-size moves that overlap in the middle, no loop. */
static inline void rl_copy_object(rl_obj *to, const rl_obj *from, size_t size)
{
	char *d = (char *)to;
	const char *s = (const char *)from;
	if (size <= 16) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + size - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + size - 8, &b, 8);
	} else if (size <= 32) {
		char a[16], b[16];
		memcpy(a, s, 16);
		memcpy(b, s + size - 16, 16);
		memcpy(d, a, 16);
		memcpy(d + size - 16, b, 16);
	} else if (size <= RL_INLINE_COPY_MAX) {
		char a[32], b[32];
		memcpy(a, s, 32);
		memcpy(b, s + size - 32, 32);
		memcpy(d, a, 32);
		memcpy(d + size - 32, b, 32);
	} else {
		memcpy(d, s, size);
	}
}

#endif
