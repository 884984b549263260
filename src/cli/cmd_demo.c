// SPDX-License-Identifier: MIT
/*
 * mmtwin demo: the built-in tour.  It is an ordinary scenario script run
 * through the same runner as `mmtwin run`, and grows with every subsystem.
 */
#include "cli.h"

#include <string.h>

static const char demo_script[] =
	"echo \"##### Part I: the virtual address space #####\"\n"
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
	"machine --arch x86_64 --mem 4G\n"
	"kaslr\n"
	"machine --arch x86_64 --mem 4G --kaslr --seed 1\n"
	"kaslr\n"
	"machine --arch x86_64 --mem 4G --kaslr --seed 2\n"
	"kaslr\n"
	"echo\n"
	"echo \"##### Part II: physical memory #####\"\n"
	"echo \"== 10. Zones and the buddy allocator (/proc/buddyinfo: free blocks per order) ==\"\n"
	"machine --arch x86_32 --mem 2G\n"
	"show buddyinfo\n"
	"alloc_pages dma GFP_DMA 2\n"
	"alloc_pages k GFP_KERNEL 0\n"
	"alloc_pages u GFP_HIGHUSER_MOVABLE 0\n"
	"echo\n"
	"echo \"== 11. Order-0 frees go to per-CPU lists first; drain hands them back ==\"\n"
	"echo \"# a freed page waits on the CPU's list: the next allocation gets the same pfn\"\n"
	"alloc_pages p GFP_KERNEL 0\n"
	"free_pages p\n"
	"alloc_pages q GFP_KERNEL 0\n"
	"free_pages q\n"
	"drain\n"
	"echo\n"
	"echo \"== 12. Fragmentation: every other page held, order-0 blocks pile up ==\"\n"
	"fragment GFP_KERNEL 64\n"
	"show buddyinfo\n"
	"release\n"
	"echo\n"
	"echo \"== 13. Zone fallback: HighMem under its low watermark, Normal serves ==\"\n"
	"fill GFP_HIGHUSER_MOVABLE 10 300\n"
	"trace on\n"
	"alloc_pages more GFP_HIGHUSER_MOVABLE 10\n"
	"trace off\n"
	"show buddyinfo\n"
	"check\n"
	"echo\n"
	"echo \"##### Part III: page tables, the MMU, the TLB #####\"\n"
	"echo \"== 14. The direct map: 4K pages in the first MiB, 1G pages above ==\"\n"
	"machine --arch x86_64 --mem 4G\n"
	"walk 0xffff888000100000\n"
	"walk 0xffff888040000000\n"
	"echo\n"
	"echo \"== 15. The MMU: U/S protection, a TLB hit, #GP ==\"\n"
	"translate 0xffff888040000000 read user\n"
	"translate 0xffff888040000000 write kernel\n"
	"translate 0xffff888040000000 write kernel\n"
	"translate 0x0000800000000000 read kernel\n"
	"tlb\n"
	"echo\n"
	"echo \"##### Part IV: the kernel's allocators #####\"\n"
	"echo \"== 16. x86-32, 2 GiB: reaching highmem with kmap, kmap_local, vmalloc, vmap ==\"\n"
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
	"echo \"== 17. x86-64: kmalloc objects live in slab pages of the direct map; per-CPU copies sit one unit apart ==\"\n"
	"machine --arch x86_64 --mem 4G\n"
	"kmalloc a 100\n"
	"kmalloc b 100\n"
	"kmalloc big 20000\n"
	"alloc_percpu counter 8\n"
	"per_cpu_ptr counter 1\n"
	"show slabinfo\n"
	"echo\n"
	"echo \"##### Part V: a process's address space #####\"\n"
	"echo \"== 18. mmap places top-down from mmap_base; equal neighbours merge into one VMA ==\"\n"
	"process\n"
	"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
	"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
	"show maps\n"
	"echo\n"
	"echo \"== 19. mprotect of one page in the middle splits the VMA in three ==\"\n"
	"mprotect(0x7ffff7ffc000, 4096, PROT_READ)\n"
	"show maps\n"
	"echo\n"
	"echo \"== 20. 2 MiB multiples are THP-aligned; munmap punches a hole ==\"\n"
	"mmap(NULL, 4194304, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
	"munmap(0x7ffff7ffb000, 4096)\n"
	"show maps\n"
	"echo\n"
	"echo \"== 21. malloc (glibc 2.36): < 128 KB from brk, >= 128 KB from mmap, addresses go down ==\"\n"
	"echo \"   seed notes: 小块内存（< 128KB）使用 brk/sbrk 在堆区分配，地址通常递增，但 free 后会复用；\"\n"
	"echo \"               大块内存（≥ 128KB）使用 mmap 分配，地址通常递减\"\n"
	"process\n"
	"malloc --trace s1 1000\n"
	"malloc --trace s2 2000\n"
	"malloc --trace big1 200000\n"
	"malloc --trace big2 300000\n"
	"free --trace s1\n"
	"malloc --trace s3 1000\n"
	"echo \"   freeing an mmapped block raises the threshold to its size: the next 200000 comes from brk\"\n"
	"free --trace big1\n"
	"malloc --trace big3 200000\n"
	"show maps\n"
	"echo\n"
	"echo \"== 22. demand paging: the PTE is empty until the first access faults a frame in; fork shares it copy-on-write ==\"\n"
	"echo \"   seed notes: 时刻 T1 malloc 返回后 [Present=0]; T2 第一次访问 *ptr 时 Page Fault; T3 缺页中断处理后 [Present=1] [PFN] [User=1, RW=1]\"\n"
	"machine --arch x86_64 --mem 1G\n"
	"process\n"
	"mmap(0x8000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n"
	"walk 0x8000000 1\n"
	"write 0x8000000 42\n"
	"walk 0x8000000 1\n"
	"echo \"   a read of an untouched page maps the shared zero page, read-only: no frame, no Rss\"\n"
	"read 0x8001000\n"
	"fork\n"
	"echo \"   after fork both PTEs are read-only; the child's write copies the page, the parent then reuses its own\"\n"
	"task 2\n"
	"write 0x8000000 7\n"
	"task 1\n"
	"write 0x8000000 9\n"
	"echo \"   pagemap of pid 1, then pid 2: own frames for page 0, the one zero page for page 1\"\n"
	"show pagemap-text 1 0x8000000-0x8004000\n"
	"show pagemap-text 2 0x8000000-0x8004000\n"
	"show status 2\n"
	"check\n";

