# aimci: a small, fast interpreter for analog in-memory training experiments.
#
#   make run    installs missing Debian packages, builds ./aimci, runs examples/quickstart.aimc
#   make test   builds everything (also with ASan/UBSan) and runs every test
#   make bench  builds the benchmark with the release flags and prints its CSV table
#   make fuzz   fuzzes the front end with libFuzzer (clang) for FUZZ_SECONDS, then the REPL
#   make        builds ./aimci and ./aimci-mpi (the same with experiments over MPI ranks)
#   make install [PREFIX=/usr/local] [DESTDIR=...]   and   make uninstall (same variables)
#   make docs-record   rewrites the command outputs shown in README.md and docs/ from runs
#   make docs-check    compares them all, the slow ones too (make test does the fast ones)
#
# Generated C (re2c lexer, Lemon parser) goes to build/gen and is never committed.

CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L
# No FMA contraction anywhere: results must not depend on the instruction set (rt_kern.h).
# The cheap vectoriser cost model lets GCC vectorise loops that need an alias check (the
# -O2 default does not); without -ffast-math it never reorders a sum, so values do not change.
FP      := -ffp-contract=off -fvect-cost-model=cheap
CFLAGS  += $(STD) $(OPT) $(FP) $(WARN) -DAIMCI_STDLIB='"$(CURDIR)/stdlib"'
# Parallel jobs of the builds behind run, test and bench.
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# GSL (device fitting) needs a CBLAS: BLIS exports one, so libgsl is linked before it and
# its cblas_* calls bind to BLIS (libgsl's own dependency, libgslcblas, comes later in the
# lookup order and is never used; tests/runtime/test_fit.c checks which library answers).
LDLIBS  := -lgsl -lblis -ledit -lz -lm -lpthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

RUN_PKGS  := re2c lemon libblis-dev libedit-dev libgsl-dev gnuplot-nox zlib1g-dev dataset-fashion-mnist gcc make \
             openmpi-bin libopenmpi-dev
TEST_PKGS := $(RUN_PKGS) libcriterion-dev

# ---- layers: who may include whom ----------------------------------------------------------
# Each folder compiles with its own headers and those of the layers it may use, nothing else,
# so an #include that goes the wrong way does not compile (`make layering` proves it):
#   runtime/base   what every layer may use: allocation (rt_mem.h)
#   runtime/ir     the IR contract: what the checker produces and the runtime executes
#   runtime        devices, tiles, kernels, algorithms, layers, data; knows no syntax
#   grammar, interp/front   text -> tokens -> AST (the lexer, the parser, diagnostics)
#   interp/check   AST -> checked IR; asks the runtime for layer shapes and device facts
#   interp/plot    terminal and gnuplot plots
#   interp/run     runs a checked program on the runtime
#   interp/fit     fits device models to measured data
#   interp/repl    the interactive prompt
#   interp/main.c  the command line
I_base    := -Iruntime/base
I_ir      := -Iruntime/ir $(I_base)
I_runtime := -Iruntime $(I_ir)
I_front   := -Iinterp/front -Igrammar -Ibuild/gen $(I_ir)
I_check   := -Iinterp/check $(I_front) -Iruntime
I_plot    := -Iinterp/plot -Iinterp/front -Iruntime $(I_base)
I_run     := -Iinterp/run -Iinterp/plot $(I_check)
I_fit     := -Iinterp/fit $(I_check)
I_repl    := -Iinterp/repl -Iinterp/run -Iinterp/plot -Iinterp/fit $(I_check)
I_main    := $(I_repl)

# The include path of each object, by folder (tests and tools take their subject's).
LAYERS := runtime interp/front interp/check interp/plot interp/run interp/fit interp/repl
$(foreach l,$(LAYERS),$(eval build/rel/$l/%.o build/san/$l/%.o build/fuzz/$l/%.o: INC = $$(I_$(notdir $l))))
$(foreach l,$(LAYERS),$(eval build/san/tests/$(notdir $l)/%.o: INC = $$(I_$(notdir $l)) -Itests/fixtures))
# The front end's tests check whole programs with the fixtures of tests/fixtures/fe_fixtures.h.
build/san/tests/front/%.o: INC = $(I_check) -Itests/fixtures
build/rel/gen/%.o build/san/gen/%.o build/fuzz/gen/%.o: INC = $(I_front)
build/rel/interp/main.o build/san/interp/main.o: INC = $(I_main)
build/bench/aimci_bench: INC = $(I_runtime)
build/bench/aimci_bench_epoch: INC = $(I_check)
build/bench/tanh_order: INC = $(I_runtime)

