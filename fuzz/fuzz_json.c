/* libFuzzer target: the JSON reader (workloads/json.c) on arbitrary bytes,
 * with the checks of fuzz/document.h (dump round trip, no block left, one-line
 * errors), under ASan and UBSan. */
#include "fuzz/document.h"

extern const struct rl_workload rl_wl_json;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_small_blocks();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_document(&rl_wl_json, data, size);
	return 0;
}
