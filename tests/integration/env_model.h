/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For test_env.c: a traced run's events (parsed by the harness) read back
 * the way `procwatch show` reads them, into the process model with
 * environments kept, in a file of its own because the model and the
 * harness both name a struct pw_proc.
 */
#ifndef PW_ENV_MODEL_H
#define PW_ENV_MODEL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

/*
 * The environment the model rebuilds for image k (from 0: the process's
 * first exec) of process pid, in the helper's hex form (each entry in hex,
 * then "00"); malloc'ed, or NULL when there is no such image or it does
 * not rebuild.
 */
char *env_model_hex(json_t *const *events, size_t nevents, pid_t pid, unsigned k);

#endif