GEN     := build/gen/lexer.c build/gen/parser.c
# interp/run/eval_mpi.c is aimci-mpi's alone, in place of eval_ranks_one.c (see aimci-mpi).
LIB_SRC := $(filter-out interp/run/eval_mpi.c,$(wildcard $(addsuffix /*.c,$(filter-out runtime,$(LAYERS))))) \
           $(wildcard runtime/*.c runtime/base/*.c)
TEST_SRC:= $(wildcard tests/*/test_*.c)

# runtime/rt_kern.c is compiled three times: for the x86-64 baseline, for AVX2 (with FMA,
# which only the short products ask for by name: -ffp-contract=off forms none) and for
# AVX-512 (chosen at run time, bit-identical results). GCC notes that 8-float vectors passed
# by value change the ABI without AVX (-Wpsabi); the kernels' helpers are always inlined, so
# that is moot there.
KERN_AVX2 := -mavx2 -mfma -mpopcnt
KERN_AVX512 := $(KERN_AVX2) -mavx512f -mavx512vl -mavx512bw -mavx512dq
OBJ      := $(patsubst %.c,build/rel/%.o,$(LIB_SRC)) build/rel/gen/lexer.o build/rel/gen/parser.o \
            build/rel/runtime/rt_kern_avx2.o build/rel/runtime/rt_kern_avx512.o
SAN_OBJ  := $(patsubst %.c,build/san/%.o,$(LIB_SRC)) build/san/gen/lexer.o build/san/gen/parser.o \
            build/san/runtime/rt_kern_avx2.o build/san/runtime/rt_kern_avx512.o
TEST_OBJ := $(patsubst %.c,build/san/%.o,$(TEST_SRC))

.PHONY: all run test bench tanh-order mpi-check fuzz fuzz-smoke layering check-deps check-test-deps clean install uninstall \
        docs-record docs-check
all: aimci aimci-mpi

run: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) aimci aimci-mpi
	./aimci examples/quickstart.aimc

test: check-test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) aimci aimci-mpi build/san/aimci build/san/aimci-mpi \
	    build/san/unit_tests build/san/repl_pty
	@$(MAKE) --no-print-directory layering
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp build/san/unit_tests --jobs=2
	tests/run_scripts.sh build/san/aimci
	@$(MAKE) --no-print-directory fuzz-smoke

# Speed figures (README "Speed"): never part of `make test`.
bench: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) build/bench/aimci_bench build/bench/aimci_bench_epoch \
	    aimci-mpi
	build/bench/aimci_bench
	build/bench/aimci_bench_epoch
	tools/bench_mpi.sh ./aimci-mpi

# The order facts of tanh that the pooling of tanh rests on, over every float (tools/tanh_order.c).
tanh-order:
	@$(MAKE) --no-print-directory build/bench/tanh_order
	build/bench/tanh_order

# The layering, proved by the compiler: each layer's include path reaches the headers it may
# use and none of a layer above it (tests/layering.sh).
layering: build/gen/parser.h
	@CC="$(CC) $(STD)" I_runtime="$(I_runtime)" I_front="$(I_front)" I_check="$(I_check)" \
	 I_plot="$(I_plot)" I_run="$(I_run)" I_fit="$(I_fit)" I_repl="$(I_repl)" tests/layering.sh

check-deps:
	@tools/deps.sh $(RUN_PKGS)
check-test-deps:
	@tools/deps.sh $(TEST_PKGS)

