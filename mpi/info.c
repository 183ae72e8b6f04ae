/* SPDX-License-Identifier: MIT */
/* Info objects: ordered (key, value) lists; no key changes what we do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/impl.h"

struct info_ent {
	char *key, *value;
};

struct snemu_mpi_info {
	int n;
	struct info_ent *ent;
};

static int key_ok(const char *key)
{
	size_t len = key ? strlen(key) : 0;

	return len && len <= MPI_MAX_INFO_KEY ? MPI_SUCCESS : MPI_ERR_INFO_KEY;
}

static int find(MPI_Info info, const char *key)
{
	for (int i = 0; i < info->n; i++)
		if (!strcmp(info->ent[i].key, key))
			return i;
	return -1;
}

int MPI_Info_create(MPI_Info *info)
{
	if (!info)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	*info = calloc(1, sizeof(**info));
	return *info ? MPI_SUCCESS : mpi_raise(NULL, MPI_ERR_NO_MEM, __func__);
}

int MPI_Info_set(MPI_Info info, const char *key, const char *value)
{
	int err = info ? key_ok(key) : MPI_ERR_INFO, i;
	struct info_ent *ent;
	char *v;

	if (!err && (!value || strlen(value) > MPI_MAX_INFO_VAL))
		err = MPI_ERR_INFO_VALUE;
	if (err)
		return mpi_raise(NULL, err, __func__);
	v = strdup(value);
	if (!v)
		return mpi_raise(NULL, MPI_ERR_NO_MEM, __func__);
	i = find(info, key);
	if (i >= 0) {
		free(info->ent[i].value);
		info->ent[i].value = v;
		return MPI_SUCCESS;
	}
	ent = realloc(info->ent, (info->n + 1) * sizeof(*ent));
	if (!ent || !(ent[info->n].key = strdup(key))) {
		if (ent)
			info->ent = ent;
		free(v);
		return mpi_raise(NULL, MPI_ERR_NO_MEM, __func__);
	}
	ent[info->n++].value = v;
	info->ent = ent;
	return MPI_SUCCESS;
}

int MPI_Info_get(MPI_Info info, const char *key, int valuelen, char *value,
		 int *flag)
{
	int err = info ? key_ok(key) : MPI_ERR_INFO, i;

	if (!err && (valuelen < 0 || !value || !flag))
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(NULL, err, __func__);
	i = find(info, key);
	*flag = i >= 0;
	if (i >= 0)
		snprintf(value, (size_t)valuelen + 1, "%s", info->ent[i].value);
	return MPI_SUCCESS;
}

int MPI_Info_get_valuelen(MPI_Info info, const char *key, int *valuelen,
			  int *flag)
{
	int err = info ? key_ok(key) : MPI_ERR_INFO, i;

	if (!err && (!valuelen || !flag))
		err = MPI_ERR_ARG;
	if (err)
		return mpi_raise(NULL, err, __func__);
	i = find(info, key);
	*flag = i >= 0;
	if (i >= 0)
		*valuelen = (int)strlen(info->ent[i].value);
	return MPI_SUCCESS;
}

int MPI_Info_get_nkeys(MPI_Info info, int *nkeys)
{
	if (!info || !nkeys)
		return mpi_raise(NULL, MPI_ERR_INFO, __func__);
	*nkeys = info->n;
	return MPI_SUCCESS;
}

int MPI_Info_get_nthkey(MPI_Info info, int n, char *key)
{
	if (!info || !key)
		return mpi_raise(NULL, MPI_ERR_INFO, __func__);
	if (n < 0 || n >= info->n)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	snprintf(key, MPI_MAX_INFO_KEY + 1, "%s", info->ent[n].key);
	return MPI_SUCCESS;
}

int MPI_Info_delete(MPI_Info info, const char *key)
{
	int err = info ? key_ok(key) : MPI_ERR_INFO, i;

	if (err)
		return mpi_raise(NULL, err, __func__);
	i = find(info, key);
	if (i < 0)
		return mpi_raise(NULL, MPI_ERR_INFO_NOKEY, __func__);
	free(info->ent[i].key);
	free(info->ent[i].value);
	memmove(&info->ent[i], &info->ent[i + 1],
		(info->n - i - 1) * sizeof(*info->ent));
	info->n--;
	return MPI_SUCCESS;
}

int MPI_Info_dup(MPI_Info info, MPI_Info *newinfo)
{
	int err;

	if (!info || !newinfo)
		return mpi_raise(NULL, MPI_ERR_INFO, __func__);
	err = MPI_Info_create(newinfo);
	for (int i = 0; !err && i < info->n; i++)
		err = MPI_Info_set(*newinfo, info->ent[i].key,
				   info->ent[i].value);
	return err;
}

int MPI_Info_free(MPI_Info *info)
{
	if (!info || !*info)
		return mpi_raise(NULL, MPI_ERR_INFO, __func__);
	for (int i = 0; i < (*info)->n; i++) {
		free((*info)->ent[i].key);
		free((*info)->ent[i].value);
	}
	free((*info)->ent);
	free(*info);
	*info = MPI_INFO_NULL;
	return MPI_SUCCESS;
}
