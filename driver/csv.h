/* CSV rows generated from driver/columns.def: the row struct, the header
 * line, the row writer and the schema document all come from that one list. */
#ifndef REGIONLAB_CSV_H
#define REGIONLAB_CSV_H

#include <stdint.h>
#include <stdio.h>

#define RL_CSV_SCHEMA "regionlab-3"
#define RL_UNSET_U64 UINT64_MAX

#define RL_CT_STR const char *
#define RL_CT_U64 uint64_t
#define RL_CT_F64 double

typedef struct rl_row {
#define COLUMN(name, type, doc) RL_CT_##type name;
#include "driver/columns.def"
#undef COLUMN
} rl_row;

/* A sink for rows: stdout, or a file that other writers may share (each row
 * is appended under an exclusive flock; the header goes only into an empty
 * file). */
typedef struct rl_csv {
	FILE *fp;         /* a stream (stdout) that only we write, or NULL */
	int fd;           /* otherwise: the shared file (O_APPEND) */
	const char *path;
	int header_done;  /* the stream only */
} rl_csv;

/* Every column unset, provenance (schema, git_sha, compiler, cpu) filled. */
void rl_row_init(rl_row *r, const char *kind);
/* Opens `path` ("-" or NULL: stdout), creating it empty if need be.  An
 * existing non-empty file is appended to when its header line matches this
 * schema and it ends with a complete row; -1 with err otherwise. */
int rl_csv_open(rl_csv *c, const char *path, char *err, size_t errlen);
/* Writes one row (the header first if the file is empty), stamps `date`, and
 * flushes so a crash later keeps it.  -1 when the write fails; when the file
 * has meanwhile become one we must not append to (another writer left a
 * truncated row or another header), one line on stderr and exit 2. */
int rl_csv_write(rl_csv *c, rl_row *r);
void rl_csv_close(rl_csv *c);
/* The header line (no newline), and the markdown schema document. */
void rl_csv_print_header(FILE *fp);
void rl_csv_print_schema_doc(FILE *fp);
/* The `date` stamp rl_csv_write gives a row (UTC now, ISO 8601), for the JSON
 * writer; valid until the next call. */
const char *rl_csv_date_now(void);

#endif
