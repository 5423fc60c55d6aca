/* JSON lines (driver/format.h): one object per row, one row per line, keys
 * the columns of driver/columns.def in their order.  Text cells are strings,
 * integer and number cells are JSON numbers (the same digits the CSV writer
 * prints), and a cell the CSV leaves empty is null, so every object has the
 * same keys.  Each line is flushed as its trial ends, like a CSV row. */
#include "driver/format.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct json_writer {
	rl_writer base;
	FILE *fp;
	bool owns_fp;
};

/* ---- cells ----------------------------------------------------------------- */

static void put_STR(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static void put_U64(FILE *fp, uint64_t v)
{
	if (v == RL_UNSET_U64)
		fputs("null", fp);
	else
		fprintf(fp, "%llu", (unsigned long long)v);
}

/* JSON has no NaN or infinity: both are null. */
static void put_F64(FILE *fp, double v)
{
	if (!isfinite(v))
		fputs("null", fp);
	else
		fprintf(fp, "%.6g", v);
}

static int json_write(rl_writer *w, rl_row *r)
{
	struct json_writer *j = (struct json_writer *)w;
	r->date = rl_csv_date_now();
	const char *sep = "{";
#define COLUMN(name, type, doc)                   \
	fprintf(j->fp, "%s\"%s\":", sep, #name);  \
	put_##type(j->fp, r->name);               \
	sep = ",";
#include "driver/columns.def"
#undef COLUMN
	fputs("}\n", j->fp);
	r->date = NULL;
	if (fflush(j->fp) != 0 || ferror(j->fp))
		return -1;
	return 0;
}

static int json_close(rl_writer *w)
{
	struct json_writer *j = (struct json_writer *)w;
	int rc = 0;
	if (j->owns_fp)
		rc = fclose(j->fp) == 0 ? 0 : -1;
	else
		rc = fflush(j->fp) == 0 ? 0 : -1;
	free(j);
	return rc;
}

static const struct rl_writer_ops json_ops = { .write = json_write, .close = json_close };

/* ---- files ----------------------------------------------------------------- */

/* An existing non-empty file must look like JSON lines already: its first byte
 * opens an object and its last ends a line (a CSV, or a cut-short line, is
 * not appended to). */
static int check_existing(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': is a directory", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	FILE *in = fopen(path, "r");
	if (in == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	int first = fgetc(in), last = EOF;
	if (fseek(in, -1, SEEK_END) == 0)
		last = fgetc(in);
	fclose(in);
	if (first != '{') {
		snprintf(err, errlen, "'%s' exists and does not hold JSON lines (pick another --out)", path);
		return -1;
	}
	if (last != '\n') {
		snprintf(err, errlen, "'%s' does not end with a newline (a row was cut short; fix the file)", path);
		return -1;
	}
	return 0;
}

rl_writer *rl_json_writer_open(const char *path, char *err, size_t errlen)
{
	bool to_stdout = path == NULL || strcmp(path, "-") == 0;
	if (!to_stdout && check_existing(path, err, errlen) != 0)
		return NULL;
	struct json_writer *j = calloc(1, sizeof *j);
	if (j == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	j->base.ops = &json_ops;
	j->fp = stdout;
	if (!to_stdout) {
		j->fp = fopen(path, "a");
		if (j->fp == NULL) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			free(j);
			return NULL;
		}
		j->owns_fp = true;
	}
	return &j->base;
}
