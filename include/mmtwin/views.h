/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/views.h - the table of things `mmtwin show VIEW` can print.
 *
 * A view is a printer over a machine: text in the kernel's own format where
 * one exists (/proc files), or a readable table; JSON on request.  Every
 * subsystem adds its views to the table in src/proc/views.c.
 */
#ifndef MMTWIN_VIEWS_H
#define MMTWIN_VIEWS_H

#ifdef __cplusplus
extern "C" {
#endif

#include "machine.h"
#include "render.h"

typedef int (*mmt_view_fn)(struct mmt_machine *m, FILE *out,
			   enum mmt_format fmt, char *err, size_t errlen);

struct mmt_view {
	const char *name;
	const char *summary;
	mmt_view_fn fn;
};

extern const struct mmt_view mmt_views[];	/* NULL-name terminated */
const struct mmt_view *mmt_view_find(const char *name);

/* Individual views (also callable directly). */
int mmt_view_layout(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		    char *err, size_t errlen);
int mmt_view_e820(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		  char *err, size_t errlen);
int mmt_view_fixmap(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		    char *err, size_t errlen);

/* Physical memory views (src/proc/{buddyinfo,...}.c), kernel formats. */
int mmt_view_buddyinfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		       char *err, size_t errlen);
int mmt_view_pagetypeinfo(struct mmt_machine *m, FILE *out,
			  enum mmt_format fmt, char *err, size_t errlen);
int mmt_view_zoneinfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		      char *err, size_t errlen);
int mmt_view_meminfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		     char *err, size_t errlen);
int mmt_view_iomem(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		   char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
