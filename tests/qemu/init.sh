#!/bin/busybox sh
# mmtwin ground-truth initramfs /init (runs under static i386 busybox).
# Dumps memory-layout facts of the booted kernel to the serial console,
# prints the marker MMTWIN-DUMP-DONE, then waits so that the host script
# can read the page tables through the QEMU monitor ("info mem") before
# it powers the guest off.  If nobody does, it powers off by itself.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 0 > /proc/sys/kernel/kptr_restrict 2>/dev/null
echo 0 > /proc/sys/kernel/dmesg_restrict 2>/dev/null
# let the boot settle (deferred work, slab/percpu allocations)
sleep 2

sec() { echo; echo "==== MMTWIN $1 ===="; }

# exec ground truth (boot686.sh EXEC_PROGS=1): the programs are in /x, the
# tracer (tests/qemu/exec/tracer.c) prints each one's state at execve return.
if [ -x /x/exec-tracer ] && [ -f /x/exec-list ]; then
    sec exec
    cd /x
    while read -r label prog args; do
        [ -n "$label" ] || continue
        # shellcheck disable=SC2086
        ./exec-tracer "$label" "$prog" $args
    done < /x/exec-list
    cd /
    sec exec-end
    if grep -q mmtwin_exec_only /proc/cmdline; then
        echo "MMTWIN-DUMP-DONE"
        sleep 5
        poweroff -f
    fi
fi
dumpf() { sec "$1"; if [ -r "$1" ]; then cat "$1"; else echo "(not present)"; fi; }

sec BEGIN
echo "uname: $(uname -a)"
dumpf /proc/cmdline
sec dmesg
dmesg
for f in /proc/meminfo /proc/zoneinfo /proc/buddyinfo /proc/pagetypeinfo \
         /proc/iomem /proc/vmallocinfo /proc/slabinfo /proc/vmstat \
         /proc/cpuinfo /proc/self/maps \
         /sys/kernel/debug/page_tables/kernel \
         /sys/kernel/debug/page_tables/current_kernel \
         /sys/kernel/mm/transparent_hugepage/enabled \
         /sys/devices/system/cpu/possible /sys/devices/system/cpu/present \
         /sys/devices/system/cpu/vulnerabilities/meltdown; do
    dumpf "$f"
done
sec /proc/sys/vm
for f in /proc/sys/vm/*; do
    [ -f "$f" ] && [ -r "$f" ] && echo "$(basename "$f") = $(cat "$f" 2>/dev/null | tr '\n' ' ')"
done
sec kallsyms-selected
grep -E ' (_text|_stext|_etext|_sdata|_edata|__bss_start|__bss_stop|_end|__init_begin|__init_end|swapper_pg_dir|initial_page_table|initial_pg_pmd|high_memory|max_low_pfn|max_pfn|vmalloc_base|__FIXADDR_TOP|__VMALLOC_RESERVE|pkmap_page_table|kmap_pte|empty_zero_page|idt_table|cpu_entry_area|_cpu_entry_area|__per_cpu_start|__per_cpu_end|__per_cpu_load)$' /proc/kallsyms
sec END
echo "MMTWIN-DUMP-DONE"
# wait for the host (QEMU monitor) and then power off
sleep 120
poweroff -f
