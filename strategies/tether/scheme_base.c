/* What every tether scheme uses (see scheme_base.h). */
#include "strategies/tether/scheme_base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *rl_tether_domain_alloc(size_t size, const char *scheme, char *err, size_t errlen)
{
	void *d = calloc(1, size);
	if (d == NULL)
		snprintf(err, errlen, "tether %s: out of memory", scheme);
	return d;
}

int rl_tether_opt_size(const struct rl_tether_config *cfg, const char *scheme, const char *key, size_t def,
		       size_t lo, size_t hi, size_t *out, char *err, size_t errlen)
{
	char why[256];
	if (rl_kv_size(cfg->opts, key, def, lo, hi, out, why, sizeof why) != 0) {
		snprintf(err, errlen, "tether %s: %s", scheme, why);
		return -1;
	}
	return 0;
}

int rl_tether_opt_enum(const struct rl_tether_config *cfg, const char *scheme, const char *key,
		       const char *choices, unsigned def, unsigned *out, char *err, size_t errlen)
{
	const char *v = rl_kv_get(cfg->opts, key);
	*out = def;
	if (v == NULL)
		return 0;
	unsigned i = 0;
	for (const char *p = choices; *p != '\0'; i++) {
		size_t len = strcspn(p, " ");
		if (strlen(v) == len && strncmp(p, v, len) == 0) {
			*out = i;
			return 0;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	snprintf(err, errlen, "tether %s: option %s=%s: expected one of %s", scheme, key, v, choices);
	return -1;
}

int rl_tether_attach_none(rl_tether_thread *t, rl_region *r, unsigned flags)
{
	(void)t;
	(void)r;
	(void)flags;
	return 0;
}

rl_region *rl_tether_publish_plain(rl_tether_thread *t, rl_tether_slot *slot, rl_region *r)
{
	(void)t;
	/* acq_rel: release publishes r's contents to the tethers' acquire
	 * loads; acquire makes the old region's state visible to its retirer. */
	return (rl_region *)atomic_exchange_explicit(&slot->word, (uintptr_t)r, memory_order_acq_rel);
}

void rl_tether_nop(rl_tether_thread *t) { (void)t; }
