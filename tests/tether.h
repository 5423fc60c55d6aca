/* What the tether tests (test_tether_invariant.c, test_tether_stress.c)
 * share: which schemes ThreadSanitizer skips, and the setup both mains do
 * first. */
#ifndef REGIONLAB_TESTS_TETHER_H
#define REGIONLAB_TESTS_TETHER_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver/registry.h"
#include "regionlab/region.h"
#include "regionlab/tether.h"

#if defined(__SANITIZE_THREAD__)
#define RL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RL_TSAN 1
#endif
#endif
#ifndef RL_TSAN
#define RL_TSAN 0
#endif

static inline bool tether_skipped(const struct rl_tether_scheme *s)
{
	/* ThreadSanitizer sees no synchronization inside liburcu and Concurrency
	 * Kit (uninstrumented library code and inline assembly), so it reports
	 * their correct handoffs as races.  Those anchors run in the ASan and
	 * release suites only; every regionlab scheme runs under TSan too.
	 * RL_TSAN_ANCHORS=1 runs them anyway, to see the reports. */
	return RL_TSAN && (s->caps & RL_TETHER_OPAQUE) && getenv("RL_TSAN_ANCHORS") == NULL;
}

/* Small blocks, and a well-formed registry; 0, or 1 with a message. */
static inline int tether_test_setup(void)
{
	char err[256];
	/* Small blocks: thousands of regions come and go (heap, not mmap). */
	if (rl_set_block_size(RL_BLOCK_SIZE_MIN) != 0) {
		fprintf(stderr, "cannot set the block size\n");
		return 1;
	}
	if (rl_registry_check(err, sizeof err) != 0) {
		fprintf(stderr, "registry: %s\n", err);
		return 1;
	}
	return 0;
}

#endif /* REGIONLAB_TESTS_TETHER_H */
