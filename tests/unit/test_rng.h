/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The property tests' random numbers: splitmix64, small, fast, and the
 * same sequence everywhere for a seed, so that a failure names its seed
 * and reproduces.  Static inline in a header, like event_builder.h.
 */
#ifndef PW_TEST_RNG_H
#define PW_TEST_RNG_H

#include <stdint.h>

struct gen {
	uint64_t state;
};

static inline uint64_t
rnd(struct gen *g)
{
	uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
