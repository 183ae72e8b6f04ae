/* SPDX-License-Identifier: MIT */
/*
 * A reference for the fabric model: rules 1-6 of docs/MODEL.md written
 * again from the text, on the public interface of topology/topo.h only,
 * plain and slow. tests/topology/test_fabric_ref.c measures
 * topology/topo_fabric.c against it.
 */
#ifndef SNEMU_REF_FABRIC_H
#define SNEMU_REF_FABRIC_H

#include <stddef.h>
#include <stdint.h>

#include "topology/topo.h"

/*
 * Run n messages, sorted by inject_ns, on an idle fabric of t; arrival[i]
 * gets the time the tail of message i's last segment reached its dst (no
 * pair ordering, rule 7). Returns 0, or -EINVAL for unsorted messages, a
 * bad pair (src == dst included) or a fabric whose switch choices overlap
 * (the reference keeps one rotation pointer per set of candidates).
 * Aborts when out of memory.
 */
int ref_fabric_run(const struct topo *t, const struct topo_msg *msgs, size_t n,
		   uint64_t *arrival);

#endif
