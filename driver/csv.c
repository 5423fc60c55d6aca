/* CSV rows (see driver/csv.h).  Everything that names or orders columns is
 * generated from driver/columns.def: the header line, the row writer and the
 * schema document; no column name is written twice.
 *
 * Cells follow RFC 4180: a text cell is quoted (with quotes doubled) when it
 * holds a comma, a quote or a line break; an unset value is an empty cell. */
#include "driver/csv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef RL_GIT_SHA
#define RL_GIT_SHA "unknown"
#endif

#ifdef __clang__
#define RL_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define RL_COMPILER "gcc " __VERSION__
#else
#define RL_COMPILER "unknown"
#endif

#define HEADER_MAX 4096

/* ---- provenance ------------------------------------------------------------ */

/* "model name" of /proc/cpuinfo plus " x<online cpus>", read once. */
static const char *cpu_description(void)
{
	static char desc[256];
	if (desc[0] != '\0')
		return desc;
	char model[192] = "unknown";
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (fp != NULL) {
		char line[512];
		while (fgets(line, sizeof line, fp) != NULL) {
			if (strncmp(line, "model name", 10) != 0)
				continue;
			const char *colon = strchr(line, ':');
			if (colon == NULL)
				continue;
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			size_t len = strcspn(colon, "\r\n");
			if (len >= sizeof model)
				len = sizeof model - 1;
			memcpy(model, colon, len);
			model[len] = '\0';
			break;
		}
		fclose(fp);
	}
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(desc, sizeof desc, "%s x%ld", model, cpus > 0 ? cpus : 1L);
	return desc;
}

void rl_row_init(rl_row *r, const char *kind)
{
#define RL_UNSET_STR NULL
#define RL_UNSET_F64 NAN
#define COLUMN(name, type, doc) r->name = RL_UNSET_##type;
#include "driver/columns.def"
#undef COLUMN
#undef RL_UNSET_STR
#undef RL_UNSET_F64
	r->schema = RL_CSV_SCHEMA;
	r->git_sha = RL_GIT_SHA;
	r->compiler = RL_COMPILER;
	r->cpu = cpu_description();
	r->kind = kind;
}

/* ---- cells ----------------------------------------------------------------- */

static void put_str(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void put_U64(FILE *fp, uint64_t v)
{
	if (v != RL_UNSET_U64)
		fprintf(fp, "%llu", (unsigned long long)v);
}

static void put_F64(FILE *fp, double v)
{
	if (!isnan(v))
		fprintf(fp, "%.6g", v);
}

#define put_STR put_str

/* ---- header ---------------------------------------------------------------- */

static void header_string(char *buf, size_t len)
{
	size_t used = 0;
	bool first = true;
	buf[0] = '\0';
#define COLUMN(name, type, doc)                                                                    \
	if (used < len)                                                                            \
		used += (size_t)snprintf(buf + used, len - used, "%s%s", first ? "" : ",", #name); \
	first = false;
#include "driver/columns.def"
#undef COLUMN
}

void rl_csv_print_header(FILE *fp)
{
	char header[HEADER_MAX];
	header_string(header, sizeof header);
	fputs(header, fp);
}

/* ---- files ----------------------------------------------------------------- */

/* An existing non-empty file must start with exactly our header line and end
 * with a newline (a row cut short would glue onto the next one). */
static int check_existing(const char *path, FILE *fp, char *err, size_t errlen)
{
	char expected[HEADER_MAX], line[HEADER_MAX + 2];
	header_string(expected, sizeof expected);
	if (fgets(line, sizeof line, fp) == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, expected) != 0) {
		snprintf(err, errlen, "'%s' exists and its header is not this harness's %s header (pick another --out)",
			 path, RL_CSV_SCHEMA);
		return -1;
	}
	if (fseek(fp, -1, SEEK_END) != 0 || fgetc(fp) != '\n') {
		snprintf(err, errlen, "'%s' does not end with a newline (a row was cut short; fix the file)", path);
		return -1;
	}
	return 0;
}

int rl_csv_open(rl_csv *c, const char *path, char *err, size_t errlen)
{
	c->fp = NULL;
	c->owns_fp = 0;
	c->header_done = 0;
	if (path == NULL || strcmp(path, "-") == 0) {
		c->fp = stdout;
		return 0;
	}
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot write '%s': is a directory", path);
			return -1;
		}
		if (S_ISREG(st.st_mode) && st.st_size > 0) {
			FILE *in = fopen(path, "r");
			if (in == NULL) {
				snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
				return -1;
			}
			int rc = check_existing(path, in, err, errlen);
			fclose(in);
			if (rc != 0)
				return -1;
			c->header_done = 1;
		}
	}
	c->fp = fopen(path, "a");
	if (c->fp == NULL) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	c->owns_fp = 1;
	return 0;
}

