# mmtwin - build, test, benchmark.  gcc by default; `make CC=clang` works too.
# `make SAN=1` builds everything with ASan+UBSan into build-san/.

CC      ?= gcc
ifeq ($(CC),cc)
CC      := gcc
endif
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
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

LIB_SRC   := $(sort $(wildcard src/base/*.c src/init/*.c src/kernel/*.c src/script/*.c src/arch/x86/*.c src/mm/*.c src/ipc/*.c src/libc/*.c \
              src/proc/*.c src/exec/*.c src/twin/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)

# The live-kernel harness (tests/live/, docs/live-tests.md): its library
# links into the test binary; its child is a freestanding program built
# for x86_64 and for i386 (IA32 emulation), never with the sanitizers -
# it has no runtime to host them and must not map anything of its own.
LIVE_SRC   := $(filter-out tests/live/child.c,$(sort $(wildcard tests/live/*.c)))
TEST_OBJ   += $(LIVE_SRC:%.c=$(BUILD)/%.o)
LIVE_CHILD := $(BUILD)/live-child-64 $(BUILD)/live-child-32
LIVE_CHILD_FLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-ffreestanding -nostdlib -static -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none -Wl,--build-id=none

LIB   := $(BUILD)/libmmtwin.a
BIN   := $(BUILD)/mmtwin
TESTS := $(BUILD)/mmtwin-tests
BENCH := $(BUILD)/mmtwin-bench

# The shared library: the same sources compiled again, position-independent,
# into $(BUILD)/pic/, so the static library and the binary keep their
# non-PIC code.  Soname libmmtwin.so.MAJOR from MMTWIN_VERSION.
VERSION := $(shell sed -n 's/.*define MMTWIN_VERSION "\(.*\)"/\1/p' include/mmtwin/mmtwin.h)
SONAME  := libmmtwin.so.$(firstword $(subst ., ,$(VERSION)))
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
SHLIB   := $(BUILD)/libmmtwin.so.$(VERSION)

.PHONY: all shared check bench fuzz fuzz-run install uninstall clean

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

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -c $< -o $@

$(SHLIB): $(PIC_OBJ)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) $(if $(filter 1,$(SAN)),,-Wl,-z,defs) \
		-o $@ $(PIC_OBJ) -lm
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libmmtwin.so

shared: $(SHLIB)

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) -lm

$(TESTS): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) -lm

$(BENCH): $(BENCH_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(LIB) -lm

# The live-kernel child (see LIVE_SRC above).
$(BUILD)/live-child-64: tests/live/child.c tests/live/protocol.h
	@mkdir -p $(dir $@)
	$(CC) -m64 $(LIVE_CHILD_FLAGS) -o $@ $<

$(BUILD)/live-child-32: tests/live/child.c tests/live/protocol.h
	@mkdir -p $(dir $@)
	$(CC) -m32 $(LIVE_CHILD_FLAGS) -o $@ $<

# The malloc oracle (tests/test_malloc.c): an ordinary glibc program, for
# x86_64 and i386, never with the sanitizers.  Without gcc-multilib the
# i386 one fails to build and its test says SKIP.
MALLOC_CHILD := $(BUILD)/malloc-child-64 $(BUILD)/malloc-child-32
MALLOC_CHILD_FLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -pthread

$(BUILD)/malloc-child-64: tests/malloc/child.c
	@mkdir -p $(dir $@)
	$(CC) -m64 $(MALLOC_CHILD_FLAGS) -o $@ $<

$(BUILD)/malloc-child-32: tests/malloc/child.c
	@mkdir -p $(dir $@)
	-$(CC) -m32 $(MALLOC_CHILD_FLAGS) -o $@ $<

# The shadow tests' helper (tests/shadow/helper.c, tests/test_shadow.c):
# an ordinary glibc program for x86_64, i386 and static, never with the
# sanitizers.  Without gcc-multilib the i386 one fails to build and its
# cases say SKIP.
SHADOW_HELPER := $(BUILD)/shadow-helper-64 $(BUILD)/shadow-helper-32 $(BUILD)/shadow-helper-static
SHADOW_HELPER_FLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -pthread

$(BUILD)/shadow-helper-64: tests/shadow/helper.c
	@mkdir -p $(dir $@)
	$(CC) -m64 $(SHADOW_HELPER_FLAGS) -o $@ $<

$(BUILD)/shadow-helper-static: tests/shadow/helper.c
	@mkdir -p $(dir $@)
	$(CC) -m64 -static $(SHADOW_HELPER_FLAGS) -o $@ $<

$(BUILD)/shadow-helper-32: tests/shadow/helper.c
	@mkdir -p $(dir $@)
	-$(CC) -m32 $(SHADOW_HELPER_FLAGS) -o $@ $<

# The test runner needs the CLI binary too (CLI tests run it), and the
# live children (tests/test_live_kernel.c runs them).
check: $(TESTS) $(BIN) $(LIVE_CHILD) $(MALLOC_CHILD) $(SHADOW_HELPER)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	MMTWIN_LIVE_CHILD_X86_64=$(BUILD)/live-child-64 \
	MMTWIN_LIVE_CHILD_I386=$(BUILD)/live-child-32 \
	MMTWIN_MALLOC_CHILD_X86_64=$(BUILD)/malloc-child-64 \
	MMTWIN_MALLOC_CHILD_I386=$(BUILD)/malloc-child-32 \
	MMTWIN_SHADOW_HELPER=$(BUILD)/shadow-helper \
	MMTWIN_BIN=$(BIN) ./$(TESTS)

bench:
	$(MAKE) BUILD=build-bench OPT="-O2 -DNDEBUG" build-bench/mmtwin-bench build-bench/mmtwin
	MMTWIN_BIN=build-bench/mmtwin ./build-bench/mmtwin-bench

# libFuzzer targets (clang): the scenario parser and the memory-map reader.
# Their corpus also runs in `make check` (tests/test_fuzz_corpus.c).
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude
# Comparison tracing (libFuzzer's trace-cmp) helps where input bytes are
# compared; the boot-time builders and the validators compare the model's
# own state, run hundreds of times per input (the direct map goes page by
# page below 2 MiB, `check` visits every descriptor) and tracing them
# doubled the cost of every input.  They keep their edge coverage.
FUZZ_NO_CMP_TRACE := -fno-sanitize-coverage=trace-cmp
build-fuzz/src/arch/x86/pgtable.o build-fuzz/src/arch/x86/pagewalk.o build-fuzz/src/arch/x86/init_mm.o \
build-fuzz/src/mm/page_alloc_check.o: SANFLAGS += $(FUZZ_NO_CMP_TRACE)
fuzz:
	$(MAKE) CC=clang BUILD=build-fuzz SAN=1 FUZZFLAGS=-fsanitize=fuzzer-no-link build-fuzz/libmmtwin.a
	$(FUZZ_CC) fuzz/fuzz_script.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-script -lm
	$(FUZZ_CC) fuzz/fuzz_memmap.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-memmap -lm
	$(FUZZ_CC) fuzz/fuzz_strace.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-strace -lm
	$(FUZZ_CC) -Isrc fuzz/fuzz_elf.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-elf -lm
	$(FUZZ_CC) -Isrc fuzz/fuzz_replay.c build-fuzz/libmmtwin.a -o build-fuzz/fuzz-replay -lm

# A short fuzzing session on copies of the corpus (FUZZ_SECONDS each).
# FUZZ_SEED with FUZZ_RUNS fixes libFuzzer's inputs, so CI's session is
# the same on every machine and can be replayed here; FUZZ_SEED=0 and
# FUZZ_RUNS=-1 (unbounded) explore afresh.  Each target prints its speed
# ("fuzz.script 1234 exec/s") and fails under FUZZ_MIN_EXEC_PER_SEC: a
# target that slow would need days for ten million executions.  400: a
# whole execve per input (fuzz.elf) runs at about 600/s on a loaded 2-core
# CI machine, and the scenario runner's inputs now boot tasks, ipc and the
# page checks (fuzz.script 700-1700/s depending on the load).
FUZZ_SECONDS ?= 30
FUZZ_SEED ?= 1
FUZZ_RUNS ?= -1
FUZZ_MIN_EXEC_PER_SEC ?= 400
FUZZ_OPTS = -seed=$(FUZZ_SEED) -runs=$(FUZZ_RUNS) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096
fuzz-run: fuzz
	rm -rf build-fuzz/corpus && mkdir -p build-fuzz/corpus && cp -r fuzz/corpus/* build-fuzz/corpus/
	sh fuzz/run.sh script build-fuzz/fuzz-script build-fuzz/corpus/script $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)
	sh fuzz/run.sh memmap build-fuzz/fuzz-memmap build-fuzz/corpus/memmap $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)
	sh fuzz/run.sh strace build-fuzz/fuzz-strace build-fuzz/corpus/strace $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)
	sh fuzz/run.sh elf build-fuzz/fuzz-elf build-fuzz/corpus/elf $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)
	sh fuzz/run.sh replay build-fuzz/fuzz-replay build-fuzz/corpus/replay $(FUZZ_MIN_EXEC_PER_SEC) $(FUZZ_OPTS)

# `make install PREFIX=/usr DESTDIR=/tmp/pkg`: the binary, both libraries,
# the headers, mmtwin.pc, mmtwin(1) and the bash completion.
# tests/install/run.sh checks the installed tree (CI runs it).
PC_LIBDIR     = $(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))
PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
install: $(BIN) $(LIB) $(SHLIB)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/mmtwin \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/mmtwin
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libmmtwin.a
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libmmtwin.so
	install -m 644 include/mmtwin/*.h $(DESTDIR)$(INCLUDEDIR)/mmtwin/
	sed -e '/^#/d' -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    mmtwin.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/mmtwin.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/mmtwin.pc
	install -m 644 docs/mmtwin.1 $(DESTDIR)$(MANDIR)/man1/mmtwin.1
	install -m 644 contrib/bash-completion/mmtwin $(DESTDIR)$(BASHCOMPDIR)/mmtwin

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mmtwin $(DESTDIR)$(LIBDIR)/libmmtwin.a \
	      $(DESTDIR)$(LIBDIR)/$(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libmmtwin.so $(DESTDIR)$(PKGCONFIGDIR)/mmtwin.pc \
	      $(DESTDIR)$(MANDIR)/man1/mmtwin.1 $(DESTDIR)$(BASHCOMPDIR)/mmtwin
	rm -rf $(DESTDIR)$(INCLUDEDIR)/mmtwin

clean:
	rm -rf build build-san build-bench build-clang build-fuzz mmtwin

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)
