/*
** fuzz_front.c: the libFuzzer target of the front end: any bytes, as a script, go through
** the lexer, the parser and the checker (`aimci --check`), and a program that checks is
** printed as `--dump` does. Nothing may crash, leak or trip a sanitizer, whatever the input.
**
**   make fuzz     FUZZ_SECONDS (default 600) of fuzzing from the seeds, then the REPL pass
**   make test     60 seconds of the same, as a smoke test
**
** tests/fuzz/run.sh gathers the seeds (the examples, the standard library and tests/bad),
** runs the fuzzer and pipes the corpus through the REPL. An input that crashes is left in
** build/fuzz/crashes/ and becomes a regression case in tests/bad/.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dump.h"
#include "text.h"

/* Scripts larger than this teach nothing new and only slow the fuzzer down. */
#define MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (size > MAX_INPUT)
        return 0;
    if (!sink)
        sink = fopen("/dev/null", "w");
    Arena *ar = arena_new();
    Diag *d = diag_new(sink);
    Checker *c = chk_new(ar, d, AIMCI_STDLIB);
    char *text = arena_strndup(ar, (const char *)data, size);
    chk_source(c, "fuzz.aimc", text, size);
    const IrProgram *p = chk_program(c);
    if (p) {
        Buf b = {0};
        dump_program(&b, p, "fuzz.aimc");
        buf_free(&b);
    }
    diag_flush(d);
    diag_free(d);
    arena_free(ar);
    return 0;
}
