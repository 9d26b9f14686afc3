/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/model/: what model.c, records.c and warnings.c share.
 */
#ifndef PW_MODEL_INTERNAL_H
#define PW_MODEL_INTERNAL_H

#include "procwatch/model.h"
#include "procwatch/warnings.h"

/* records.c: the records themselves. */
void model_adoptions_free(struct pw_model *m);
struct pw_proc *model_proc_of(struct pw_model *m, const struct pw_event *ev);
int model_apply(struct pw_model *m, struct pw_proc *p, const struct pw_event *ev,
		bool script, const struct pw_env_node *env);
struct pw_mark *model_mark_add(struct pw_model *m, struct pw_proc *p,
			       const struct pw_event *ev);
void model_proc_free(struct pw_proc *p);
const char *model_prev_cwd(const struct pw_proc *p);

/*
 * filter.c: a new record's place in the window (after it is linked under
 * its creator); an event's --match, after the records took it in.
 */
void model_filter_new_proc(const struct pw_model *m, struct pw_proc *p);
void model_filter_event(struct pw_model *m, const struct pw_event *ev,
			struct pw_model_notes *notes);
void model_filter_free(struct pw_model *m);

/*
 * env.c: --env.  The node of exec-like ev's environment (NULL: none, or
 * not kept), before the records take ev in; then every event, with it.
 */
const struct pw_env_node *model_env_node(struct pw_model *m, const struct pw_event *ev);
void model_env_track(struct pw_model *m, const struct pw_event *ev,
		     const struct pw_env_node *node);

/*
 * warnings.c: checks one event, after the records took it in, and calls
 * fn for each warning it gives rise to.
 */
void model_caller_fds(struct pw_model *m, const struct pw_event *ev, char *list,
		      size_t size);
void model_warnings_check(struct pw_model *m, const struct pw_event *ev,
			  uint64_t zombie_threshold_us, pw_warning_fn fn, void *data);

#endif
