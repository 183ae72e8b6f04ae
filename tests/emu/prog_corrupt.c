/* SPDX-License-Identifier: MIT */
/*
 * prog_corrupt RANK: the stand-in for a program with a stray write into
 * the shared segment. After a barrier, RANK overwrites the fabric
 * header's layout (nranks, the control blocks' offset) the way the
 * hardening issue's reproductions did, then finalizes; the others finish
 * normally. Unlike the other test programs it reaches inside the library
 * to find the header, which a real bug would hit by accident.
 */
#include <limits.h>

#include "emu/ep.h"
#include "prog.h"

int main(int argc, char **argv)
{
	prog_init(&argc, &argv);
	if (argc < 2)
		DIE("usage: prog_corrupt RANK");
	CHECK(snemu_barrier());
	if (snemu_rank() == atoi(argv[1])) {
		emu_ep->eng.hdr->nranks = INT_MAX;
		emu_ep->eng.hdr->ctl_off = (uint64_t)1 << 60;
	}
	CHECK(snemu_barrier());
	CHECK(snemu_finalize());
	return 0;
}
