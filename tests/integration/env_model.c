/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See env_model.h. */
#include <stdlib.h>
#include <string.h>

#include "procwatch/model.h"
#include "procwatch/replay.h"
#include "env_model.h"

static char *
hex_of(const char **v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 1, i, k = 0;
	const unsigned char *p;
	char *out;

	for (i = 0; i < n; i++)
		len += 2 * strlen(v[i]) + 2;
	out = malloc(len);
	for (i = 0; out && i < n; i++) {
		for (p = (const unsigned char *)v[i]; *p; p++) {
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		}
		out[k++] = '0';
		out[k++] = '0';
	}
	if (out)
		out[k] = '\0';
	return out;
}

char *
env_model_hex(json_t *const *events, size_t nevents, pid_t pid, unsigned k)
{
	struct pw_model_opts mo = { .env = true };
	const struct pw_image *im = NULL;
	const struct pw_proc *p;
	struct pw_model m;
	struct pw_event ev;
	char why[256], *hex = NULL;
	const char **v;
	size_t i, n;

	pw_model_init(&m, &mo);
	for (i = 0; i < nevents; i++) {
		if (pw_replay_decode(events[i], &ev, why, sizeof(why)) != 0)
			continue;
		pw_model_event(&m, &ev, NULL);
		if (ev.kind == PW_EV_START)
			pw_replay_start_clear(&ev.u.start);
		else
			pw_event_clear(&ev);
	}
	p = pw_model_get(&m, pid);
	for (im = p ? p->images : NULL; im && k; im = im->next)
		k--;
	if (im && pw_model_env(im->env, &v, &n) == 0) {
		hex = hex_of(v, n);
		free(v);
	}
	pw_model_destroy(&m);
	return hex;
}
