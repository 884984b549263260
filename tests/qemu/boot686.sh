#!/bin/bash
# boot686.sh - boot Debian 12's real 32-bit kernel (linux-image-686 or
# linux-image-686-pae, Linux 6.1) under qemu-system-i386 (TCG, no KVM) with a
# tiny busybox initramfs and capture the memory-layout dump it prints.
#
# Usage:
#   tests/qemu/boot686.sh FLAVOUR MEM OUTPUT [EXTRA_CMDLINE...]
#     FLAVOUR  686 | 686-pae
#     MEM      guest RAM as qemu -m takes it: 512M, 1G, 2G, 4G, ...
#     OUTPUT   file that receives the serial log (+ QEMU monitor dumps)
#     EXTRA_CMDLINE  extra kernel command-line words, e.g. vmalloc=256M
#   Examples:
#     tests/qemu/boot686.sh 686-pae 2G tests/data/i386/686-pae-2G.log
#     tests/qemu/boot686.sh 686 1G out.log vmalloc=256M
#
# Environment knobs:
#   MMTWIN_QEMU_WORK  scratch directory (default /work/scratch-qemu if /work
#                     exists, else /tmp/mmtwin-qemu); debs are extracted there
#   QEMU_CPU          -cpu model (default qemu32,+pae,+nx,+pse36; without
#                     +pse36 QEMU gives qemu32 only 32 physical address bits
#                     and a PAE guest with RAM above 4 GiB oopses)
#   QEMU_BIN          emulator (default qemu-system-i386). qemu-system-i386 7.2
#                     (TCG) livelocks a PAE guest whose user pages sit above
#                     4 GiB (686-pae with -m 4G hangs in the first exec);
#                     QEMU_BIN=qemu-system-x86_64 QEMU_CPU=qemu64 boots it.
#   BOOT_TIMEOUT      seconds before giving up (default 900)
#   EXEC_PROGS=1      also build the exec ground-truth programs
#                     (tests/qemu/exec/build.sh) into /x of the initramfs
#                     with the host's /usr/lib32 ld-linux.so.2 and libc.so.6,
#                     run each under the tracer (exec/tracer.c; the list is
#                     exec/exec-list) and, with "mmtwin_exec_only" on the
#                     command line, stop after that.  EXEC_BIN=DIR takes the
#                     programs from DIR instead of building them (the
#                     committed tests/data/i386/exec-bin/).
#   GDB_VARS=1        also attach gdb (gdbstub on 127.0.0.1:$GDB_PORT, default
#                     1234) after the dump and print live kernel variables
#                     (high_memory, max_low_pfn, ...). Needs the ~760 MB
#                     linux-image-*-dbg package (downloaded on demand) and
#                     adds "nokaslr" so the symbols match.
#
# Needs root (apt-get). Installs: qemu-system-x86, cpio, socat (and gdb when
# GDB_VARS=1); downloads (never installs) the i386 kernel and busybox-static.
# The guest init script is tests/qemu/init.sh (next to this file).
# Output layout: the serial log, then "==== QEMU MONITOR ... ====" sections.
# Exit status: 0 on success; non-zero with a message on stderr otherwise.
set -euo pipefail

die() { echo "boot686.sh: ERROR: $*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: $0 FLAVOUR(686|686-pae) MEM OUTPUT [EXTRA_CMDLINE...]"
FLAVOUR=$1; MEM=$2; OUTPUT=$3; shift 3
EXTRA="$*"
case "$FLAVOUR" in 686|686-pae) ;; *) die "FLAVOUR must be 686 or 686-pae, got '$FLAVOUR'";; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC=$HERE/init.sh
[ -f "$INIT_SRC" ] || die "missing $INIT_SRC"
if [ -z "${MMTWIN_QEMU_WORK:-}" ]; then
    if [ -d /work ]; then MMTWIN_QEMU_WORK=/work/scratch-qemu; else MMTWIN_QEMU_WORK=/tmp/mmtwin-qemu; fi
fi
W=$MMTWIN_QEMU_WORK
QEMU_CPU=${QEMU_CPU:-qemu32,+pae,+nx,+pse36}
QEMU_BIN=${QEMU_BIN:-qemu-system-i386}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
GDB_VARS=${GDB_VARS:-0}
GDB_PORT=${GDB_PORT:-1234}
mkdir -p "$W/debs" || die "cannot create $W"

# ---------------------------------------------------------------- host tools
need_pkgs=()
command -v qemu-system-i386 >/dev/null || need_pkgs+=(qemu-system-x86)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v socat >/dev/null || need_pkgs+=(socat)
if [ "$GDB_VARS" = 1 ]; then command -v gdb >/dev/null || need_pkgs+=(gdb); fi
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    dpkg --add-architecture i386 || die "dpkg --add-architecture i386 failed"
    APT_UPDATED=0
