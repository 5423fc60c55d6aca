/* The registry tables.  Adding a module is one line here (and its file). */
#include "driver/registry.h"

#include "driver/tether_args.h"

#include <stdio.h>
#include <string.h>

extern const struct rl_transmigrator rl_tm_naive;
extern const struct rl_transmigrator rl_tm_bitmap;
extern const struct rl_transmigrator rl_tm_cheney;
extern const struct rl_transmigrator rl_tm_promote;
extern const struct rl_transmigrator rl_tm_linear;
extern const struct rl_transmigrator rl_tm_splice;
extern const struct rl_transmigrator rl_tm_proxy;
extern const struct rl_transmigrator rl_tm_adaptive;
extern const struct rl_transmigrator rl_tm_dfs;
extern const struct rl_transmigrator rl_tm_relocate;

const struct rl_transmigrator *const rl_transmigrators[] = {
	&rl_tm_naive,
	&rl_tm_bitmap,
	&rl_tm_cheney,
	&rl_tm_promote,
	&rl_tm_linear,
	&rl_tm_splice,
	&rl_tm_proxy,
	&rl_tm_adaptive,
	&rl_tm_dfs,
	&rl_tm_relocate,
	NULL,
};

extern const struct rl_tether_scheme rl_tether_atomic;
extern const struct rl_tether_scheme rl_tether_tls;
extern const struct rl_tether_scheme rl_tether_hazard;
extern const struct rl_tether_scheme rl_tether_hazard_asym;
extern const struct rl_tether_scheme rl_tether_ebr;
extern const struct rl_tether_scheme rl_tether_hybrid;
extern const struct rl_tether_scheme rl_tether_percpu;
extern const struct rl_tether_scheme rl_tether_urcu_qsbr;
extern const struct rl_tether_scheme rl_tether_urcu_memb;
extern const struct rl_tether_scheme rl_tether_ck_epoch;
extern const struct rl_tether_scheme rl_tether_ck_hp;
extern const struct rl_tether_scheme rl_tether_mutex;

const struct rl_tether_scheme *const rl_tether_schemes[] = {
	&rl_tether_atomic,
	&rl_tether_tls,
	&rl_tether_hazard,
	&rl_tether_hazard_asym,
	&rl_tether_ebr,
	&rl_tether_hybrid,
	&rl_tether_percpu,
	&rl_tether_urcu_qsbr,
	&rl_tether_urcu_memb,
	&rl_tether_ck_epoch,
	&rl_tether_ck_hp,
	&rl_tether_mutex,
	NULL,
};

extern const struct rl_workload rl_wl_list;
extern const struct rl_workload rl_wl_boxed_list;
extern const struct rl_workload rl_wl_deep_list;
extern const struct rl_workload rl_wl_tree;
extern const struct rl_workload rl_wl_ladder;
extern const struct rl_workload rl_wl_fan_in;
extern const struct rl_workload rl_wl_ring;
extern const struct rl_workload rl_wl_dlist;
extern const struct rl_workload rl_wl_random;
extern const struct rl_workload rl_wl_vector;
extern const struct rl_workload rl_wl_blobs;
extern const struct rl_workload rl_wl_closures;
extern const struct rl_workload rl_wl_ffi;
extern const struct rl_workload rl_wl_cross_region;
extern const struct rl_workload rl_wl_sub_region;
extern const struct rl_workload rl_wl_mixed;
extern const struct rl_workload rl_wl_json;
extern const struct rl_workload rl_wl_sexp;
extern const struct rl_workload rl_wl_program;

const struct rl_workload *const rl_workloads[] = {
	&rl_wl_list,
	&rl_wl_boxed_list,
	&rl_wl_deep_list,
	&rl_wl_tree,
	&rl_wl_ladder,
	&rl_wl_fan_in,
	&rl_wl_ring,
	&rl_wl_dlist,
	&rl_wl_random,
	&rl_wl_vector,
	&rl_wl_blobs,
	&rl_wl_closures,
	&rl_wl_ffi,
	&rl_wl_cross_region,
	&rl_wl_sub_region,
	&rl_wl_mixed,
	&rl_wl_json,
	&rl_wl_sexp,
	&rl_wl_program,
	NULL,
};

