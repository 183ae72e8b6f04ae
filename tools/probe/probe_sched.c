/* SPDX-License-Identifier: MIT */
/* snemu probe: the round-robin tournament that schedules matrix pairs. */
#include "tools/probe/probe.h"

int probe_rr_partner(int p, int r, int i)
{
	/*
	 * Circle method: player p - 1 stays put, the others turn; in round r
	 * players i and j meet when i + j == r (mod p - 1), and the one with
	 * 2i == r meets player p - 1. p - 1 is odd, so 2 is invertible and
	 * p / 2 is its inverse.
	 */
	int m = p - 1;

	if (i == m)
		return (int)((long)r * (p / 2) % m);
	if ((2L * i) % m == r % m)
		return m;
	return ((r - i) % m + m) % m;
}
