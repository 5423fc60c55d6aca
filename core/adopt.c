/* Region families: adoption and sub-regions (see regionlab/adopt.h).
 *
 * Invariant: a region's `children` are exactly the regions whose `parent` it
 * is; an alias's blocks lie in its adopter's chains (or in those of the
 * adopter's own adopter, after nested adoptions), a sub-region's blocks in
 * its own chains; an alias has no sub-regions (adoption hands them to the
 * adopter).  Nothing here walks a block chain: adoption is O(1) in the size
 * of the adoptee. */
#include "regionlab/adopt.h"

static void link_child(rl_region *parent, rl_region *child)
{
	child->parent = parent;
	child->sibling = parent->children;
	parent->children = child;
}

static void unlink_child(rl_region *parent, rl_region *child)
{
	for (rl_region **p = &parent->children; *p != NULL; p = &(*p)->sibling) {
		if (*p == child) {
			*p = child->sibling;
			break;
		}
	}
	child->sibling = NULL;
	child->parent = NULL;
}

bool rl_region_can_adopt(const rl_region *dst, const rl_region *src)
{
	if (src == dst || src->parent != NULL || (src->family & RL_REGION_ALIAS))
		return false;
	for (const rl_region *a = dst->parent; a != NULL; a = a->parent)
		if (a == src)
			return false;
	return true;
}

int rl_region_adopt(rl_region *dst, rl_region *src)
{
	if (!rl_region_can_adopt(dst, src))
		return -1;
	rl_block_list_concat(&dst->small, &src->small);
	rl_block_list_concat(&dst->large, &src->large);
	dst->bytes_used += src->bytes_used;
	src->bytes_used = 0;
	src->family |= RL_REGION_ALIAS;
	/* src's hold on its sub-regions passes to dst: they die with dst now,
	 * as src's blocks do.  src's aliases stay its children (their blocks
	 * are in the chains dst just took over). */
	rl_region *next, *aliases = NULL;
	for (rl_region *c = src->children; c != NULL; c = next) {
		next = c->sibling;
		if (c->family & RL_REGION_ALIAS) {
			c->sibling = aliases;
			aliases = c;
		} else {
			link_child(dst, c);
		}
	}
	src->children = aliases;
	link_child(dst, src);
	return 0;
}

int rl_subregion_adopt(rl_region *dst, rl_region *sub)
{
	rl_region *parent = sub->parent;
	if (parent == NULL || !(sub->family & RL_REGION_SUB) || (sub->family & RL_REGION_ALIAS) ||
	    atomic_load_explicit(&sub->external_rc, memory_order_acquire) != 1)
		return -1;
	unlink_child(parent, sub);
	sub->family &= ~RL_REGION_SUB;
	if (rl_region_adopt(dst, sub) != 0) { /* dst is sub or below it: put sub back */
		sub->family |= RL_REGION_SUB;
		link_child(parent, sub);
		return -1;
	}
	sub->family |= RL_REGION_DROPPED; /* the parent's hold was its handle */
	return 0;
}

rl_region *rl_subregion_set_aside(rl_region *parent)
{
	rl_region *aside = NULL; /* last taken first: put back restores in that order */
	for (rl_region **p = &parent->children; *p != NULL;) {
		rl_region *c = *p;
		if (!(c->family & RL_REGION_TAKE)) {
			p = &c->sibling;
			continue;
		}
		*p = c->sibling; /* c->sibling stays: where c goes back */
		c->family &= ~RL_REGION_TAKE;
		c->parent = NULL;
		c->aside_next = aside;
		aside = c;
	}
	return aside;
}

void rl_subregion_put_back(rl_region *parent, rl_region *aside)
{
	/* Last taken first: each one's old successor is back in the list (or
	 * was never taken, or is NULL: the end) when its turn comes. */
	for (rl_region *next; aside != NULL; aside = next) {
		next = aside->aside_next;
		aside->aside_next = NULL;
		rl_region **p = &parent->children;
		while (*p != aside->sibling)
			p = &(*p)->sibling;
		*p = aside;
		aside->parent = parent;
	}
}

size_t rl_subregion_adopt_aside(rl_region *dst, rl_region *aside)
{
	size_t bytes = 0;
	for (rl_region *next; aside != NULL; aside = next) {
		next = aside->aside_next;
		aside->aside_next = NULL;
		aside->sibling = NULL;
		bytes += aside->bytes_used;
		aside->family &= ~RL_REGION_SUB;
		rl_region_adopt(dst, aside); /* cannot fail: aside has no parent, and dst is not in it */
		aside->family |= RL_REGION_DROPPED; /* the parent's hold was its handle */
	}
	return bytes;
}

rl_region *rl_subregion_create(rl_region *parent, const char *name)
{
	rl_region *r = rl_region_create(name);
	if (r == NULL)
		return NULL;
	r->family = RL_REGION_SUB;
	link_child(parent, r); /* external_rc = 1 is the parent's hold */
	return r;
}

int rl_subregion_attach(rl_region *parent, rl_region *r)
{
	if (r->parent != NULL || (r->family & RL_REGION_ALIAS))
		return -1;
	for (const rl_region *a = parent; a != NULL; a = a->parent)
		if (a == r)
			return -1;
	r->family |= RL_REGION_SUB;
	link_child(parent, r); /* the caller's hold becomes the parent's */
	return 0;
}

void rl_region_retain(rl_region *r) { atomic_fetch_add_explicit(&r->external_rc, 1, memory_order_relaxed); }

void rl_region_release(rl_region *r)
{
	if (atomic_fetch_sub_explicit(&r->external_rc, 1, memory_order_acq_rel) == 1)
		rl_region_destroy(r);
}

rl_region *rl_region_family_next(const rl_region *root, const rl_region *r)
{
	if (r->children != NULL)
		return r->children;
	for (; r != root; r = r->parent)
		if (r->sibling != NULL)
			return r->sibling;
	return NULL;
}

size_t rl_region_family_bytes(const rl_region *r)
{
	size_t bytes = 0;
	for (const rl_region *m = r; m != NULL; m = rl_region_family_next(r, m))
		bytes += m->bytes_used;
	return bytes;
}

bool rl_region_dies_with(const rl_region *r, const rl_region *root)
{
	for (; r != NULL && r != root; r = r->parent)
		if (!(r->family & RL_REGION_ALIAS) &&
		    atomic_load_explicit(&r->external_rc, memory_order_acquire) > 1)
			return false;
	return r == root;
}

bool rl_region_family_leave(rl_region *r)
{
	if (r->family & RL_REGION_ALIAS) {
		if (r->parent != NULL) {
			r->family |= RL_REGION_DROPPED;
			return true;
		}
		return false; /* orphaned alias: its adopter is gone, free the RCB */
	}
	if (r->parent != NULL)
		unlink_child(r->parent, r); /* a sub-region destroyed before its parent */
	return false;
}

void rl_region_family_release(rl_region *r)
{
	rl_region *next;
	for (rl_region *c = r->children; c != NULL; c = next) {
		next = c->sibling;
		c->sibling = NULL;
		c->parent = NULL;
		if (c->family & RL_REGION_ALIAS) {
			/* Its blocks lie in r's chains and die with them.  Free the
			 * RCB now if its handle was dropped, else it stays an
			 * orphan until rl_region_destroy(c). */
			if (c->family & RL_REGION_DROPPED)
				rl_region_destroy(c);
		} else if (atomic_fetch_sub_explicit(&c->external_rc, 1, memory_order_acq_rel) == 1) {
			rl_region_destroy(c); /* a sub-region nobody else holds */
		}
	}
	r->children = NULL;
}