#define FIND(table, name)                                   \
	do {                                                \
		for (size_t i = 0; table[i] != NULL; i++)   \
			if (strcmp(table[i]->name, name) == 0) \
				return table[i];            \
		return NULL;                                \
	} while (0)

const struct rl_transmigrator *rl_find_transmigrator(const char *name) { FIND(rl_transmigrators, name); }
const struct rl_tether_scheme *rl_find_tether_scheme(const char *name) { FIND(rl_tether_schemes, name); }
const struct rl_workload *rl_find_workload(const char *name) { FIND(rl_workloads, name); }

#define NAMES(table, buf, len)                                                              \
	do {                                                                                \
		size_t used = 0;                                                            \
		buf[0] = '\0';                                                              \
		for (size_t i = 0; table[i] != NULL && used < len; i++)                     \
			used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", \
						 table[i]->name);                           \
	} while (0)

void rl_transmigrator_names(char *buf, size_t len) { NAMES(rl_transmigrators, buf, len); }
void rl_tether_scheme_names(char *buf, size_t len) { NAMES(rl_tether_schemes, buf, len); }
void rl_workload_names(char *buf, size_t len) { NAMES(rl_workloads, buf, len); }

/* ---- checking the tables at start ------------------------------------------------ */
static int check_name(const char *kind, const char *name, const char *summary, const struct rl_option *options,
		      size_t index, const char *const *names, char *err, size_t len)
{
	if (name == NULL || name[0] == '\0' || summary == NULL) {
		snprintf(err, len, "%s #%zu: name and summary are required", kind, index);
		return -1;
	}
	for (size_t j = 0; j < index; j++) {
		if (strcmp(names[j], name) == 0) {
			snprintf(err, len, "%s '%s' is registered twice", kind, name);
			return -1;
		}
	}
	char owner[160];
	snprintf(owner, sizeof owner, "%s '%s'", kind, name);
	return rl_opts_check_table(options, owner, err, len);
}

#define MAX_MODULES 64

static int check_transmigrators(char *err, size_t len)
{
	const char *names[MAX_MODULES];
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		const struct rl_transmigrator *t = rl_transmigrators[i];
		if (i >= MAX_MODULES || check_name("transmigrator", t->name, t->summary, t->options, i, names, err, len))
			return -1;
		if (t->transmigrate == NULL || t->finish == NULL || t->read == NULL) {
			snprintf(err, len, "transmigrator '%s': transmigrate, finish and read are required", t->name);
			return -1;
		}
		names[i] = t->name;
	}
	return 0;
}

static int check_tether_schemes(char *err, size_t len)
{
	const char *names[MAX_MODULES];
	if (rl_opts_check_table(rl_tether_run_options, "the tether workload", err, len) != 0)
		return -1;
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		const struct rl_tether_scheme *s = rl_tether_schemes[i];
		if (i >= MAX_MODULES || check_name("tether", s->name, s->summary, s->options, i, names, err, len))
			return -1;
		if (!s->domain_create || !s->domain_destroy || !s->thread_register || !s->thread_unregister ||
		    !s->tether || !s->untether || !s->retire || !s->quiesce || !s->attach || !s->publish ||
		    !s->offline || !s->online || !s->loop) {
			snprintf(err, len, "tether '%s': every operation is required", s->name);
			return -1;
		}
		names[i] = s->name;
	}
	return 0;
}

static int check_workloads(char *err, size_t len)
{
	const char *names[MAX_MODULES];
	if (rl_opts_check_table(rl_wl_placer_options, "the workload placer", err, len) != 0)
		return -1;
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *w = rl_workloads[i];
		if (i >= MAX_MODULES || check_name("workload", w->name, w->summary, w->options, i, names, err, len))
			return -1;
		if (w->build == NULL) {
			snprintf(err, len, "workload '%s': build is required", w->name);
			return -1;
		}
		names[i] = w->name;
	}
	return 0;
}

int rl_registry_check(char *err, size_t len)
{
	if (check_transmigrators(err, len) != 0 || check_tether_schemes(err, len) != 0 || check_workloads(err, len) != 0)
		return -1;
	return 0;
}

/* ---- judging the options of one module spec ------------------------------------------ */
int rl_strategy_options_check(const struct rl_transmigrator *tm, const rl_kv_list *params, char *err, size_t len)
{
	char owner[160];
	snprintf(owner, sizeof owner, "strategy '%s'", tm->name);
	return rl_opts_check(params, tm->options, NULL, owner, err, len);
}