/* The date column: UTC now, ISO 8601.  One buffer: rows are written by one
 * thread, and the row only borrows it until rl_csv_write returns. */
static const char *utc_now(void)
{
	static char buf[32];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

int rl_csv_write(rl_csv *c, rl_row *r)
{
	if (!c->header_done) {
		rl_csv_print_header(c->fp);
		fputc('\n', c->fp);
		c->header_done = 1;
	}
	r->date = utc_now();
	bool first = true;
#define COLUMN(name, type, doc)           \
	if (!first)                       \
		fputc(',', c->fp);        \
	first = false;                    \
	put_##type(c->fp, r->name);
#include "driver/columns.def"
#undef COLUMN
	fputc('\n', c->fp);
	r->date = NULL;
	if (fflush(c->fp) != 0 || ferror(c->fp))
		return -1;
	return 0;
}

void rl_csv_close(rl_csv *c)
{
	if (c->fp == NULL)
		return;
	if (c->owns_fp)
		fclose(c->fp);
	else
		fflush(c->fp);
	c->fp = NULL;
}

/* ---- schema document ------------------------------------------------------- */

static const char *type_word(const char *type)
{
	if (strcmp(type, "STR") == 0)
		return "text";
	if (strcmp(type, "U64") == 0)
		return "integer";
	return "number";
}

void rl_csv_print_schema_doc(FILE *fp)
{
	fprintf(fp, "# CSV schema %s\n\n", RL_CSV_SCHEMA);
	fputs("<!-- Generated by `./harness --schema > docs/csv-schema.md` from driver/columns.def.\n"
	      "     Do not edit: tests/test_cli.sh fails when this file is not current. -->\n\n"
	      "Every row of a harness CSV is one trial.  The `kind` column says which group of\n"
	      "columns applies (transmigrate, tether or gbench); a column that does not apply to\n"
	      "a row, or a value that was not measured, is an empty cell.\n\n"
	      "- Text cells are quoted per RFC 4180 when they contain a comma, a double quote or\n"
	      "  a line break (quotes inside are doubled).\n"
	      "- Integers are unsigned decimal; numbers are decimal or exponent notation\n"
	      "  (six significant digits).\n"
	      "- A trial that failed is still a row: `status` says what went wrong and the\n"
	      "  exit status of the harness stays 0.\n"
	      "- `--out` appends to an existing file only when its first line equals the header\n"
	      "  below exactly, so an interrupted sweep can resume into the same file.\n"
	      "- When a meaning changes, the schema version (`schema` column) changes too.\n\n"
	      "Header line:\n\n```\n",
	      fp);
	rl_csv_print_header(fp);
	fputs("\n```\n\n| # | column | type | meaning |\n|---|---|---|---|\n", fp);
	unsigned index = 0;
#define COLUMN(name, type, doc) fprintf(fp, "| %u | `%s` | %s | %s |\n", ++index, #name, type_word(#type), doc);
#include "driver/columns.def"
#undef COLUMN
}

/* ---- for the other writers (driver/format.h) --------------------------------- */

const char *rl_csv_date_now(void) { return utc_now(); }
