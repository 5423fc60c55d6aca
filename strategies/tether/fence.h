/* Fences for the store-load order between a reader and a reclaimer.
 *
 * A reader that publishes a word and then reads a shared one needs store-load
 * order against the reclaimer, which publishes (unlinks) and then reads the
 * readers' words.  Symmetric: each side issues a full barrier (rl_announce
 * below on the reader's side, a seq_cst fence on the reclaimer's).  Asymmetric:
 * the reader issues only a compiler barrier and the reclaimer makes every
 * thread of the process execute a full barrier (membarrier PRIVATE_EXPEDITED),
 * which orders the reader's store before its load as seen by the reclaimer.
 * Internal to strategies/tether/. */
#ifndef REGIONLAB_TETHER_FENCE_H
#define REGIONLAB_TETHER_FENCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "regionlab/options.h"
#include "regionlab/tether.h"

/* 0 when membarrier PRIVATE_EXPEDITED works here (registers once per process);
 * -1 with a one-line reason otherwise. */
int rl_membarrier_init(char *err, size_t errlen);
void rl_membarrier(void);

/* The fence row of the schemes that offer the choice (in their option table). */
#define RL_TETHER_FENCE_OPTION                                                          \
	RL_OPTION_ENUM("fence", "auto", "auto|asym|sym",                                \
		       "asym: membarrier on the reclaiming side; sym: seq_cst on both; auto: asym where it works")

/* Reads fence= (RL_TETHER_FENCE_OPTION): *asym is true for asym, and for
 * auto where membarrier works; fence=asym where it does not is an error. */
int rl_fence_option(const struct rl_tether_config *cfg, const char *scheme, bool *asym, char *err, size_t errlen);

/* A full fence (mfence).  ThreadSanitizer models happens-before through
 * release/acquire pairs only, not fences; GCC warns that it ignores them.
 * These fences provide store-load order, never happens-before (every
 * handoff here is a release/acquire pair), so TSan builds keep the real
 * fence and silence the warning. */
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
static inline void rl_fence_full(void) { atomic_thread_fence(memory_order_seq_cst); }
#if defined(__SANITIZE_THREAD__)
#pragma GCC diagnostic pop
#endif

/* The reclaimer's side of the pair. */
static inline void rl_fence_heavy(bool asym)
{
	if (asym)
		rl_membarrier();
	else
		rl_fence_full();
}

/* A reader announces a word that reclaimers scan (a hazard, an epoch, an open
 * window) and must make it visible before its next load of a slot.
 * Symmetric: a seq_cst exchange (xchg, a full barrier on x86: what
 * ck_hp_set_fence and ck_epoch_begin do), and the slot loads after it are
 * seq_cst too, so both sides are in the single total order with the
 * reclaimer's seq_cst fence.  Asymmetric: a plain store (`mo`) and a compiler
 * barrier; the reclaimer's membarrier orders it.  Type-generic, like the
 * atomic operations it wraps. */
#define rl_announce(word, value, asym, mo)                                          \
	do {                                                                        \
		if (asym) {                                                         \
			atomic_store_explicit((word), (value), (mo));               \
			atomic_signal_fence(memory_order_seq_cst);                  \
		} else {                                                            \
			(void)atomic_exchange_explicit((word), (value), memory_order_seq_cst); \
		}                                                                   \
	} while (0)

#endif