int rl_tether_options_check(const struct rl_tether_scheme *s, const rl_kv_list *params, char *err, size_t len)
{
	char owner[160];
	snprintf(owner, sizeof owner, "tether '%s'", s->name);
	return rl_opts_check(params, s->options, rl_tether_run_options, owner, err, len);
}

int rl_workload_options_check(const struct rl_workload *wl, const rl_kv_list *params, double *garbage, char *err,
			      size_t len)
{
	return rl_graph_garbage(wl, params, garbage, err, len); /* the placer's table and the workload's */
}

/* ---- describing the modules ------------------------------------------------------------ */
static void describe_one(FILE *f, const char *kind, const char *name, const char *summary,
			 const struct rl_option *own, const char *shared_what, const struct rl_option *shared)
{
	fprintf(f, "%s %s: %s\noptions:\n", kind, name, summary);
	rl_opts_print(f, own);
	if (shared != NULL) {
		fprintf(f, "%s:\n", shared_what);
		rl_opts_print(f, shared);
	}
}

int rl_registry_describe(FILE *f, const char *name)
{
	int found = 0;
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++) {
		const struct rl_transmigrator *t = rl_transmigrators[i];
		if (strcmp(t->name, name) == 0 && ++found)
			describe_one(f, "transmigrator", t->name, t->summary, t->options, NULL, NULL);
	}
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++) {
		const struct rl_tether_scheme *s = rl_tether_schemes[i];
		if (strcmp(s->name, name) == 0 && ++found)
			describe_one(f, "tether", s->name, s->summary, s->options,
				     "options of every scheme (the tether workload)", rl_tether_run_options);
	}
	for (size_t i = 0; rl_workloads[i] != NULL; i++) {
		const struct rl_workload *w = rl_workloads[i];
		if (strcmp(w->name, name) == 0 && ++found)
			describe_one(f, "workload", w->name, w->summary, w->options,
				     "options of every workload (the placer)", rl_wl_placer_options);
	}
	return found;
}

static void doc_module(FILE *f, const char *name, const char *summary, const struct rl_option *options)
{
	fprintf(f, "### `%s`\n\n%s\n\n", name, summary);
	rl_opts_print_markdown(f, options);
	fputc('\n', f);
}

void rl_registry_options_doc(FILE *f)
{
	fputs("# Module options\n\n"
	      "Generated by `./harness --options-doc` from the option table each module declares\n"
	      "(`struct rl_option`, regionlab/options.h); `./harness --describe NAME` prints one module's.\n"
	      "tests/test_cli.sh fails when this file is stale.\n\n"
	      "Options follow a module's name: `--strategy=splice:threshold=0.8`,\n"
	      "`--workload=tree:layout=shuffled,garbage=1`, `--tether=ebr:fence=sym`.  The harness judges\n"
	      "every option of every module before any trial runs (`./harness --check` does only that):\n"
	      "an unknown key, a repeated key, or a value of the wrong type or out of range is one line\n"
	      "on stderr and exit status 2, with no file created or changed.\n\n"
	      "## Transmigrators (`--strategy`)\n\n",
	      f);
	for (size_t i = 0; rl_transmigrators[i] != NULL; i++)
		doc_module(f, rl_transmigrators[i]->name, rl_transmigrators[i]->summary, rl_transmigrators[i]->options);
	fputs("## Tether schemes (`--tether`)\n\nEvery scheme also takes the options of the tether workload:\n\n", f);
	rl_opts_print_markdown(f, rl_tether_run_options);
	fputc('\n', f);
	for (size_t i = 0; rl_tether_schemes[i] != NULL; i++)
		doc_module(f, rl_tether_schemes[i]->name, rl_tether_schemes[i]->summary, rl_tether_schemes[i]->options);
	fputs("## Workloads (`--workload`)\n\nEvery workload also takes the options of the placer:\n\n", f);
	rl_opts_print_markdown(f, rl_wl_placer_options);
	fputc('\n', f);
	for (size_t i = 0; rl_workloads[i] != NULL; i++)
		doc_module(f, rl_workloads[i]->name, rl_workloads[i]->summary, rl_workloads[i]->options);
}
