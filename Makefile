# mmtwin - build, test, benchmark.  gcc by default; `make CC=clang` works too.
# `make SAN=1` builds everything with ASan+UBSan into build-san/.

CC      ?= gcc
ifeq ($(CC),cc)
CC      := gcc
endif
PREFIX  ?= /usr/local
SAN     ?= 0
OPT     ?= -O2 -g

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT     := -O1 -g
else
BUILD   ?= build
SANFLAGS :=
endif

SANFLAGS += $(FUZZFLAGS)
CFLAGS  ?= $(OPT)
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Iinclude -Isrc $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)

LIB_SRC   := $(sort $(wildcard src/base/*.c src/init/*.c src/kernel/*.c src/script/*.c src/core/*.c src/arch/x86/*.c src/mm/*.c \
              src/proc/*.c src/render/*.c src/exec/*.c src/twin/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)

LIB   := $(BUILD)/libmmtwin.a
BIN   := $(BUILD)/mmtwin
TESTS := $(BUILD)/mmtwin-tests
BENCH := $(BUILD)/mmtwin-bench

.PHONY: all check bench fuzz fuzz-run install clean

all: $(BIN) mmtwin

# a convenience link so README commands read ./mmtwin
mmtwin: $(BIN)
	@ln -sf $(BIN) mmtwin

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) -lm

$(TESTS): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) -lm

$(BENCH): $(BENCH_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(LIB) -lm

# The test runner needs the CLI binary too (CLI tests run it).
check: $(TESTS) $(BIN)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	MMTWIN_BIN=$(BIN) ./$(TESTS)

bench:
	$(MAKE) BUILD=build-bench OPT="-O2 -DNDEBUG" build-bench/mmtwin-bench
	./build-bench/mmtwin-bench

# libFuzzer targets (clang): the scenario parser and the memory-map reader.
# Their corpus also runs in `make check` (tests/test_fuzz_corpus.c).
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude
# Comparison tracing (libFuzzer's trace-cmp) helps where input bytes are
# compared; the boot-time builders and the validators compare the model's
# own state, run hundreds of times per input (the direct map goes page by
# page below 2 MiB, `check` visits every descriptor) and tracing them
# doubled the cost of every input.  They keep their edge coverage.
FUZZ_NO_CMP_TRACE := -fno-sanitize-coverage=trace-cmp
build-fuzz/src/arch/x86/pgtable.o build-fuzz/src/arch/x86/init_mm.o \
build-fuzz/src/mm/page_alloc_check.o: SANFLAGS += $(FUZZ_NO_CMP_TRACE)
fuzz:
	$(MAKE) CC=clang BUILD=build-fuzz SAN=1 FUZZFLAGS=-fsanitize=fuzzer-no-link build-fuzz/libmmtwin.a
	$(FUZZ_CC) fuzz/fuzz_script.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-script -lm
	$(FUZZ_CC) fuzz/fuzz_memmap.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-memmap -lm

# A short fuzzing session on copies of the corpus (FUZZ_SECONDS each).
# FUZZ_SEED with FUZZ_RUNS fixes libFuzzer's inputs, so CI's session is
# the same on every machine and can be replayed here; FUZZ_SEED=0 and
# FUZZ_RUNS=-1 (unbounded) explore afresh.  Each target prints its speed
# ("fuzz.script 1234 exec/s") and fails under FUZZ_MIN_EXEC_PER_SEC: a
# target that slow would need days for ten million executions.
FUZZ_SECONDS ?= 30
FUZZ_SEED ?= 1
FUZZ_RUNS ?= -1
FUZZ_MIN_EXEC_PER_SEC ?= 1000
FUZZ_OPTS = -seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096
fuzz-run: fuzz
	rm -rf build-fuzz/corpus && mkdir -p build-fuzz/corpus && cp -r fuzz/corpus/* build-fuzz/corpus/
	sh fuzz/run.sh script build-fuzz/fuzz-script build-fuzz/corpus/script $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)
	sh fuzz/run.sh memmap build-fuzz/fuzz-memmap build-fuzz/corpus/memmap $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)

install: $(BIN) $(LIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/mmtwin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/mmtwin
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libmmtwin.a
	install -m 644 include/mmtwin/*.h $(DESTDIR)$(PREFIX)/include/mmtwin/

clean:
	rm -rf build build-san build-bench build-clang build-fuzz mmtwin

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)
