/* SPDX-License-Identifier: MIT */
/*
 * Datatypes. Every type is its layout: the contiguous pieces (offset,
 * length) of one element, in type order, neighbours merged; an element of
 * a count sits extent bytes after the one before. Messages carry the
 * packed bytes (size per element); a dense type (one piece, no gaps) is
 * sent from and received into the user's buffer directly.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mpi/impl.h"

#define BASIC(id, ctype)                                                       \
	static struct mpi_seg seg_##id = {0, sizeof(ctype)};                   \
	struct snemu_mpi_type snemu_mpi_##id = {                               \
		.size = sizeof(ctype),                                         \
		.extent = sizeof(ctype),                                       \
		.true_extent = sizeof(ctype),                                  \
		.kind = MPI_KIND_##id,                                         \
		.nbasic = 1,                                                   \
		.nseg = 1,                                                     \
		.seg = &seg_##id,                                              \
		.predefined = true,                                            \
		.committed = true,                                             \
	}

BASIC(char, char);
BASIC(signed_char, signed char);
BASIC(unsigned_char, unsigned char);
BASIC(byte, unsigned char);
BASIC(wchar, wchar_t);
BASIC(short, short);
BASIC(unsigned_short, unsigned short);
BASIC(int, int);
BASIC(unsigned, unsigned);
BASIC(long, long);
BASIC(unsigned_long, unsigned long);
BASIC(long_long, long long);
BASIC(unsigned_long_long, unsigned long long);
BASIC(float, float);
BASIC(double, double);
BASIC(long_double, long double);
BASIC(int8_t, int8_t);
BASIC(int16_t, int16_t);
BASIC(int32_t, int32_t);
BASIC(int64_t, int64_t);
BASIC(uint8_t, uint8_t);
BASIC(uint16_t, uint16_t);
BASIC(uint32_t, uint32_t);
BASIC(uint64_t, uint64_t);
BASIC(c_bool, _Bool);
BASIC(aint, MPI_Aint);
BASIC(offset, MPI_Offset);
BASIC(count, MPI_Count);
BASIC(packed, unsigned char);

/*
 * A (value, index) pair: the value's bytes, then the int's; one piece
 * when the int follows the value without a gap.
 */
#define PAIR_V(st)   sizeof(((struct st *)0)->v)
#define PAIR_GAP(st) (offsetof(struct st, i) != PAIR_V(st))
#define PAIR(id, st)                                                           \
	static struct mpi_seg seg_##id[2] = {                                  \
		{0, PAIR_GAP(st) ? PAIR_V(st) : PAIR_V(st) + sizeof(int)},     \
		{offsetof(struct st, i), sizeof(int)},                         \
	};                                                                     \
	struct snemu_mpi_type snemu_mpi_##id = {                               \
		.size = PAIR_V(st) + sizeof(int),                              \
		.extent = sizeof(struct st),                                   \
		.true_extent = offsetof(struct st, i) + sizeof(int),           \
		.kind = MPI_KIND_##id,                                         \
		.nbasic = 2,                                                   \
		.nseg = PAIR_GAP(st) ? 2 : 1,                                  \
		.seg = seg_##id,                                               \
		.predefined = true,                                            \
		.committed = true,                                             \
	}

PAIR(float_int, mpi_float_int);
PAIR(double_int, mpi_double_int);
PAIR(long_int, mpi_long_int);
PAIR(2int, mpi_2int);
PAIR(short_int, mpi_short_int);
PAIR(long_double_int, mpi_long_double_int);

int mpi_check_type(MPI_Datatype type)
{
	return type && type->committed ? MPI_SUCCESS : MPI_ERR_TYPE;
}

void mpi_pack(const void *buf, int count, MPI_Datatype type, void *out)
{
	const char *in = buf;
	char *o = out;

	for (int i = 0; i < count; i++, in += type->extent)
		for (int s = 0; s < type->nseg; s++) {
			memcpy(o, in + type->seg[s].off, type->seg[s].len);
			o += type->seg[s].len;
		}
}

void mpi_unpack(const void *packed, size_t len, void *buf, int count,
		MPI_Datatype type)
{
	const char *p = packed;
	char *out = buf;

	for (int i = 0; i < count; i++, out += type->extent)
		for (int s = 0; s < type->nseg; s++) {
			size_t n = MIN(len, type->seg[s].len);

			memcpy(out + type->seg[s].off, p, n);
			p += n;
			len -= n;
			if (!len)
				return;
		}
}

void *mpi_bytes(const void *buf, int count, MPI_Datatype type, bool pack,
		void **tmp)
{
	*tmp = NULL;
	if (mpi_type_dense(type))
		return (void *)buf;
	*tmp = malloc(type->size * count + 1);
	if (*tmp && pack)
		mpi_pack(buf, count, type, *tmp);
	return *tmp;
}

/* ---- building layouts ---- */

struct layout {
	struct mpi_seg *seg;
	int n, cap;
};

/* Append len bytes at off, merged into the last piece when adjacent. */
static int lay_add(struct layout *l, MPI_Aint off, size_t len)
{
	struct mpi_seg *last = l->n ? &l->seg[l->n - 1] : NULL;

	if (!len)
		return MPI_SUCCESS;
	if (last && last->off + (MPI_Aint)last->len == off) {
		last->len += len;
		return MPI_SUCCESS;
	}
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 4;
		struct mpi_seg *s = realloc(l->seg, cap * sizeof(*s));

		if (!s)
			return MPI_ERR_NO_MEM;
		l->seg = s;
		l->cap = cap;
	}
	l->seg[l->n++] = (struct mpi_seg){off, len};
	return MPI_SUCCESS;
}

