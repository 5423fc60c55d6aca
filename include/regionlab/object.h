/* The object model: tagged values, one header word per object, and the type
 * table that describes where every object keeps its pointers.
 *
 * Value encoding (rl_val, one machine word):
 *   ...xxx1  fixnum: a 63-bit signed integer, value = word >> 1
 *   ...x010  other immediate: booleans, characters (kind in bits 3..7)
 *   ...x000  pointer to an rl_obj (never 0 except RL_NIL, the empty list)
 *   ...x100  reserved: a stub (proxy) of incremental evacuation, seen only
 *            behind a read barrier (regionlab/evacuate.h)
 *
 * Header word (rl_obj.hdr):
 *   bits 0..2   0 in a live header; RL_HDR_FORWARD set when a strategy has
 *               borrowed the word for a forwarding address (copy | 1)
 *   bits 3..7   flags (RL_OBJ_STATIC, ...)
 *   bits 8..23  type id, an index into rl_type_table
 *   bits 32..63 payload size in bytes (the size function of every type)
 *
 * An object occupies 8 + round_up(payload, 8) bytes and is 8-byte aligned.
 * Traversal is table driven (design section 2.4): an rl_type lists its value
 * slots as a pointer map for the fixed part and a "tail" for variable-length
 * layouts, so no strategy ever switches on a type id. */
#ifndef REGIONLAB_OBJECT_H
#define REGIONLAB_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uintptr_t rl_val;

typedef struct rl_obj {
	uint64_t hdr;
	rl_val w[]; /* payload words */
} rl_obj;

/* ---- immediates ---------------------------------------------------------- */
#define RL_NIL ((rl_val)0)
#define RL_IMM_TAG 2u
#define RL_IMM_BOOL 1u
#define RL_IMM_CHAR 2u
#define RL_IMM_UNSPEC 3u
#define rl_imm(kind, payload) ((((rl_val)(payload)) << 8) | ((rl_val)(kind) << 3) | RL_IMM_TAG)
#define RL_FALSE rl_imm(RL_IMM_BOOL, 0)
#define RL_TRUE rl_imm(RL_IMM_BOOL, 1)
#define RL_UNSPEC rl_imm(RL_IMM_UNSPEC, 0)

static inline bool rl_is_fixnum(rl_val v) { return (v & 1u) != 0; }
static inline rl_val rl_fixnum(intptr_t n) { return ((uintptr_t)n << 1) | 1u; }
static inline intptr_t rl_fixnum_value(rl_val v) { return (intptr_t)v >> 1; }
static inline bool rl_is_ptr(rl_val v) { return v != 0 && (v & 7u) == 0; }
static inline bool rl_is_imm(rl_val v) { return (v & 7u) == RL_IMM_TAG; }
static inline rl_val rl_char(uint32_t codepoint) { return rl_imm(RL_IMM_CHAR, codepoint); }
static inline rl_obj *rl_ptr(rl_val v) { return (rl_obj *)v; }
static inline rl_val rl_val_of(const rl_obj *o) { return (rl_val)o; }

/* ---- header -------------------------------------------------------------- */
#define RL_HDR_FORWARD 1u
#define RL_OBJ_STATIC (1u << 3) /* lives outside every region (C static data) */
#define RL_OBJ_FLAG_MASK 0xf8u
#define RL_OBJ_MAX_BYTES 0xffffffffu

static inline uint64_t rl_hdr_make(unsigned type, unsigned flags, uint32_t bytes)
{
	return ((uint64_t)bytes << 32) | ((uint64_t)(type & 0xffffu) << 8) | (flags & RL_OBJ_FLAG_MASK);
}
static inline unsigned rl_hdr_type(uint64_t h) { return (unsigned)((h >> 8) & 0xffffu); }
static inline unsigned rl_hdr_flags(uint64_t h) { return (unsigned)(h & RL_OBJ_FLAG_MASK); }
static inline uint32_t rl_hdr_bytes(uint64_t h) { return (uint32_t)(h >> 32); }
static inline bool rl_hdr_is_forward(uint64_t h) { return (h & RL_HDR_FORWARD) != 0; }
static inline rl_obj *rl_hdr_forward_target(uint64_t h) { return (rl_obj *)(uintptr_t)(h & ~(uint64_t)7); }
static inline uint64_t rl_hdr_forward_to(const rl_obj *copy) { return (uint64_t)(uintptr_t)copy | RL_HDR_FORWARD; }

/* Payload words of an object with `bytes` payload bytes. */
static inline size_t rl_words_for(size_t bytes) { return (bytes + 7u) >> 3; }
/* Total footprint in bytes of an object with `bytes` payload bytes. */
static inline size_t rl_obj_footprint(size_t bytes) { return 8u + (rl_words_for(bytes) << 3); }
static inline uint32_t rl_obj_bytes(const rl_obj *o) { return rl_hdr_bytes(o->hdr); }
static inline size_t rl_obj_size(const rl_obj *o) { return rl_obj_footprint(rl_obj_bytes(o)); }
static inline unsigned rl_obj_type(const rl_obj *o) { return rl_hdr_type(o->hdr); }
static inline bool rl_obj_is_static(const rl_obj *o)
{
	return !rl_hdr_is_forward(o->hdr) && (o->hdr & RL_OBJ_STATIC) != 0;
}

