/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/render.h - output helpers shared by every view.
 *
 * A view prints either text (the kernel's own format where one exists) or
 * JSON through the small streaming writer below, so all JSON output has
 * the same shape rules: objects, arrays, strings, integers, and 64-bit
 * addresses as "0x..." strings (JSON numbers lose precision past 2^53).
 */
#ifndef MMTWIN_RENDER_H
#define MMTWIN_RENDER_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum mmt_format { MMT_FMT_TEXT, MMT_FMT_JSON };

struct mmt_json {
	FILE *f;
	unsigned depth;
	bool need_comma[32];
	bool after_key;
};

void mmt_json_init(struct mmt_json *j, FILE *f);
void mmt_json_begin_obj(struct mmt_json *j, const char *key);
void mmt_json_end_obj(struct mmt_json *j);
void mmt_json_begin_arr(struct mmt_json *j, const char *key);
void mmt_json_end_arr(struct mmt_json *j);
void mmt_json_str(struct mmt_json *j, const char *key, const char *val);
void mmt_json_u64(struct mmt_json *j, const char *key, uint64_t val);
void mmt_json_i64(struct mmt_json *j, const char *key, int64_t val);
void mmt_json_hex(struct mmt_json *j, const char *key, uint64_t val);
void mmt_json_bool(struct mmt_json *j, const char *key, bool val);
/* Ends the document with a newline. */
void mmt_json_finish(struct mmt_json *j);

/*
 * "4 KiB", "875.99 MiB", "64 TiB": binary units, two decimals truncated.
 * For the model's own tables; /proc views keep the kernel's "kB".
 */
void mmt_fmt_size(uint64_t bytes, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
