#!/usr/bin/env python3
"""Summarise the boot logs written by boot686.sh into a Markdown file.

Usage: tests/qemu/summarize.py tests/data/i386 > tests/data/i386/SUMMARY.md

Reads every *.log in the directory (the format boot686.sh writes: serial log
with "==== MMTWIN <section> ====" sections, then "==== QEMU MONITOR ... ===="
sections) and prints, per boot, the e820 map, zone ranges, LOWMEM/HIGHMEM,
meminfo totals, vmallocinfo extremes, per-zone zoneinfo numbers and the
layout boundaries that can be derived from them.
"""
import glob
import os
import re
import sys

PAGE_OFFSET = 0xC0000000
MiB = 1 << 20


NOTES = """
## Key findings

- Layout constants (both flavours, from the -dbg vmlinux, see sizes-686*.txt; confirmed by every boot):
  sizeof(struct cpu_entry_area) = 176128 (43 pages), NR_CPUS = 32, CPU_ENTRY_AREA_PAGES = 1376,
  __end_of_permanent_fixed_addresses = 583, __end_of_fixed_addresses = 1537,
  FIX_KMAP_BEGIN = 68, FIX_KMAP_END = 579 (16 slots x 32 CPUs), FIX_BTMAP_END/BEGIN = 1024/1535,
  FIXADDR_TOP = 0xfffff000, FIXADDR_START = 0xffdb8000, FIXADDR_TOT_START = 0xff9fe000,
  CPU_ENTRY_AREA_BASE = 0xff400000 (IDT seen there, cpu0 GDT at 0xff401000, TSS at 0xff406000).
- 686 (non-PAE, PMD 4 MiB): LDT_BASE_ADDR 0xff000000, PKMAP_BASE 0xfec00000 (LAST_PKMAP 1024),
  VMALLOC_END 0xfebfe000, lowmem cap max_low_pfn 0x36bfe (875 MB LOWMEM; high_memory 0xf6bfe000).
- 686-pae (PMD 2 MiB): LDT_BASE_ADDR 0xff200000, PKMAP_BASE 0xff000000 (LAST_PKMAP 512),
  VMALLOC_END 0xfeffe000, lowmem cap max_low_pfn 0x36ffe (879 MB LOWMEM; high_memory 0xf6ffe000).
- VMALLOC_START = high_memory + 8 MiB exactly (no rounding to 8 MiB: 0xe07e0000 at 512M RAM).
  Default __VMALLOC_RESERVE = 128 MiB gives VmallocTotal = 120 MiB (122880 kB) once RAM exceeds the lowmem cap;
  vmalloc=256M gives VmallocTotal = 262144 kB exactly (reserve = 256M + 8M), lowmem 739 MB (686) / 743 MB (pae).
- Live gdb (nokaslr, 2G) confirms: high_memory, max_low_pfn, __VMALLOC_RESERVE=0x8000000, __FIXADDR_TOP=0xfffff000.
- 686 with -m 4G: QEMU puts 3 GiB below 4 GiB and 1 GiB at 0x100000000; the non-PAE kernel silently ignores the part above
  4 GiB (last_pfn = 0xbffe0, max_arch_pfn = 0x100000; no iomem entry for it), HIGHMEM 2195 MB.
- 686-pae with -m 4G: last_pfn = 0x140000 (max_arch_pfn 0x1000000), 4240 MB HIGHMEM "available" (the hole is counted),
  "262176 pages in unavailable ranges" in HighMem. Under qemu-system-i386 7.2 it does NOT finish booting:
  with -cpu qemu32 (no pse36 -> QEMU gives 32 physical address bits) it oopses with a reserved-bit page fault on a
  kmap_local fixmap PTE pointing above 4 GiB (686-pae-4G-no-pse36-oops.log); with +pse36 (or -cpu max) it livelocks in
  clear_user during the first exec (686-pae-4G-pse36-hang.log; gdb backtrace: clear_user <- padzero <- elf_load).
  Booted with qemu-system-x86_64 -cpu qemu64 it works (686-pae-4G-x86_64-qemu64.log, if present).
- min_free_kbytes: 2780-2782 at 512M (THP off: RAM < 512 MiB, THP enabled reads 'never'), ~41-42 MB at >= 1G because THP
  raises it (pageblock = 4 MiB on non-PAE, 2 MiB on PAE). lowmem_reserve_ratio = 256 32 0 0, watermark_scale_factor = 10.
- PTI: on for 686-pae (Kernel/User page tables isolation: enabled), not built for 686 (no PAE).
- No /sys/kernel/debug/page_tables (CONFIG_PTDUMP_DEBUGFS off); QEMU `info mem` used instead.
"""


