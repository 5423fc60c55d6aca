/* libFuzzer target: the S-expression reader (workloads/sexp.c), datum labels
 * and the generic #@ form included, on arbitrary bytes, with the checks of
 * fuzz/document.h (dump round trip, no block left, one-line errors), under
 * ASan and UBSan. */
#include "fuzz/document.h"

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
	fuzz_document(&rl_wl_sexp, data, size);
	return 0;
}
