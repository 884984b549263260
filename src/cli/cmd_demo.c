// SPDX-License-Identifier: MIT
/*
 * mmtwin demo: the built-in tour.  It is an ordinary scenario script run
 * through the same runner as `mmtwin run`, and grows with every subsystem.
 */
#include "cli.h"

static const char demo_script[] =
	"echo \"== 1. x86-32, 3G/1G split, 2 GiB RAM: where the 896 MB comes from ==\"\n"
	"machine --arch x86_32 --mem 2G\n"
	"show layout\n"
	"echo\n"
	"echo \"== 2. A lowmem address: the direct map is a constant offset ==\"\n"
	"explain 0xc1000000\n"
	"echo\n"
	"echo \"== 3. A highmem page has no permanent kernel address ==\"\n"
	"explain phys 0x60000000\n"
	"echo\n"
	"echo \"== 4. The same machine with PAE: 3-level paging (2/9/9/12) ==\"\n"
	"machine --arch x86_32-pae --mem 2G\n"
	"explain 0xc1000000\n"
	"echo\n"
	"echo \"== 5. x86-64, 4-level paging, 48-bit addresses ==\"\n"
	"machine --arch x86_64 --mem 4G\n"
	"show layout\n"
	"echo\n"
	"echo \"== 6. The canonical hole: #GP, not #PF ==\"\n"
	"explain 0x0000800000000000\n"
	"echo\n"
	"echo \"== 7. User code touching the kernel: #PF with the U/S bit ==\"\n"
	"explain 0xffff888000100000\n"
	"echo\n"
	"echo \"== 8. 5-level paging (LA57): 57-bit addresses, 9/9/9/9/9/12 ==\"\n"
	"machine --arch x86_64-la57 --mem 4G\n"
	"explain 0xff11000000200000\n"
	"echo\n"
	"echo \"== 9. KASLR shuffles direct map, vmalloc and vmemmap (seeded) ==\"\n"
	"machine --arch x86_64 --mem 4G --kaslr --seed 42\n"
	"explain 0xffffffffff600000\n"
	"echo\n"
	"echo \"== K1. x86-32, 2 GiB: reaching a highmem page from the kernel ==\"\n"
	"machine --arch x86_32 --mem 2G\n"
	"alloc_page hp GFP_HIGHUSER\n"
	"kmap k hp\n"
	"kmap_local l hp\n"
	"alloc_page h2 GFP_HIGHUSER\n"
	"alloc_page h3 GFP_HIGHUSER\n"
	"vmalloc buf 12288 demo_probe+0x2c/0x90\n"
	"vmap v hp h2 h3\n"
	"show pkmap\n"
	"show vmallocinfo\n"
	"kunmap_local l\n"
	"kunmap k\n"
	"echo\n"
	"echo \"== K2. x86-64: kmalloc objects live in slab pages of the direct map ==\"\n"
	"machine --arch x86_64 --mem 4G\n"
	"kmalloc a 100\n"
	"kmalloc b 100\n"
	"kmalloc big 20000\n"
	"alloc_percpu counter 8\n"
	"per_cpu_ptr counter 1\n"
	"show slabinfo\n";

int cmd_demo(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printf("usage: mmtwin demo\n\nA tour of every concept the model "
		       "implements, as a scenario script:\n\n%s", demo_script);
		return 0;
	}
	return mmt_script_run_text(demo_script, "demo", stdout, stderr);
}
