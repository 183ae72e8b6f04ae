/* SPDX-License-Identifier: MIT */
/*
 * Loading a collective library (snemu_coll.h) with dlopen().
 *
 * A plugin calls the endpoint API, which it finds in the snemu executable
 * (linked with -export-dynamic). The executable links libsnemu statically,
 * and a static link keeps only what something references, so the table
 * below references every public call: all of snemu.h is there for any
 * plugin, whichever calls the tool itself happens to use.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "tools/coll/coll.h"

__attribute__((used)) static void (*const plugin_api[])(void) = {
	(void (*)(void))snemu_init,	   (void (*)(void))snemu_finalize,
	(void (*)(void))snemu_rank,	   (void (*)(void))snemu_size,
	(void (*)(void))snemu_node_of,	   (void (*)(void))snemu_now,
	(void (*)(void))snemu_compute,	   (void (*)(void))snemu_send,
	(void (*)(void))snemu_recv,	   (void (*)(void))snemu_isend,
	(void (*)(void))snemu_irecv,	   (void (*)(void))snemu_wait,
	(void (*)(void))snemu_test,	   (void (*)(void))snemu_waitall,
	(void (*)(void))snemu_barrier,	   (void (*)(void))snemu_win_allocate,
	(void (*)(void))snemu_win_free,	   (void (*)(void))snemu_put,
	(void (*)(void))snemu_get,	   (void (*)(void))snemu_flush,
	(void (*)(void))snemu_atomic_fadd, (void (*)(void))snemu_atomic_cas,
	(void (*)(void))snemu_mem_alloc,   (void (*)(void))snemu_mem_free,
	(void (*)(void))snemu_strerror,
};

int coll_plugin_open(const char *path, void **handle,
		     const struct snemu_coll_plugin **out, char *err,
		     size_t errlen)
{
	const struct snemu_coll_plugin *(*get)(void);
	const struct snemu_coll_plugin *p;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(err, errlen, "%s", dlerror());
		return -ENOENT;
	}
	*(void **)&get = dlsym(h, SNEMU_COLL_PLUGIN_SYMBOL);
	if (!get) {
		snprintf(err, errlen, "%s: no symbol %s", path,
			 SNEMU_COLL_PLUGIN_SYMBOL);
		goto fail;
	}
	p = get();
	if (!p) {
		snprintf(err, errlen, "%s: %s() returned NULL", path,
			 SNEMU_COLL_PLUGIN_SYMBOL);
		goto fail;
	}
	if (p->abi_version != SNEMU_COLL_ABI_VERSION) {
		snprintf(err, errlen,
			 "%s: ABI version %u, snemu coll speaks %u", path,
			 p->abi_version, SNEMU_COLL_ABI_VERSION);
		goto fail;
	}
	*handle = h;
	*out = p;
	return 0;
fail:
	dlclose(h);
	return -EINVAL;
}

void coll_plugin_close(void *handle)
{
	if (handle)
		dlclose(handle);
}