# ---- fuzzing (tests/fuzz) ----------------------------------------------------------------
# The front end and the checker (and the runtime they ask about shapes) built by clang with
# libFuzzer, ASan and UBSan; tests/fuzz/run.sh runs it from the seeds, then pipes the corpus
# through the REPL. Without clang's fuzzer runtime both targets say so and pass.
CLANG        ?= clang
FUZZ_SECONDS ?= 600
FUZZ_FLAGS   := $(STD) -O1 -g -ffp-contract=off -DAIMCI_STDLIB='"$(CURDIR)/stdlib"' \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer -Wno-unused-command-line-argument
# The runtime goes in an archive, so that only what the checker calls is linked; the update
# kernels (GCC vector builtins, runtime/rt_kern.c) are replaced by tests/fuzz/kern_stub.c.
FUZZ_SRC     := $(wildcard interp/front/*.c interp/check/*.c)
FUZZ_RT_SRC  := $(filter-out runtime/rt_kern.c,$(wildcard runtime/*.c runtime/base/*.c))
FUZZ_OBJ     := $(patsubst %.c,build/fuzz/%.o,$(FUZZ_SRC)) build/fuzz/gen/lexer.o \
                build/fuzz/gen/parser.o build/fuzz/libruntime.a
FUZZ_OK       = $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
                  | $(CLANG) -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 && echo yes)

fuzz: build/san/aimci
	@if [ "$(FUZZ_OK)" = yes ]; then $(MAKE) --no-print-directory -j$(JOBS) build/fuzz/fuzz_front; fi
	AIMCI=build/san/aimci FUZZ_BIN=$(if $(FUZZ_OK),build/fuzz/fuzz_front) tests/fuzz/run.sh $(FUZZ_SECONDS)
# The 60-second smoke run of `make test`.
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

build/fuzz/fuzz_front: tests/fuzz/fuzz_front.c tests/fuzz/kern_stub.c $(FUZZ_OBJ)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $(I_check) -o $@ $^ $(LDLIBS)
build/fuzz/gen/%.o: build/gen/%.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) $(INC) -w -c -o $@ $<
build/fuzz/%.o: %.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) $(INC) -MMD -MP -c -o $@ $<
build/fuzz/libruntime.a: $(patsubst %.c,build/fuzz/%.o,$(FUZZ_RT_SRC))
	rm -f $@
	ar rcs $@ $^

# ---- generated front end --------------------------------------------------------------
# Lemon rewrites parser.h only when the token codes change, so an action-only edit of the
# grammar recompiles parser.c alone; parser.h has an empty recipe so that make looks at its
# real time stamp. Objects need it to exist before they compile (order-only); those that
# include it depend on it through their .d files.
build/gen/parser.c: grammar/parser.y
	@mkdir -p build/gen
	lemon -c -q -dbuild/gen -T/usr/share/lemon/lempar.c $<
build/gen/parser.h: build/gen/parser.c ;
build/gen/lexer.c: grammar/lexer.re
	@mkdir -p build/gen
	re2c -W -Werror --no-generation-date -o $@ $<

# ---- release build ----------------------------------------------------------------------
aimci: build/rel/interp/main.o $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
build/rel/gen/%.o: build/gen/%.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -Wno-unused-parameter -Wno-unused-variable -MMD -MP -c -o $@ $<
build/rel/%.o: %.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -MMD -MP -c -o $@ $<
build/rel/runtime/rt_kern.o build/san/runtime/rt_kern.o: CFLAGS += -Wno-psabi
# The sanitizer builds of the kernels at -O1: at -O2 each took 3 minutes to compile (17 rule
# instantiations, every helper inlined, instrumented); the values are the same (IEEE, no FMA).
build/san/runtime/rt_kern.o build/san/runtime/rt_kern_avx2.o build/san/runtime/rt_kern_avx512.o: \
    CFLAGS += -O1
# The activations compute both branches and select; without trapping math GCC may do that in
# vectors (values unchanged: IEEE results, only exception flags are not kept).
build/rel/runtime/rt_layer_act.o build/san/runtime/rt_layer_act.o: CFLAGS += -fno-trapping-math
# The pulse plans' sqrt and ceil in vectors (rt_tile.c plan_group) need them without errno
# and trapping (values unchanged: IEEE results; aimci reads no errno from the math library).
build/rel/runtime/rt_tile.o build/san/runtime/rt_tile.o: CFLAGS += -fno-math-errno -fno-trapping-math
build/rel/runtime/rt_kern_avx2.o: runtime/rt_kern.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -Wno-psabi $(KERN_AVX2) -MMD -MP -c -o $@ $<
build/rel/runtime/rt_kern_avx512.o: runtime/rt_kern.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -Wno-psabi $(KERN_AVX512) -MMD -MP -c -o $@ $<
build/bench/aimci_bench: tools/bench.c tools/bench_util.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -o $@ $^ $(LDLIBS)
build/bench/aimci_bench_epoch: tools/bench_epoch.c tools/bench_util.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -o $@ $^ $(LDLIBS)
build/bench/tanh_order: tools/tanh_order.c $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -o $@ $^ $(LDLIBS)

# ---- aimci-mpi: experiments over MPI ranks (interp/run/eval_ranks.h) ----------------------
# The objects of aimci with interp/run/eval_mpi.c, compiled by mpicc, in place of
# eval_ranks_one.c; linked by mpicc. Plain aimci never links MPI.
MPICC    ?= mpicc
MPI_OBJ  := $(filter-out build/rel/interp/run/eval_ranks_one.o,$(OBJ)) build/rel/interp/run/eval_mpi.o
MPI_SOBJ := $(filter-out build/san/interp/run/eval_ranks_one.o,$(SAN_OBJ)) build/san/interp/run/eval_mpi.o
mpi-check:
	@command -v $(MPICC) >/dev/null || { echo "aimci-mpi needs Open MPI's $(MPICC): sudo apt-get" \
	    "install openmpi-bin libopenmpi-dev (make run and make test install them)" >&2; exit 1; }
aimci-mpi: build/rel/interp/main.o $(MPI_OBJ) | mpi-check
	$(MPICC) $(CFLAGS) -o $@ $^ $(LDLIBS)
build/rel/interp/run/eval_mpi.o: interp/run/eval_mpi.c | build/gen/parser.h mpi-check
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) $(INC) -MMD -MP -c -o $@ $<
build/san/aimci-mpi: build/san/interp/main.o $(MPI_SOBJ) | mpi-check
	$(MPICC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)
build/san/interp/run/eval_mpi.o: interp/run/eval_mpi.c | build/gen/parser.h mpi-check
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS) $(INC) $(SAN) -MMD -MP -c -o $@ $<

# ---- sanitizer build (tests) -----------------------------------------------------------
build/san/aimci: build/san/interp/main.o $(SAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)
# The pseudo-terminal driver of the REPL tests (tests/scripts/repl_*.sh).
build/san/repl_pty: tests/repl/repl_pty.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(OPT) $(WARN) $(SAN) -o $@ $<
build/san/unit_tests: $(TEST_OBJ) $(SAN_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lcriterion $(LDLIBS)
build/san/gen/%.o: build/gen/%.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -Wno-unused-parameter -Wno-unused-variable -MMD -MP -c -o $@ $<
build/san/%.o: %.c | build/gen/parser.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -MMD -MP -c -o $@ $<
build/san/runtime/rt_kern_avx2.o: runtime/rt_kern.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -Wno-psabi $(KERN_AVX2) -MMD -MP -c -o $@ $<
build/san/runtime/rt_kern_avx512.o: runtime/rt_kern.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(SAN) -Wno-psabi $(KERN_AVX512) -MMD -MP -c -o $@ $<

clean:
	rm -rf build aimci aimci-mpi

# ---- documented outputs (tools/doc_outputs.sh; tests/scripts/doc_outputs.sh in make test) --
docs-record: aimci
	tools/doc_outputs.sh --record --slow ./aimci
docs-check: aimci
	tools/doc_outputs.sh --slow ./aimci

# ---- install ----------------------------------------------------------------------------
# The binary finds its standard library at ../share/aimci/stdlib beside itself (main.c),
# so an installed or moved tree works without AIMCI_STDLIB. AIMCI_BIN: the binary to
# install (tests/scripts/install.sh installs the one under test).
PREFIX    ?= /usr/local
AIMCI_BIN ?= aimci
I_BIN  = $(DESTDIR)$(PREFIX)/bin
I_LIB  = $(DESTDIR)$(PREFIX)/share/aimci/stdlib
I_MAN  = $(DESTDIR)$(PREFIX)/share/man/man1
I_COMP = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
I_DOC  = $(DESTDIR)$(PREFIX)/share/doc/aimci
install: $(AIMCI_BIN)
	install -d $(I_BIN) $(I_LIB) $(I_MAN) $(I_COMP) $(I_DOC)/docs $(I_DOC)/examples/paper
	install -m 755 $(AIMCI_BIN) $(I_BIN)/aimci
	if [ -x $(AIMCI_BIN)-mpi ]; then install -m 755 $(AIMCI_BIN)-mpi $(I_BIN)/aimci-mpi; fi
	install -m 644 stdlib/*.aimc $(I_LIB)
	sed 's|/usr/local|$(PREFIX)|g' docs/aimci.1 >$(I_MAN)/aimci.1 && chmod 644 $(I_MAN)/aimci.1
	install -m 644 tools/aimci.bash $(I_COMP)/aimci
	install -m 644 README.md LICENSE $(I_DOC)
	install -m 644 docs/*.md $(I_DOC)/docs
	install -m 644 examples/*.aimc $(I_DOC)/examples
	install -m 644 examples/paper/*.aimc $(I_DOC)/examples/paper
uninstall:
	rm -f $(I_BIN)/aimci $(I_BIN)/aimci-mpi $(I_MAN)/aimci.1 $(I_COMP)/aimci
	rm -rf $(DESTDIR)$(PREFIX)/share/aimci $(I_DOC)

-include $(shell find build -name '*.d' 2>/dev/null)
