/* A pool of standard-size blocks in front of the page source.
 *
 * A long-running region runtime recycles its blocks instead of handing them
 * back to the operating system after every region; this pool does that for
 * blocks of the standard size (large blocks go straight to the page source).
 * It also lets a benchmark pre-fault the blocks a call is about to fill, so
 * that what is timed is the algorithm and not first-touch page faults (about
 * 10 us each in the VMs this lab runs on: more than copying the page).
 *
 * Under AddressSanitizer the pool keeps nothing, so a stale pointer into a
 * freed block is still reported as a use after free. */
#ifndef REGIONLAB_BLOCK_POOL_H
#define REGIONLAB_BLOCK_POOL_H

#include <stddef.h>

#include "regionlab/region.h"

/* The page source that pools in front of `inner` (rl_set_page_source it). */
extern const rl_page_source rl_pages_pooled;
void rl_block_pool_set_inner(const rl_page_source *inner);
const rl_page_source *rl_block_pool_inner(void);

/* Fetches, touches and pools enough standard blocks to hold `bytes` of
 * objects; returns the bytes of blocks now pooled (0 under ASan). */
size_t rl_block_pool_prefault(size_t bytes);
/* Writes one byte of every page of every pooled block back unchanged
 * (rl_pages_write), so that the blocks a timed call is about to fill are
 * mapped private and writable again after whatever ran since
 * rl_block_pool_prefault (a fork shares them copy-on-write). */
void rl_block_pool_rewarm(void);
/* Hands every pooled block back to the inner page source. */
void rl_block_pool_drain(void);
size_t rl_block_pool_count(void);

#endif