def sections(text):
    """Split a log into {section name: [lines]}; the part before the first
    marker (boot console) is under 'console'."""
    out = {"console": []}
    cur = "console"
    for line in text.splitlines():
        m = re.match(r"^==== (MMTWIN|QEMU MONITOR|GDB) (.*?) ====$", line)
        if m:
            cur = m.group(2).strip()
            out.setdefault(cur, [])
            continue
        out.setdefault(cur, []).append(line)
    return out


def strip_ts(line):
    return re.sub(r"^\[\s*[\d.]+\]\s?", "", line)


def parse_zoneinfo(lines):
    zones = []
    z = None
    for line in lines:
        m = re.match(r"Node (\d+), zone\s+(\w+)", line)
        if m:
            z = {"name": m.group(2)}
            zones.append(z)
            continue
        if z is None:
            continue
        s = line.strip()
        for key in ("min", "low", "high", "promo", "spanned", "present", "managed", "start_pfn:"):
            m = re.match(r"^%s\s+(\d+)$" % re.escape(key), s)
            if m and key.rstrip(":") not in z:
                z[key.rstrip(":")] = int(m.group(1))
        m = re.match(r"^protection: \((.*)\)$", s)
        if m:
            z["protection"] = m.group(1)
        m = re.match(r"^pages free\s+(\d+)$", s)
        if m:
            z["free"] = int(m.group(1))
    return zones


def hexs(v):
    return "0x%08x" % v if v is not None else "?"


