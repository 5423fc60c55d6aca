/* The region shadow (see regionlab/shadow.h). */
#include "regionlab/shadow.h"

#include "regionlab/mem.h"

static size_t slice_words(const rl_block *b)
{
	if (b->flags & RL_BLOCK_LARGE)
		return 1;
	size_t data_words = (rl_block_size - RL_BLOCK_HEADER) / 8;
	return (data_words + 63) / 64;
}

struct attach_env {
	uint64_t *next;
	size_t words;
};

static void count_block(rl_block *b, void *env) { ((struct attach_env *)env)->words += slice_words(b); }

static void assign_block(rl_block *b, void *env)
{
	struct attach_env *e = env;
	b->scratch = e->next;
	e->next += slice_words(b);
}

int rl_shadow_attach(rl_shadow *s, rl_region *r)
{
	struct attach_env e = { 0 };
	rl_region_for_each_block(r, count_block, &e);
	s->region = r;
	s->bytes = e.words * sizeof(uint64_t);
	s->bits = rl_mem_calloc(e.words ? e.words : 1, sizeof(uint64_t));
	if (s->bits == NULL)
		return -1;
	e.next = s->bits;
	rl_region_for_each_block(r, assign_block, &e);
	return 0;
}

static void clear_block(rl_block *b, void *env)
{
	(void)env;
	b->scratch = NULL;
}

void rl_shadow_detach(rl_shadow *s)
{
	if (s->bits == NULL)
		return;
	rl_region_for_each_block(s->region, clear_block, NULL);
	rl_mem_free(s->bits, s->bytes ? s->bytes : sizeof(uint64_t));
	s->bits = NULL;
}

struct marked_env {
	void (*fn)(rl_obj *o, void *env);
	void *env;
};

/* Calls fn(o, env) for every marked object of block b, in address order.
 * Inlined into both users, so the restore pass below gets its body inlined
 * in the loop rather than a call per object. */
static inline __attribute__((always_inline)) void for_each_mark(rl_block *b, void (*fn)(rl_obj *o, void *env),
								 void *env)
{
	const uint64_t *bits = b->scratch;
	size_t words = slice_words(b);
	/* The objects of word w lie from data + w * 64 words on: the loop
	 * carries that address, so each mark adds only its bit's offset. */
	char *data = rl_block_data(b);
	for (size_t w = 0; w < words; w++, data += 64 * 8) {
		uint64_t word = bits[w];
		while (word) {
			size_t bit = (unsigned)__builtin_ctzll(word);
			word &= word - 1;
			fn((rl_obj *)(data + (bit << 3)), env);
		}
	}
}

static void visit_block_marks(rl_block *b, void *env)
{
	struct marked_env *m = env;
	for_each_mark(b, m->fn, m->env);
}

void rl_shadow_for_each_marked(rl_shadow *s, void (*fn)(rl_obj *o, void *env), void *env)
{
	struct marked_env m = { fn, env };
	rl_region_for_each_block(s->region, visit_block_marks, &m);
}

/* A borrowed header goes back from the copy, which kept the original. */
static inline void give_back(rl_obj *o, void *env)
{
	(void)env;
	o->hdr = rl_hdr_forward_target(o->hdr)->hdr;
}

static void restore_block(rl_block *b, void *env) { for_each_mark(b, give_back, env); }

void rl_shadow_restore_borrowed(rl_shadow *s) { rl_region_for_each_block(s->region, restore_block, NULL); }