/* ---- type table ---------------------------------------------------------- */
#define RL_TYPE_MAX 256u
#define RL_NO_TAIL 0xffffffffu

/* Where an object of this type keeps its values.  The pointer map covers the
 * first 64 payload words; `tail_from` says that every word from there to the
 * end of the payload is a value (vectors, closure environments).  Words that
 * are neither are raw bytes, copied verbatim and never traced. */
typedef struct rl_type {
	const char *name;
	uint64_t ptr_map;
	uint32_t tail_from;
	uint32_t fixed_bytes; /* payload size of a fixed layout; 0 = variable */
} rl_type;

enum rl_builtin_type {
	RL_T_FREE = 0, /* id 0 is never a valid type: catches zeroed memory */
	RL_T_CONS,     /* car, cdr */
	RL_T_BOX_INT,  /* int64_t */
	RL_T_BOX_DOUBLE,
	RL_T_STRING, /* bytes, NUL-terminated; payload counts the NUL */
	RL_T_SYMBOL, /* name bytes, NUL-terminated */
	RL_T_VECTOR, /* n values */
	RL_T_CLOSURE, /* raw code pointer, then captured values */
	RL_T_BLOB,   /* raw bytes of any size (may exceed a block) */
	RL_T_PROXY,  /* forwarding stub used by incremental evacuation */
	RL_T_BUILTIN_COUNT
};

extern rl_type rl_type_table[RL_TYPE_MAX];

/* Registers a user ("FFI") struct type of `bytes` payload bytes whose value
 * slots are the set bits of `ptr_map`.  Returns the new type id, or -1 when
 * the table is full, the name is taken, or the map names a word past `bytes`. */
int rl_type_register(const char *name, uint32_t bytes, uint64_t ptr_map);
/* Type id for `name`, or -1. */
int rl_type_lookup(const char *name);
/* Number of ids in use (builtins included). */
unsigned rl_type_count(void);

static inline const rl_type *rl_type_of(const rl_obj *o) { return &rl_type_table[rl_obj_type(o)]; }

/* False when objects of header h's type never hold a value (boxed numbers,
 * strings, blobs): tracers need not scan or queue them.  True does not
 * promise a value: an empty vector holds none, and scanning it is harmless. */
static inline bool rl_hdr_may_have_slots(uint64_t h)
{
	const rl_type *t = &rl_type_table[rl_hdr_type(h)];
	return t->ptr_map != 0 || t->tail_from != RL_NO_TAIL;
}

/* Iterates the value slots of one object in ascending word order.
 *   rl_slot_iter it; rl_val *s;
 *   for (rl_slots_begin(&it, o); (s = rl_slots_next(&it)) != NULL;) ... */
typedef struct rl_slot_iter {
	rl_val *w;
	uint64_t map;
	size_t next, end;
} rl_slot_iter;

static inline void rl_slots_begin(rl_slot_iter *it, rl_obj *o)
{
	const rl_type *t = rl_type_of(o);
	size_t words = rl_words_for(rl_obj_bytes(o));
	it->w = o->w;
	it->map = words >= 64 ? t->ptr_map : t->ptr_map & ((UINT64_C(1) << words) - 1);
	it->next = t->tail_from;
	it->end = words;
	if (it->next > words)
		it->next = words;
}

/* How many slots o has: what rl_slots_next yields from rl_slots_begin. */
static inline size_t rl_slots_count(rl_obj *o)
{
	rl_slot_iter it;
	rl_slots_begin(&it, o);
	return (size_t)__builtin_popcountll(it.map) + (it.end - it.next);
}

static inline rl_val *rl_slots_next(rl_slot_iter *it)
{
	if (it->map) {
		unsigned bit = (unsigned)__builtin_ctzll(it->map);
		it->map &= it->map - 1;
		return &it->w[bit];
	}
	if (it->next < it->end)
		return &it->w[it->next++];
	return NULL;
}

/* The same slots in the reverse order: the tail from its end, then the
 * pointer map from its highest bit.
 *   for (rl_slots_begin(&it, o); (s = rl_slots_prev(&it)) != NULL;) ...
 * (a vector of results read from the most recent one; adaptive, dfcopy). */
static inline rl_val *rl_slots_prev(rl_slot_iter *it)
{
	if (it->end > it->next)
		return &it->w[--it->end];
	if (it->map == 0)
		return NULL;
	unsigned bit = 63u - (unsigned)__builtin_clzll(it->map);
	it->map &= ~(UINT64_C(1) << bit);
	return &it->w[bit];
}

/* Initializes a header in place (used by allocators and static objects). */
static inline void rl_obj_init(rl_obj *o, unsigned type, unsigned flags, uint32_t bytes)
{
	o->hdr = rl_hdr_make(type, flags, bytes);
}

#endif
