/* The type table: built-in types and user-registered FFI struct types.
 * Strategies read it through rl_slots_begin/rl_slots_next and never switch on
 * a type id (design section 2.4). */
#include <string.h>

#include "regionlab/object.h"

rl_type rl_type_table[RL_TYPE_MAX] = {
	[RL_T_FREE] = { .name = "free", .tail_from = RL_NO_TAIL },
	[RL_T_CONS] = { .name = "cons", .ptr_map = 0x3, .tail_from = RL_NO_TAIL, .fixed_bytes = 16 },
	[RL_T_BOX_INT] = { .name = "box-int", .tail_from = RL_NO_TAIL, .fixed_bytes = 8 },
	[RL_T_BOX_DOUBLE] = { .name = "box-double", .tail_from = RL_NO_TAIL, .fixed_bytes = 8 },
	[RL_T_STRING] = { .name = "string", .tail_from = RL_NO_TAIL },
	[RL_T_SYMBOL] = { .name = "symbol", .tail_from = RL_NO_TAIL },
	[RL_T_VECTOR] = { .name = "vector", .tail_from = 0 },
	[RL_T_CLOSURE] = { .name = "closure", .tail_from = 1 },
	[RL_T_BLOB] = { .name = "blob", .tail_from = RL_NO_TAIL },
	[RL_T_PROXY] = { .name = "proxy", .ptr_map = 0x1, .tail_from = RL_NO_TAIL, .fixed_bytes = 8 },
};

static unsigned type_count = RL_T_BUILTIN_COUNT;

unsigned rl_type_count(void) { return type_count; }

int rl_type_lookup(const char *name)
{
	for (unsigned i = 1; i < type_count; i++)
		if (strcmp(rl_type_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

int rl_type_register(const char *name, uint32_t bytes, uint64_t ptr_map)
{
	if (name == NULL || type_count >= RL_TYPE_MAX || rl_type_lookup(name) >= 0)
		return -1;
	size_t words = rl_words_for(bytes);
	if (words < 64 && (ptr_map >> words) != 0)
		return -1;
	rl_type_table[type_count] = (rl_type){
		.name = name, .ptr_map = ptr_map, .tail_from = RL_NO_TAIL, .fixed_bytes = bytes
	};
	return (int)type_count++;
}