def summarize(path):
    name = os.path.basename(path)[:-4]
    text = open(path, errors="replace").read()
    sec = sections(text)
    dmesg = [strip_ts(l) for l in sec.get("dmesg", []) or sec["console"]]
    out = ["## %s" % name, ""]
    hdr = [l for l in sec["console"] if l.startswith("# ")]
    for l in hdr[:3]:
        out.append("- " + l[2:])
    cmd = sec.get("/proc/cmdline", [""])
    out.append("- /proc/cmdline: `%s`" % (cmd[0] if cmd else ""))
    res = {"name": name}
    complete = "END" in sec
    def grab(pat):
        return [l for l in dmesg if re.search(pat, l)]

    out += ["", "e820 (BIOS-provided map):", "", "```"]
    out += grab(r"^BIOS-e820:")
    out += grab(r"^e820: ") + grab(r"last_pfn|max_arch_pfn")
    out += ["```", "", "Zones / lowmem / highmem (dmesg):", "", "```"]
    keep = r"(HIGHMEM available|LOWMEM available|mapped low ram|low ram:|Zone ranges|^  (DMA|Normal|HighMem|DMA32)\s|Movable zone start|Early memory node|^  node\s|Initmem setup|On node 0, zone|Memory:|Built 1 zonelists|Kernel/User page tables|Warning.*memory|only .*MB.*used|RAMDISK|Reserving|crashkernel|vmalloc|highmem|initial memory mapped|percpu: Embedded|pcpu-alloc|Node 0: totalpages)"
    out += grab(keep)
    out += ["```"]
    lo = grab(r"LOWMEM available")
    hi = grab(r"HIGHMEM available")
    lomb = int(re.search(r"(\d+)MB", lo[0]).group(1)) if lo else None
    himb = int(re.search(r"(\d+)MB", hi[0]).group(1)) if hi else None
    res["lowmb"], res["highmb"] = lomb, himb
    if not complete:
        out += ["", "**This boot did not reach the end of the dump (see the note at the top of this file);",
                "only the boot-time dmesg above is available.**", ""]
        return out, res

    mi = {}
    for l in sec.get("/proc/meminfo", []):
        m = re.match(r"(\w+):\s+(\d+) kB", l)
        if m:
            mi[m.group(1)] = int(m.group(2))
    res["MemTotal"] = mi.get("MemTotal")
    res["VmallocTotal"] = mi.get("VmallocTotal")
    res["HighTotal"] = mi.get("HighTotal")
    res["LowTotal"] = mi.get("LowTotal")

    zones = parse_zoneinfo(sec.get("/proc/zoneinfo", []))
    normal = [z for z in zones if z["name"] == "Normal"]
    max_low_pfn = None
    if normal and normal[0].get("spanned"):
        max_low_pfn = normal[0]["start_pfn"] + normal[0]["spanned"]
    res["max_low_pfn"] = max_low_pfn
    high_memory = PAGE_OFFSET + max_low_pfn * 4096 if max_low_pfn else None

    va = []
    for l in sec.get("/proc/vmallocinfo", []):
        m = re.match(r"0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\d+)\s+(.*)", l)
        if m:
            va.append((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)), m.group(4)))
    vstart = high_memory + 8 * MiB if high_memory else None
    vend = vstart + res["VmallocTotal"] * 1024 if (vstart and res["VmallocTotal"]) else None
    res["vstart"], res["vend"] = vstart, vend
    pae = "pae" in name
    pmd = 2 * MiB if pae else 4 * MiB
    pkmap = vend + 2 * 4096 if vend else None
    res["pkmap"] = pkmap

    regs = "\n".join(sec.get("info registers", []))
    idt = re.search(r"IDT=\s+([0-9a-f]+)", regs)
    gdt = re.search(r"GDT=\s+([0-9a-f]+)", regs)
    tr = re.search(r"TR =\w+ ([0-9a-f]+)", regs)
    cr4 = re.search(r"CR4=([0-9a-f]+)", regs)
    cr3 = re.search(r"CR3=([0-9a-f]+)", regs)
    infomem = [l for l in sec.get("info mem", []) if re.match(r"^[0-9a-f]{16}-", l)]
    kmem = [l for l in infomem if int(l[:16], 16) >= PAGE_OFFSET]

    out += ["", "Totals:", "", "| quantity | value |", "| --- | --- |"]
    out.append("| LOWMEM available (dmesg) | %s MB |" % lomb)
    out.append("| HIGHMEM available (dmesg) | %s MB |" % himb)
    out.append("| max_low_pfn (Normal zone start_pfn + spanned) | %s |" % (hex(max_low_pfn) if max_low_pfn else "?"))
    for k in ("MemTotal", "MemFree", "LowTotal", "LowFree", "HighTotal", "HighFree", "VmallocTotal", "VmallocUsed", "Percpu", "PageTables", "KernelStack", "Slab"):
        if k in mi:
            out.append("| %s (meminfo) | %d kB |" % (k, mi[k]))
    if va:
        out.append("| vmallocinfo lowest start | 0x%08x (%s) |" % (va[0][0], va[0][3].split()[0]))
        hi_ = max(va, key=lambda x: x[1])
        out.append("| vmallocinfo highest end | 0x%08x (%s) |" % (hi_[1], hi_[3].split()[0]))
        out.append("| vmallocinfo areas | %d |" % len(va))
    out.append("| kernel _text (kallsyms, KASLR) | %s |" % next((l.split()[0] for l in sec.get("kallsyms-selected", []) if l.endswith(" _text")), "?"))
    if cr4:
        c = int(cr4.group(1), 16)
        out.append("| CR3 / CR4 (monitor) | 0x%s / 0x%s (PAE bit %d, PSE bit %d, PGE bit %d) |" % (cr3.group(1), cr4.group(1), (c >> 5) & 1, (c >> 4) & 1, (c >> 7) & 1))
    out.append("")

    out += ["Derived layout boundaries:", "", "| boundary | value | how |", "| --- | --- | --- |"]
    out.append("| high_memory | %s | PAGE_OFFSET 0xc0000000 + max_low_pfn*4K |" % hexs(high_memory))
    out.append("| VMALLOC_START | %s | high_memory + 8 MiB (matches the lowest vmallocinfo start when the first area is the early ACPI ioremap) |" % hexs(vstart))
    out.append("| VMALLOC_END | %s | VMALLOC_START + VmallocTotal |" % hexs(vend))
    out.append("| PKMAP_BASE | %s | VMALLOC_END + 2 pages |" % hexs(pkmap))
    out.append("| LDT_BASE_ADDR | %s | PKMAP_BASE + PMD_SIZE (%s MiB: the pkmap table fills one PMD) |" % (hexs(pkmap + pmd) if pkmap else "?", pmd // MiB))
    out.append("| CPU_ENTRY_AREA_BASE | %s | IDT base in the monitor's `info registers` (the read-only IDT page is the first page of the CPU entry area); cpu0 GDT at %s, TSS (TR base) at %s |" % (
        ("0x" + idt.group(1)) if idt else "?", ("0x" + gdt.group(1)) if gdt else "?", ("0x" + tr.group(1)) if tr else "?"))
    out.append("| fixmap pages mapped | %s | top kernel ranges of `info mem` (FIXADDR_TOP 0xfffff000 is FIX_HOLE, index i at 0xfffff000 - i*4K) |" % (
        "; ".join(l.split()[0].replace("00000000", "0x", 1).replace("-00000000", "-0x") for l in kmem if int(l[:16], 16) >= 0xff800000) or "?"))
    if pkmap and kmem:
        pk = [l for l in kmem if pkmap <= int(l[:16], 16) < pkmap + pmd]
        out.append("| pkmap pages mapped at dump time | %s | `info mem` ranges inside [PKMAP_BASE, +PMD) |" % ("; ".join(l.split()[0] for l in pk) or "none"))
    out.append("")

    out += ["Per zone (/proc/zoneinfo, pages):", "", "| zone | start_pfn | spanned | present | managed | free | min | low | high | protection |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for z in zones:
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | (%s) |" % tuple(
            [z["name"]] + [z.get(k, "") for k in ("start_pfn", "spanned", "present", "managed", "free", "min", "low", "high", "protection")]))
    out.append("")
    vm = {l.split(" = ")[0]: l.split(" = ")[1].strip() for l in sec.get("/proc/sys/vm", []) if " = " in l}
    out.append("vm sysctls: min_free_kbytes=%s, lowmem_reserve_ratio=%s, watermark_scale_factor=%s, watermark_boost_factor=%s" % (
        vm.get("min_free_kbytes"), vm.get("lowmem_reserve_ratio", "").replace("\t", " "), vm.get("watermark_scale_factor"), vm.get("watermark_boost_factor")))
    gdbv = [l for l in sec.get("live variables (nokaslr)", []) if "=" in l]
    if gdbv:
        out += ["", "Live kernel variables read with gdb through the QEMU gdbstub (nokaslr boot):", "", "```"] + gdbv + ["```"]
    out.append("")
    return out, res


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "tests/data/i386"
    def key(p):
        b = os.path.basename(p)
        m = re.search(r"-(\d+)([MG])", b)
        mb = int(m.group(1)) * (1024 if m.group(2) == "G" else 1) if m else 0
        return ("pae" in b, mb, b)
    logs = sorted(glob.glob(os.path.join(d, "*.log")), key=key)
    bodies, rows = [], []
    for p in logs:
        b, r = summarize(p)
        bodies += b
        rows.append(r)
    print("# i386 ground truth: Debian 12 linux-image-686 / 686-pae (6.1.0-50, 6.1.176-1) under qemu-system-i386 (TCG)")
    print()
    print("Generated by tests/qemu/summarize.py from the *.log files here (see tests/qemu/README.md).")
    print("All addresses are virtual unless said otherwise; pfn = physical page frame number (4 KiB).")
    print(NOTES)
    print("| boot | LOWMEM MB | HIGHMEM MB | max_low_pfn | MemTotal kB | HighTotal kB | VmallocTotal kB | VMALLOC_START | VMALLOC_END | PKMAP_BASE |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], r.get("lowmb"), r.get("highmb"), hex(r["max_low_pfn"]) if r.get("max_low_pfn") else "?",
            r.get("MemTotal"), r.get("HighTotal"), r.get("VmallocTotal"), hexs(r.get("vstart")), hexs(r.get("vend")), hexs(r.get("pkmap"))))
    print()
    print("\n".join(bodies))


if __name__ == "__main__":
    main()
