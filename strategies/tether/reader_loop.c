/* The reader loop through the ops table (see reader_loop.h). */
#include "strategies/tether/reader_loop.h"

void rl_tether_loop_vtable(const struct rl_tether_scheme *s, rl_tether_thread *t, struct rl_tether_loop *l)
{
	rl_tether_loop_run(t, l, s->tether, s->untether, s->quiesce);
}
