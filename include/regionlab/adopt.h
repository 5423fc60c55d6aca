/* Region families: adoption (design section 2.5) and sub-regions (2.6).
 *
 * Adoption moves a whole region into another in O(1), whatever its size: the
 * adopter appends the adoptee's two block chains to its own by relinking the
 * head and tail pointers, and the adoptee's RCB stays alive as an *alias*
 * whose `parent` is the adopter.  The blocks keep naming the alias as their
 * owner (nothing is rewritten), and rl_region_contains follows the parent
 * chain, so "is v in the adopter?" still holds for them.  The alias's chains
 * are empty afterwards: destroying it frees nothing but drops the caller's
 * handle, and its RCB is freed together with the adopter.  The adoptee's
 * sub-regions go to the adopter with its blocks: the adopter takes over the
 * adoptee's hold on each (they now die with the adopter, unless held), so an
 * alias never has sub-regions and destroying it never frees a block.
 *
 * A sub-region is a child view of a parent region: its blocks are counted
 * inside the parent (rl_region_contains(parent, v) is true for them) but it
 * keeps its own chains, its own tether field and its own lifecycle.  The
 * parent holds one reference on each sub-region (external_rc starts at 1);
 * rl_region_retain adds holders.  Destroying the parent drops the parent's
 * hold: a sub-region nobody else holds dies with it, a held one survives as
 * an independent region (parent NULL) until its last holder releases it.
 * Destroying a sub-region directly frees it at once, as for any region.
 *
 * These operations are not thread-safe (external_rc is atomic, for holders). */
#ifndef REGIONLAB_ADOPT_H
#define REGIONLAB_ADOPT_H

#include <stdbool.h>

#include "regionlab/region.h"

#define RL_REGION_ALIAS 1u   /* adopted: blocks moved to the parent, RCB kept as an alias */
#define RL_REGION_SUB 2u     /* a sub-region of `parent` */
#define RL_REGION_DROPPED 4u /* an alias whose own handle was destroyed */
#define RL_REGION_TAKE 8u    /* a sub-region its caller asks rl_subregion_set_aside to take */

/* dst adopts src in O(1) whatever src's size (it walks src's list of
 * children, never a block chain): 0, or -1 (nothing changed) when src is dst,
 * has a parent of its own, or is an ancestor of dst. */
int rl_region_adopt(rl_region *dst, rl_region *src);
/* True when rl_region_adopt(dst, src) would succeed. */
bool rl_region_can_adopt(const rl_region *dst, const rl_region *src);

/* dst adopts sub, a sub-region that only its parent holds (external_rc 1),
 * in O(1) as rl_region_adopt does: sub leaves its parent's family, its
 * chains join dst's and it stays an alias of dst.  Its one handle was the
 * parent's hold, so it is dropped with the move: the alias's RCB is freed
 * with dst, and the old parent no longer names it.  0, or -1 when sub is not
 * such a sub-region or dst is sub or lies in sub's family (nothing changed
 * but, in the last case, sub's place among its parent's children: it is put
 * back first). */
int rl_subregion_adopt(rl_region *dst, rl_region *sub);

/* A sub-region of `parent`; NULL on allocation failure. */
rl_region *rl_subregion_create(rl_region *parent, const char *name);
/* Makes r, an independent region (no parent, not an alias, not `parent` nor
 * one of its ancestors), a sub-region of `parent`: the caller's hold on r
 * becomes the parent's.  0, or -1 (nothing changed) when r is not such a
 * region.  For regions filled before their parent exists (workloads). */
int rl_subregion_attach(rl_region *parent, rl_region *r);
/* One more holder (external_rc + 1). */
void rl_region_retain(rl_region *r);
/* A holder lets go; the last one destroys r. */
void rl_region_release(rl_region *r);

/* ---- setting sub-regions aside ---------------------------------------------
 * A strategy that will move some sub-regions of `parent` whole (adaptive's
 * homed results) takes them out of parent's family for the length of its
 * call, so that nothing it runs meanwhile sees them as parent's: neither
 * rl_region_contains(parent, .) nor a walk of the family nor a copier.  The
 * caller sets RL_REGION_TAKE on each, a sub-region that only parent holds;
 * rl_subregion_set_aside takes those out (parent NULL, the flag cleared)
 * and returns them linked through `aside_next`, each keeping in `sibling`
 * the member it preceded; their holds stay with the caller until one of the
 * two below ends the set-aside:
 *   rl_subregion_put_back gives them back to parent where they were, so
 *     that the family is as before to the last link (a walk of it, which
 *     the oracle's hash of src follows, meets its members in the same
 *     order);
 *   rl_subregion_adopt_aside moves them into dst as rl_subregion_adopt
 *     does, and returns the bytes they held.
 * O(parent's children) to set aside and to adopt, O(children x set aside)
 * to put back; none allocates. */
rl_region *rl_subregion_set_aside(rl_region *parent);
void rl_subregion_put_back(rl_region *parent, rl_region *aside);
size_t rl_subregion_adopt_aside(rl_region *dst, rl_region *aside);

/* ---- walking a family ---------------------------------------------------------
 * The members of root's family after r, depth first, root first (start with
 * r = root): every region whose blocks rl_region_contains(root, .) counts.
 * NULL after the last. */
rl_region *rl_region_family_next(const rl_region *root, const rl_region *r);
/* Object bytes allocated in r's family (bytes_used of every member). */
size_t rl_region_family_bytes(const rl_region *r);
/* True when rl_region_destroy(root) frees the blocks of r, a member of root's
 * family: no sub-region on the way from r up to root has a holder besides
 * its parent.  The blocks of a held sub-region outlive root: a strategy that
 * consumes root may copy their objects but must neither move their blocks
 * nor leave their headers borrowed. */
bool rl_region_dies_with(const rl_region *r, const rl_region *root);

/* ---- for core/region.c ------------------------------------------------------ */
/* Called first by rl_region_destroy: true when r is an alias whose adopter is
 * alive (only its handle is dropped; the RCB must stay). */
bool rl_region_family_leave(rl_region *r);
/* Called by rl_region_destroy before r's blocks are freed: frees or orphans
 * the aliases r adopted and drops r's hold on its sub-regions. */
void rl_region_family_release(rl_region *r);

#endif
