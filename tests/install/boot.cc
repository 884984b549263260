// SPDX-License-Identifier: MIT
/*
 * A C++ program built against an installed mmtwin (tests/install/run.sh):
 * the headers compile as C++ and link with C linkage.  Boot x86_64 and
 * 5-level x86_64 machines, check PAGE_OFFSET and the meminfo view, print
 * them.  Exit 0 if right.
 */
#include <mmtwin/mmtwin.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

struct machine_free {
	void operator()(mmt_machine *m) const { mmt_machine_free(m); }
};
using machine_ptr = std::unique_ptr<mmt_machine, machine_free>;

machine_ptr boot(mmt_arch arch, std::string &err)
{
	mmt_config c;
	char buf[512] = "";

	mmt_config_init(&c, arch);
	machine_ptr m(mmt_machine_new(&c, buf, sizeof(buf)));
	err = buf;
	return m;
}

/* A view's text, or "" with @err set. */
std::string view(mmt_machine *m, mmt_view_fn fn, std::string &err)
{
	char *text = nullptr, buf[512] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	mmt_view_ctx ctx = { m, nullptr, f, MMT_FMT_TEXT, buf, sizeof(buf),
			     nullptr };
	int r = f ? fn(&ctx) : -1;

	if (f)
		std::fclose(f);
	std::string s = r ? std::string() : std::string(text, len);
	std::free(text);
	err = buf;
	return s;
}

}

int main()
{
	const struct { mmt_arch arch; uint64_t page_offset; } cases[] = {
		{ MMT_ARCH_X86_64, 0xffff888000000000ull },
		{ MMT_ARCH_X86_64_LA57, 0xff11000000000000ull },
	};
	int bad = 0;

	for (const auto &k : cases) {
		std::string err;
		machine_ptr m = boot(k.arch, err);

		if (!m) {
			std::fprintf(stderr, "boot: %s\n", err.c_str());
			return 1;
		}
		std::string mi = view(m.get(), mmt_view_meminfo, err);
		std::string first = mi.substr(0, mi.find('\n'));
		std::printf("mmtwin %s, C++: %s: PAGE_OFFSET %#" PRIx64
			    ", %s\n", MMTWIN_VERSION, mmt_arch_name(k.arch),
			    m->layout.page_offset, first.c_str());
		if (m->layout.page_offset != k.page_offset ||
		    first.compare(0, 9, "MemTotal:") != 0) {
			std::fprintf(stderr, "boot: %s: unexpected layout or "
				     "meminfo %s\n", mmt_arch_name(k.arch),
				     err.c_str());
			bad = 1;
		}
	}
	return bad;
}