fi
if [ ${#need_pkgs[@]} -gt 0 ] || [ "${APT_UPDATED:-1}" = 0 ] || \
   ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
    apt-get update >/dev/null 2>&1 || echo "boot686.sh: warning: apt-get update reported errors" >&2
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_pkgs[@]}" >/dev/null \
        || die "apt-get install ${need_pkgs[*]} failed"
fi

# --------------------------------------------- kernel + busybox (extract only)
# The metapackage linux-image-<flavour> depends on the versioned image package.
KPKG=$(apt-cache depends "linux-image-$FLAVOUR:i386" 2>/dev/null \
       | awk '/Depends: linux-image-6/ {print $2; exit}' | sed 's/:i386$//')
[ -n "$KPKG" ] || die "cannot resolve linux-image-$FLAVOUR:i386 (is the i386 architecture enabled and apt updated?)"
KREL=${KPKG#linux-image-}          # e.g. 6.1.0-50-686-pae
KX=$W/extract-$KREL
fetch() {  # fetch PKG -> path of .deb
    local p=$1 f
    f=$(ls "$W"/debs/"${p}"_*_i386.deb 2>/dev/null | head -1 || true)
    if [ -z "$f" ]; then
        (cd "$W/debs" && apt-get download "$p:i386" >/dev/null 2>&1) || die "apt-get download $p:i386 failed"
        f=$(ls "$W"/debs/"${p}"_*_i386.deb | head -1)
    fi
    echo "$f"
}
if [ ! -f "$KX/boot/vmlinuz-$KREL" ]; then
    deb=$(fetch "$KPKG")
    rm -rf "$KX"; mkdir -p "$KX"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KX" ./boot || die "extracting $deb failed"
fi
VMLINUZ=$KX/boot/vmlinuz-$KREL
[ -f "$VMLINUZ" ] || die "no $VMLINUZ after extraction"
BBX=$W/extract-busybox
if [ ! -x "$BBX/bin/busybox" ]; then
    deb=$(fetch busybox-static)
    rm -rf "$BBX"; mkdir -p "$BBX"; dpkg-deb -x "$deb" "$BBX" || die "extracting busybox failed"
fi
file "$BBX/bin/busybox" 2>/dev/null | grep -q "Intel 80386" || \
    { [ "$(head -c 5 "$BBX/bin/busybox" | od -An -tx1 | tr -d ' \n')" = "7f454c4601" ] || die "busybox is not a 32-bit ELF"; }

# ------------------------------------------------------------------ initramfs
IR=$W/initramfs
rm -rf "$IR"; mkdir -p "$IR/bin" "$IR/proc" "$IR/sys" "$IR/dev" "$IR/tmp"
cp "$BBX/bin/busybox" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"
install -m 0755 "$INIT_SRC" "$IR/init"
if [ "${EXEC_PROGS:-0}" = 1 ]; then
    mkdir -p "$IR/x" "$IR/usr/lib32" "$IR/lib"
    if [ -n "${EXEC_BIN:-}" ]; then
        cp -a "$EXEC_BIN"/. "$IR/x/" || die "cannot copy $EXEC_BIN"
        [ -x "$IR/x/exec-tracer" ] || gcc -m32 -static -O2 -o "$IR/x/exec-tracer" "$HERE/exec/tracer.c" \
            || die "building the tracer failed (gcc-multilib?)"
    else
        sh "$HERE/exec/build.sh" "$IR/x" || die "building the exec programs failed (gcc-multilib?)"
    fi
    cp "$HERE/exec/exec-list" "$IR/x/exec-list"
    cp /usr/lib32/ld-linux.so.2 /usr/lib32/libc.so.6 "$IR/usr/lib32/" \
        || die "no /usr/lib32/ld-linux.so.2 (install libc6-i386)"
    ln -s /usr/lib32/ld-linux.so.2 "$IR/lib/ld-linux.so.2"
fi
INITRD=$W/initrd-mmtwin.cpio.gz
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -9) > "$INITRD" || die "building initramfs failed"

# ---------------------------------------------------------------------- boot
T=$(mktemp -d "$W/run.XXXXXX")
SERIAL=$T/serial.log
MON=$T/mon.sock
CMDLINE="console=ttyS0,115200 no_hash_pointers loglevel=8 ignore_loglevel log_buf_len=4M panic=-1 $EXTRA"
GDBOPT=()
if [ "$GDB_VARS" = 1 ]; then
    CMDLINE="$CMDLINE nokaslr"
    GDBOPT=(-gdb "tcp:127.0.0.1:$GDB_PORT")
fi
QEMU_CMD=("$QEMU_BIN" -machine pc -accel tcg -cpu "$QEMU_CPU" -smp 1 -m "$MEM"
          -display none -no-reboot -serial "file:$SERIAL"
          -monitor "unix:$MON,server,nowait" "${GDBOPT[@]}"
          -kernel "$VMLINUZ" -initrd "$INITRD" -append "$CMDLINE")
echo "boot686.sh: booting $KREL with -m $MEM, cmdline: $CMDLINE" >&2
"${QEMU_CMD[@]}" > "$T/qemu.out" 2>&1 &
QPID=$!
cleanup() { kill "$QPID" 2>/dev/null || true; }
trap cleanup EXIT

mon() {  # send one monitor command, print its answer (escape codes removed)
    { echo "$1"; sleep "${2:-3}"; } | socat -t 10 - "UNIX-CONNECT:$MON" 2>/dev/null \
        | tr -d '\r' | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' \
        | grep -v -e '^QEMU [0-9].*monitor' -e '^(qemu)' || true
}

start=$(date +%s); ok=0
while kill -0 "$QPID" 2>/dev/null; do
    if grep -q '^MMTWIN-DUMP-DONE' "$SERIAL" 2>/dev/null; then ok=1; break; fi
    if [ $(( $(date +%s) - start )) -gt "$BOOT_TIMEOUT" ]; then break; fi
    sleep 2
done

{
    echo "# mmtwin boot: package $KPKG ($(ls "$W"/debs/"${KPKG}"_*_i386.deb 2>/dev/null | sed 's/.*_\(.*\)_i386.deb/\1/')), $QEMU_BIN -m $MEM -cpu $QEMU_CPU -smp 1"
    echo "# qemu: $("$QEMU_BIN" --version | head -1)"
    echo "# kernel cmdline given: $CMDLINE"
    echo "# wall time to dump marker: $(( $(date +%s) - start )) s"
    tr -d '\r' < "$SERIAL"
} > "$T/out.log"

if [ "$ok" = 1 ]; then
    {
        echo; echo "==== QEMU MONITOR info registers ===="; mon "info registers" 2
        echo; echo "==== QEMU MONITOR info mem ===="; mon "info mem" 5
        echo; echo "==== QEMU MONITOR info mtree -f (system) ===="; mon "info mtree -f" 3 | sed -n '1,/^$/p' | head -80
    } >> "$T/out.log"
    if [ "$GDB_VARS" = 1 ]; then
        DBGV=$W/extract-$KREL-dbg/usr/lib/debug/boot/vmlinux-$KREL
        if [ ! -f "$DBGV" ]; then
            deb=$(fetch "$KPKG-dbg")
            mkdir -p "$W/extract-$KREL-dbg"
            dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$W/extract-$KREL-dbg" "./usr/lib/debug/boot/vmlinux-$KREL" \
                || die "extracting dbg vmlinux failed"
        fi
        {
            echo; echo "==== GDB live variables (nokaslr) ===="
            timeout 300 gdb -batch -nx "$DBGV" \
                -ex "target remote 127.0.0.1:$GDB_PORT" \
                -ex 'printf "high_memory=0x%lx\n", (unsigned long)high_memory' \
                -ex 'printf "max_low_pfn=0x%lx\n", max_low_pfn' \
                -ex 'printf "max_pfn=0x%lx\n", max_pfn' \
                -ex 'printf "min_low_pfn=0x%lx\n", min_low_pfn' \
                -ex 'printf "highstart_pfn=0x%lx\n", highstart_pfn' \
                -ex 'printf "highend_pfn=0x%lx\n", highend_pfn' \
                -ex 'printf "_totalhigh_pages=%ld\n", _totalhigh_pages.counter' \
                -ex 'printf "pcpu_unit_size=%d\n", pcpu_unit_size' \
                -ex 'printf "pcpu_base_addr=0x%lx\n", (unsigned long)pcpu_base_addr' \
                -ex 'printf "min_free_kbytes=%d\n", min_free_kbytes' \
                -ex 'printf "totalreserve_pages=%ld\n", totalreserve_pages' \
                -ex 'printf "__FIXADDR_TOP=0x%lx\n", __FIXADDR_TOP' \
                -ex 'printf "__VMALLOC_RESERVE=0x%lx\n", __VMALLOC_RESERVE' \
                -ex 'printf "pkmap_page_table=0x%lx\n", (unsigned long)pkmap_page_table' \
                -ex 'printf "__end_of_fixed_addresses=%d\n", (int)__end_of_fixed_addresses' \
                -ex 'printf "sizeof(struct cpu_entry_area)=%d\n", (int)sizeof(struct cpu_entry_area)' \
                -ex 'printf "max_mapnr=0x%lx\n", max_mapnr' \
                -ex 'printf "num_physpages(totalram)=%ld\n", _totalram_pages.counter' \
                -ex 'detach' 2>&1 | grep -v -e '^warning:' -e '^0x[0-9a-f]* in ' -e 'No such file' -e '^[0-9]*[[:space:]]' || true
        } >> "$T/out.log"
    fi
    mon "quit" 1 >/dev/null
else
    echo "==== MMTWIN boot did not reach the dump marker (qemu exited or timed out after ${BOOT_TIMEOUT}s) ====" >> "$T/out.log"
    cat "$T/qemu.out" >> "$T/out.log"
fi
sleep 1; kill "$QPID" 2>/dev/null || true; wait "$QPID" 2>/dev/null || true
mkdir -p "$(dirname "$OUTPUT")"
cp "$T/out.log" "$OUTPUT"
rm -rf "$T"
[ "$ok" = 1 ] || die "guest did not finish its dump; partial log written to $OUTPUT"
echo "boot686.sh: wrote $OUTPUT ($(wc -l < "$OUTPUT") lines)" >&2
