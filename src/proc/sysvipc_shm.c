// SPDX-License-Identifier: MIT
/*
 * `show sysvipc_shm`: /proc/sysvipc/shm of the machine's IPC namespace
 * (ipc/shm.c sysvipc_shm_proc_show; the header and widths of a 64-bit or
 * a 32-bit kernel), and the same rows as JSON.
 */
#include <mmtwin/machine.h>
#include <mmtwin/render.h>
#include <mmtwin/shm.h>
#include <mmtwin/views.h>

int mmt_view_sysvipc_shm(const struct mmt_view_ctx *c)
{
	struct mmt_shm_ns_info ni;
	struct mmt_json j;

	if (c->fmt != MMT_FMT_JSON) {
		mmt_sysvipc_shm_print(c->m, c->out);
		return 0;
	}
	mmt_shm_ns_info(c->m, &ni);
	mmt_json_init(&j, c->out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_u64(&j, "used_ids", ni.used_ids);
	mmt_json_u64(&j, "shm_tot", ni.shm_tot);
	mmt_json_begin_arr(&j, "segments");
	for (int i = 0; i <= ni.max_idx; i++) {
		struct mmt_shm_info s;

		if (mmt_shm_info_at(c->m, i, &s))
			continue;
		mmt_json_begin_obj(&j, NULL);
		mmt_json_i64(&j, "key", s.key);
		mmt_json_i64(&j, "shmid", s.id);
		mmt_json_u64(&j, "perms", s.mode);
		mmt_json_u64(&j, "size", s.segsz);
		mmt_json_i64(&j, "cpid", s.cpid);
		mmt_json_i64(&j, "lpid", s.lpid);
		mmt_json_u64(&j, "nattch", s.nattch);
		mmt_json_u64(&j, "rss", s.rss);
		mmt_json_u64(&j, "swap", s.swap);
		mmt_json_hex(&j, "kaddr", s.kaddr);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}
