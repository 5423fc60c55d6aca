/* Shared by the reader fuzz targets (fuzz_json.c, fuzz_sexp.c): one input
 * is one document, loaded as the harness loads it, then checked.
 *
 * On a document that loads:
 *   - every object of the graph lies in src (a reader allocates nothing else);
 *   - its dump (workloads/dump.c), read back by the sexp reader, is the same
 *     graph (rl_oracle_checksum), and dumping that copy gives the same text:
 *     a placeholder or any other value the reader should not have made shows
 *     up here, as does a writer or generic-form bug;
 * on one that does not: the reason is one line naming the workload;
 * in both cases no region block is left behind.
 * A violation aborts with the reason, and libFuzzer keeps the input.
 *
 * Documents reach the reader as a path, /proc/self/fd/N of a memfd, so the
 * real file-reading code runs and nothing touches the disk. */
#ifndef REGIONLAB_FUZZ_DOCUMENT_H
#define REGIONLAB_FUZZ_DOCUMENT_H

#define _GNU_SOURCE /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oracle/oracle.h"
#include "regionlab/region.h"
#include "regionlab/workload.h"
#include "workloads/dump.h"

extern const struct rl_workload rl_wl_sexp;

struct memfile {
	int fd;
	char path[64];
	char options[96]; /* file=PATH */
};

static void fuzz_die(const char *fmt, const char *detail)
{
	fprintf(stderr, fmt, detail);
	fputc('\n', stderr);
	abort();
}

static void memfile_put(struct memfile *m, const void *bytes, size_t len)
{
	if (m->path[0] == '\0') {
		m->fd = memfd_create("regionlab-fuzz", 0);
		if (m->fd < 0)
			fuzz_die("fuzz: memfd_create failed%s", "");
		snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
		snprintf(m->options, sizeof m->options, "file=%s", m->path);
	}
	if (ftruncate(m->fd, 0) != 0 || (len != 0 && pwrite(m->fd, bytes, len, 0) != (ssize_t)len))
		fuzz_die("fuzz: cannot write the memfd%s", "");
}

static int memfile_load(const struct rl_workload *wl, const struct memfile *m, rl_graph *g, char *err, size_t errlen)
{
	rl_kv_list kv;
	if (rl_kv_parse(m->options, &kv, err, errlen) != 0)
		fuzz_die("fuzz: %s", err);
	return rl_graph_make(wl, 1, 1, &kv, g, err, errlen);
}

static char *dump_or_die(rl_val root, size_t *len)
{
	char *text = NULL, err[512];
	FILE *f = open_memstream(&text, len);
	if (f == NULL)
		fuzz_die("fuzz: open_memstream failed%s", "");
	int rc = rl_dump_graph(f, root, err, sizeof err);
	if (fclose(f) != 0 || rc != 0)
		fuzz_die("fuzz: the dump failed: %s", err);
	return text;
}

/* The checks of the header comment on a loaded graph. */
static void check_loaded(rl_graph *g)
{
	static struct memfile dumped;
	char err[1024];
	rl_ranges src;
	rl_census inside, all;
	if (rl_ranges_of(g->src, &src) != 0 || rl_oracle_census(g->root, &src, &inside) != 0 ||
	    rl_oracle_census(g->root, NULL, &all) != 0)
		fuzz_die("fuzz: out of memory%s", "");
	rl_ranges_free(&src);
	if (inside.objects != all.objects)
		fuzz_die("fuzz: the graph reaches an object outside src%s", "");

	size_t len, len2;
	char *text = dump_or_die(g->root, &len);
	memfile_put(&dumped, text, len);
	rl_graph back;
	if (memfile_load(&rl_wl_sexp, &dumped, &back, err, sizeof err) != 0) {
		fprintf(stderr, "dump: %.2000s\n", text);
		fuzz_die("fuzz: the dump does not read back: %s", err);
	}
	rl_val datum = rl_ptr(back.root)->w[0];
	if (rl_oracle_checksum(g->root, NULL) != rl_oracle_checksum(datum, NULL)) {
		fprintf(stderr, "dump: %.2000s\n", text);
		fuzz_die("fuzz: the dump read back is not the same graph%s", "");
	}
	char *again = dump_or_die(datum, &len2);
	if (len != len2 || memcmp(text, again, len) != 0) {
		fprintf(stderr, "dump: %.2000s\nagain: %.2000s\n", text, again);
		fuzz_die("fuzz: the dump of the copy differs from the dump%s", "");
	}
	free(text);
	free(again);
	rl_graph_free(&back);
}

static void fuzz_document(const struct rl_workload *wl, const uint8_t *data, size_t size)
{
	static struct memfile doc;
	char err[1024] = "", prefix[64];
	size_t blocks = rl_blocks_live();
	memfile_put(&doc, data, size);
	rl_graph g;
	if (memfile_load(wl, &doc, &g, err, sizeof err) == 0) {
		check_loaded(&g);
		rl_graph_free(&g);
	} else {
		snprintf(prefix, sizeof prefix, "workload %s: ", wl->name);
		if (strncmp(err, prefix, strlen(prefix)) != 0 || strchr(err, '\n') != NULL)
			fuzz_die("fuzz: a failed load must say one line naming the workload, said: %s", err);
	}
	if (rl_blocks_live() != blocks)
		fuzz_die("fuzz: region blocks left behind by a load%s", "");
}

/* 4 KiB blocks: a document spans many blocks, and each costs fewer page faults. */
static void fuzz_small_blocks(void)
{
	if (rl_set_block_size(RL_BLOCK_SIZE_MIN) != 0)
		fuzz_die("fuzz: cannot set the block size%s", "");
}

#endif