/* Append count elements of t from displacement disp. */
static int lay_type(struct layout *l, MPI_Datatype t, int count, MPI_Aint disp)
{
	int err = MPI_SUCCESS;

	for (int i = 0; !err && i < count; i++)
		for (int s = 0; !err && s < t->nseg; s++)
			err = lay_add(l, disp + i * t->extent + t->seg[s].off,
				      t->seg[s].len);
	return err;
}

/*
 * A new type of layout l (taken over) with bounds [lb, lb + extent) and
 * true bounds [true_lb, true_ub); size, kind and basic elements given.
 */
static int type_new(struct layout *l, MPI_Aint lb, MPI_Aint extent,
		    MPI_Aint true_lb, MPI_Aint true_ub, size_t size, int kind,
		    size_t nbasic, MPI_Datatype *out)
{
	MPI_Datatype t = calloc(1, sizeof(*t));

	if (!t) {
		free(l->seg);
		return MPI_ERR_NO_MEM;
	}
	*t = (struct snemu_mpi_type){
		.size = size,
		.lb = lb,
		.extent = extent,
		.true_lb = true_lb,
		.true_extent = true_ub - true_lb,
		.kind = kind,
		.nbasic = nbasic,
		.nseg = l->n,
		.seg = l->seg,
	};
	*out = t;
	return MPI_SUCCESS;
}

int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct layout l = {0};
	MPI_Aint ext;
	int err = oldtype ? MPI_SUCCESS : MPI_ERR_TYPE;

	if (!err && (count < 0 || !newtype))
		err = count < 0 ? MPI_ERR_COUNT : MPI_ERR_ARG;
	if (!err)
		err = lay_type(&l, oldtype, count, 0);
	if (err) {
		free(l.seg);
		return mpi_raise(NULL, err, __func__);
	}
	ext = count * oldtype->extent;
	err = type_new(&l, count ? oldtype->lb : 0, ext,
		       count ? oldtype->true_lb : 0,
		       count ? ext - oldtype->extent + oldtype->true_lb +
				       oldtype->true_extent
			     : 0,
		       count * oldtype->size, oldtype->kind,
		       count * oldtype->nbasic, newtype);
	return mpi_raise(NULL, err, __func__);
}

int MPI_Type_dup(MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct layout l = {0};
	int err = oldtype ? MPI_SUCCESS : MPI_ERR_TYPE;

	if (!err && !newtype)
		err = MPI_ERR_ARG;
	if (!err)
		err = lay_type(&l, oldtype, 1, 0);
	if (!err)
		err = type_new(
			&l, oldtype->lb, oldtype->extent, oldtype->true_lb,
			oldtype->true_lb + oldtype->true_extent, oldtype->size,
			oldtype->kind, oldtype->nbasic, newtype);
	else
		free(l.seg);
	if (!err)
		(*newtype)->committed = oldtype->committed;
	return mpi_raise(NULL, err, __func__);
}

int MPI_Type_commit(MPI_Datatype *datatype)
{
	if (!datatype || !*datatype)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	(*datatype)->committed = true;
	return MPI_SUCCESS;
}

int MPI_Type_free(MPI_Datatype *datatype)
{
	if (!datatype || !*datatype || (*datatype)->predefined)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	free((*datatype)->seg);
	free(*datatype);
	*datatype = MPI_DATATYPE_NULL;
	return MPI_SUCCESS;
}

int MPI_Type_size(MPI_Datatype datatype, int *size)
{
	if (!datatype || !size)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	*size = (int)datatype->size;
	return MPI_SUCCESS;
}

int MPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent)
{
	if (!datatype || !lb || !extent)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	*lb = datatype->lb;
	*extent = datatype->extent;
	return MPI_SUCCESS;
}

int MPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb,
			     MPI_Aint *true_extent)
{
	if (!datatype || !true_lb || !true_extent)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	*true_lb = datatype->true_lb;
	*true_extent = datatype->true_extent;
	return MPI_SUCCESS;
}

int MPI_Get_address(const void *location, MPI_Aint *address)
{
	if (!address)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	*address = (MPI_Aint)location;
	return MPI_SUCCESS;
}

MPI_Aint MPI_Aint_add(MPI_Aint base, MPI_Aint disp)
{
	return base + disp;
}

MPI_Aint MPI_Aint_diff(MPI_Aint addr1, MPI_Aint addr2)
{
	return addr1 - addr2;
}

int MPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count)
{
	MPI_Count bytes;

	if (!status || !count || !datatype)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	bytes = status->snemu_bytes;
	if (!datatype->size)
		*count = bytes ? MPI_UNDEFINED : 0;
	else
		*count = bytes % datatype->size ? MPI_UNDEFINED
						: (int)(bytes / datatype->size);
	return MPI_SUCCESS;
}

/* Whole basic elements received: partial elements count what they hold. */
int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype,
		     int *count)
{
	MPI_Count bytes, basic;

	if (!status || !count || !datatype)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	bytes = status->snemu_bytes;
	if (!datatype->size) {
		*count = 0;
		return MPI_SUCCESS;
	}
	/* one kind of basic element (not a pair): its size */
	basic = datatype->kind != MPI_KIND_MIXED &&
				datatype->kind < MPI_KIND_float_int &&
				datatype->nbasic
			? (MPI_Count)(datatype->size / datatype->nbasic)
			: 0;
	if (basic && bytes % basic == 0)
		*count = (int)(bytes / basic);
	else if (bytes % datatype->size == 0)
		*count = (int)(bytes / datatype->size * datatype->nbasic);
	else
		*count = MPI_UNDEFINED;
	return MPI_SUCCESS;
}