static void usage(FILE *out)
{
	fprintf(out, "usage: mmtwin demo [--format text]\n\n"
		"A tour of every concept the model implements, as a scenario "
		"script.\nThe tour is narrated text: it has no JSON form "
		"(--format json is\nrefused; each view it shows takes "
		"'mmtwin show VIEW --format json').\n\n" CLI_EXIT_CODES
		"\nThe script:\n\n%s", demo_script);
}

int cmd_demo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *fmt = NULL;

		if (cli_is_help(a)) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--format") && i + 1 >= argc) {
			fprintf(stderr, "mmtwin demo: option '--format' needs "
				"a value\n");
			return 2;
		}
		if (!strcmp(a, "--format"))
			fmt = argv[++i];
		else if (!strncmp(a, "--format=", 9))
			fmt = a + 9;
		if (fmt && !strcmp(fmt, "text"))
			continue;
		if (fmt && !strcmp(fmt, "json"))
			fprintf(stderr, "mmtwin demo: the demo has no JSON form "
				"(it is a narrated tour); use 'mmtwin show VIEW "
				"--format json'\n");
		else if (fmt)
			fprintf(stderr, "mmtwin demo: bad --format '%s': text\n",
				fmt);
		else
			fprintf(stderr, "mmtwin demo: unknown option '%s'\n", a);
		return 2;
	}
	return mmt_script_run_text(demo_script, "demo", stdout, stderr);
}
