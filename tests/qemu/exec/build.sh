#!/bin/sh
# build.sh OUTDIR - build the exec ground-truth programs (tests/qemu/README.md)
# with the host's gcc -m32 (gcc-multilib).  The results depend on the
# toolchain (gcc 12.2, binutils 2.40, glibc 2.36 of Debian 12 made the
# committed ones), so the test uses the committed binaries in
# tests/data/i386/exec-bin/ and checks their sha256 against the ground truth.
set -eu
O=${1:?usage: build.sh OUTDIR}
H=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$O"
FS="-std=gnu11 -O2 -DFREESTANDING -ffreestanding -nostdlib -fno-stack-protector
    -fno-asynchronous-unwind-tables -fcf-protection=none -Wl,--build-id=none"
gcc -m32 $FS -static -fno-pie -no-pie -o "$O/static" "$H/prog.c"
gcc -m32 $FS -static-pie -fpie -o "$O/static-pie" "$H/prog.c"
gcc -m32 -std=gnu11 -O2 -fpie -pie -Wl,--build-id=none -o "$O/dyn-pie" "$H/prog.c"
gcc -m32 -std=gnu11 -O2 -fno-pie -no-pie -Wl,--build-id=none -o "$O/dyn-nopie" "$H/prog.c"
# a #! script whose interpreter is the static program (relative path: the
# guest and the test both run from the directory holding the programs)
printf '#!./static -x\n' > "$O/script"
chmod 0755 "$O/script"
gcc -m32 -static -O2 -o "$O/exec-tracer" "$H/tracer.c"
