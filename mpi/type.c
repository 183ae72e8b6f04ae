/* SPDX-License-Identifier: MIT */
/*
 * Datatypes. Every type is its layout: the contiguous pieces (offset,
 * length) of one element, in type order, neighbours merged; an element of
 * a count sits extent bytes after the one before. Messages carry the
 * packed bytes (size per element); a dense type (one piece, no gaps) is
 * sent from and received into the user's buffer directly. The bounds of
 * a constructed type are its typemap's: the least lower bound and the
 * greatest upper bound of its elements (no alignment padding is added to
 * a struct's extent: resize it); its true bounds those of its bytes.
 */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mpi/impl.h"

#define BASIC(id, ctype)                                                       \
	static struct mpi_seg seg_##id = {0, sizeof(ctype)};                   \
	static struct mpi_run run_##id = {sizeof(ctype), 1};                   \
	struct snemu_mpi_type snemu_mpi_##id = {                               \
		.size = sizeof(ctype),                                         \
		.extent = sizeof(ctype),                                       \
		.true_extent = sizeof(ctype),                                  \
		.kind = MPI_KIND_##id,                                         \
		.nbasic = 1,                                                   \
		.nseg = 1,                                                     \
		.seg = &seg_##id,                                              \
		.nrun = 1,                                                     \
		.run = &run_##id,                                              \
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
	static struct mpi_run run_##id[2] = {                                  \
		{PAIR_V(st), 1},                                               \
		{sizeof(int), 1},                                              \
	};                                                                     \
	struct snemu_mpi_type snemu_mpi_##id = {                               \
		.size = PAIR_V(st) + sizeof(int),                              \
		.extent = sizeof(struct st),                                   \
		.true_extent = offsetof(struct st, i) + sizeof(int),           \
		.kind = MPI_KIND_##id,                                         \
		.nbasic = 2,                                                   \
		.nseg = PAIR_GAP(st) ? 2 : 1,                                  \
		.seg = seg_##id,                                               \
		.nrun = 2,                                                     \
		.run = run_##id,                                               \
		.predefined = true,                                            \
		.committed = true,                                             \
	}

PAIR(float_int, mpi_float_int);
PAIR(double_int, mpi_double_int);
PAIR(long_int, mpi_long_int);
PAIR(2int, mpi_2int);
PAIR(short_int, mpi_short_int);
PAIR(long_double_int, mpi_long_double_int);

void mpi_type_span(int count, MPI_Datatype t, MPI_Aint *lo, MPI_Aint *hi)
{
	MPI_Aint last = count ? (count - 1) * t->extent : 0;

	*lo = MIN(0, last) + t->true_lb;
	*hi = count ? MAX(0, last) + t->true_lb + t->true_extent : *lo;
}

void *mpi_type_buf(int count, MPI_Datatype t, void **alloc)
{
	MPI_Aint lo, hi;

	mpi_type_span(count, t, &lo, &hi);
	*alloc = malloc(hi - lo + 1);
	return *alloc ? (char *)*alloc - lo : NULL;
}

int mpi_check_type(MPI_Datatype type)
{
	return type && type->committed ? MPI_SUCCESS : MPI_ERR_TYPE;
}

MPI_Datatype mpi_type_get(MPI_Datatype type)
{
	if (type && !type->predefined)
		type->refs++;
	return type;
}

void mpi_type_put(MPI_Datatype type)
{
	if (!type || type->predefined || --type->refs)
		return;
	free(type->run);
	free(type->seg);
	free(type);
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

/*
 * A type being built: its layout (pieces in type order), its basic
 * elements (runs of one size, in type order), the bounds of what it holds
 * so far (the least lower and greatest upper bound of its elements; both
 * 0 while it holds none), its size and its count of basic elements, and
 * their kind (the caller's default while there are none).
 */
struct layout {
	struct mpi_seg *seg;
	int n, cap;
	struct mpi_run *run;
	int nrun, runcap;
	bool bounded;
	MPI_Aint lb, ub;
	size_t size, nbasic;
	int kind;
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

/* Append n basic elements of size bytes, merged into a last run of it. */
static int lay_run(struct layout *l, size_t size, size_t n)
{
	struct mpi_run *last = l->nrun ? &l->run[l->nrun - 1] : NULL;

	if (last && last->size == size) {
		last->n += n;
		return MPI_SUCCESS;
	}
	if (l->nrun == l->runcap) {
		int cap = l->runcap ? 2 * l->runcap : 4;
		struct mpi_run *r = realloc(l->run, cap * sizeof(*r));

		if (!r)
			return MPI_ERR_NO_MEM;
		l->run = r;
		l->runcap = cap;
	}
	l->run[l->nrun++] = (struct mpi_run){size, n};
	return MPI_SUCCESS;
}

/*
 * Append count (>= 0) elements of t from displacement disp, each extent
 * bytes after the one before; element i spans disp + i * extent + [lb,
 * lb + extent) in the bounds. A zero count adds nothing.
 */
static int lay_type(struct layout *l, MPI_Datatype t, int count, MPI_Aint disp)
{
	MPI_Aint span = (MPI_Aint)(count - 1) * t->extent;
	MPI_Aint lo = disp + t->lb + MIN(span, 0);
	MPI_Aint hi = disp + t->lb + t->extent + MAX(span, 0);
	int err = MPI_SUCCESS;

	if (!count)
		return MPI_SUCCESS;
	l->lb = l->bounded ? MIN(l->lb, lo) : lo;
	l->ub = l->bounded ? MAX(l->ub, hi) : hi;
	l->bounded = true;
	if (t->nbasic)
		l->kind = l->nbasic && l->kind != t->kind ? MPI_KIND_MIXED
							  : t->kind;
	l->size += count * t->size;
	l->nbasic += count * t->nbasic;
	for (int i = 0; !err && i < count; i++)
		for (int s = 0; !err && s < t->nseg; s++)
			err = lay_add(l, disp + i * t->extent + t->seg[s].off,
				      t->seg[s].len);
	if (t->nrun == 1)
		return err ?: lay_run(l, t->run[0].size, count * t->run[0].n);
	for (int i = 0; !err && i < count; i++)
		for (int r = 0; !err && r < t->nrun; r++)
			err = lay_run(l, t->run[r].size, t->run[r].n);
	return err;
}

/*
 * The new (uncommitted) type of layout l, taken over, unless err: its
 * bounds are l's, its true bounds those of its bytes (0, 0 without any).
 * Returns err, or MPI_ERR_NO_MEM; l's pieces and runs are freed on
 * failure.
 */
static int type_new(struct layout *l, int err, MPI_Datatype *out)
{
	MPI_Datatype t = err ? NULL : calloc(1, sizeof(*t));
	MPI_Aint lo = 0, hi = 0;

	if (!t) {
		free(l->run);
		free(l->seg);
		return err ?: MPI_ERR_NO_MEM;
	}
	for (int s = 0; s < l->n; s++) {
		MPI_Aint a = l->seg[s].off, z = a + (MPI_Aint)l->seg[s].len;

		lo = s ? MIN(lo, a) : a;
		hi = s ? MAX(hi, z) : z;
	}
	*t = (struct snemu_mpi_type){
		.size = l->size,
		.lb = l->lb,
		.extent = l->ub - l->lb,
		.true_lb = lo,
		.true_extent = hi - lo,
		.kind = l->kind,
		.nbasic = l->nbasic,
		.nseg = l->n,
		.seg = l->seg,
		.nrun = l->nrun,
		.run = l->run,
		.refs = 1,
	};
	*out = t;
	return MPI_SUCCESS;
}

/*
 * n blocks, in type order: block i is lens[i] (or, without lens, len)
 * elements of types[i] (when typed, else oldtype) at displacement
 * disps[i], or hdisps[i], or (without either) i * stride; in extents of
 * oldtype when in_extents, else in bytes.
 */
struct blocks {
	int n;
	const int *lens;
	int len;
	bool typed;
	const MPI_Datatype *types;
	MPI_Datatype oldtype;
	const int *disps;
	const MPI_Aint *hdisps;
	MPI_Aint stride;
	bool in_extents;
};

/* Check blocks b (the error class), then append them to l. */
static int lay_blocks(struct layout *l, const struct blocks *b)
{
	int err = MPI_SUCCESS;

	if (b->n < 0)
		return MPI_ERR_COUNT;
	if (!b->typed && !b->oldtype)
		return MPI_ERR_TYPE;
	for (int i = 0; i < b->n; i++) {
		if (b->typed && !b->types[i])
			return MPI_ERR_TYPE;
		if ((b->lens ? b->lens[i] : b->len) < 0)
			return MPI_ERR_ARG;
	}
	l->kind = !b->typed ? b->oldtype->kind
		  : b->n    ? b->types[0]->kind
			    : MPI_KIND_MIXED;
	for (int i = 0; !err && i < b->n; i++) {
		MPI_Aint d = b->disps	 ? b->disps[i]
			     : b->hdisps ? b->hdisps[i]
					 : i * b->stride;

		err = lay_type(l, b->typed ? b->types[i] : b->oldtype,
			       b->lens ? b->lens[i] : b->len,
			       b->in_extents ? d * b->oldtype->extent : d);
	}
	return err;
}

/* The type of blocks b in *out; fn: the MPI call, for the error. */
static int blocks_type(const struct blocks *b, MPI_Datatype *out,
		       const char *fn)
{
	struct layout l = {0};
	int err = out ? lay_blocks(&l, b) : MPI_ERR_ARG;

	return mpi_raise(NULL, type_new(&l, err, out), fn);
}

int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .len = 1,
			   .oldtype = oldtype,
			   .stride = 1,
			   .in_extents = true};

	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_vector(int count, int blocklength, int stride,
		    MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .len = blocklength,
			   .oldtype = oldtype,
			   .stride = stride,
			   .in_extents = true};

	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride,
			    MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .len = blocklength,
			   .oldtype = oldtype,
			   .stride = stride};

	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_indexed(int count, const int array_of_blocklengths[],
		     const int array_of_displacements[], MPI_Datatype oldtype,
		     MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .lens = array_of_blocklengths,
			   .oldtype = oldtype,
			   .disps = array_of_displacements,
			   .in_extents = true};

	if (count > 0 && (!array_of_blocklengths || !array_of_displacements))
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_create_hindexed(int count, const int array_of_blocklengths[],
			     const MPI_Aint array_of_displacements[],
			     MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .lens = array_of_blocklengths,
			   .oldtype = oldtype,
			   .hdisps = array_of_displacements};

	if (count > 0 && (!array_of_blocklengths || !array_of_displacements))
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_create_indexed_block(int count, int blocklength,
				  const int array_of_displacements[],
				  MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .len = blocklength,
			   .oldtype = oldtype,
			   .disps = array_of_displacements,
			   .in_extents = true};

	if (count > 0 && !array_of_displacements)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_create_hindexed_block(int count, int blocklength,
				   const MPI_Aint array_of_displacements[],
				   MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .len = blocklength,
			   .oldtype = oldtype,
			   .hdisps = array_of_displacements};

	if (count > 0 && !array_of_displacements)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return blocks_type(&b, newtype, __func__);
}

int MPI_Type_create_struct(int count, const int array_of_blocklengths[],
			   const MPI_Aint array_of_displacements[],
			   const MPI_Datatype array_of_types[],
			   MPI_Datatype *newtype)
{
	struct blocks b = {.n = count,
			   .lens = array_of_blocklengths,
			   .typed = true,
			   .types = array_of_types,
			   .hdisps = array_of_displacements};

	if (count > 0 && (!array_of_blocklengths || !array_of_displacements ||
			  !array_of_types))
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	return blocks_type(&b, newtype, __func__);
}

/* Bound l by markers: [lb, lb + extent), whatever its elements span. */
static void lay_resize(struct layout *l, MPI_Aint lb, MPI_Aint extent)
{
	l->lb = lb;
	l->ub = lb + extent;
}

int MPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
			    MPI_Datatype *newtype)
{
	struct blocks b = {.n = 1, .len = 1, .oldtype = oldtype};
	struct layout l = {0};
	int err = newtype ? lay_blocks(&l, &b) : MPI_ERR_ARG;

	lay_resize(&l, lb, extent);
	return mpi_raise(NULL, type_new(&l, err, newtype), __func__);
}

/* The arguments of MPI_Type_create_subarray. */
struct subarray {
	int ndims;
	const int *sizes, *subsizes, *starts;
	int order;
	MPI_Datatype oldtype;
};

/* The array index of dimension k, counted from the slowest varying. */
static int sub_dim(const struct subarray *s, int k)
{
	return s->order == MPI_ORDER_C ? k : s->ndims - 1 - k;
}

/* The error class of subarray s's arguments (MPI-3.1: subsizes >= 1). */
static int sub_check(const struct subarray *s)
{
	if (s->ndims < 1)
		return MPI_ERR_DIMS;
	if (!s->sizes || !s->subsizes || !s->starts ||
	    (s->order != MPI_ORDER_C && s->order != MPI_ORDER_FORTRAN))
		return MPI_ERR_ARG;
	if (!s->oldtype)
		return MPI_ERR_TYPE;
	for (int i = 0; i < s->ndims; i++)
		if (s->sizes[i] < 1 || s->subsizes[i] < 1 ||
		    s->subsizes[i] > s->sizes[i] || s->starts[i] < 0 ||
		    s->starts[i] > s->sizes[i] - s->subsizes[i])
			return MPI_ERR_ARG;
	return MPI_SUCCESS;
}

/*
 * Append the elements of subarray s in dimension k and the faster ones,
 * from disp, in type order; stride: the bytes from one index of
 * dimension k to the next.
 */
static int lay_sub(struct layout *l, const struct subarray *s, int k,
		   MPI_Aint disp, MPI_Aint stride)
{
	int d = sub_dim(s, k), err = MPI_SUCCESS;

	disp += s->starts[d] * stride;
	if (k == s->ndims - 1)
		return lay_type(l, s->oldtype, s->subsizes[d], disp);
	for (int i = 0; !err && i < s->subsizes[d]; i++)
		err = lay_sub(l, s, k + 1, disp + i * stride,
			      stride / s->sizes[sub_dim(s, k + 1)]);
	return err;
}

/* Bounds: 0 and the whole array's extent, as MPI-3.1 defines them. */
int MPI_Type_create_subarray(int ndims, const int array_of_sizes[],
			     const int array_of_subsizes[],
			     const int array_of_starts[], int order,
			     MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct subarray s = {.ndims = ndims,
			     .sizes = array_of_sizes,
			     .subsizes = array_of_subsizes,
			     .starts = array_of_starts,
			     .order = order,
			     .oldtype = oldtype};
	struct layout l = {0};
	int err = newtype ? sub_check(&s) : MPI_ERR_ARG;
	MPI_Aint whole;

	if (!err) {
		whole = oldtype->extent;
		for (int i = 0; i < ndims; i++)
			whole *= array_of_sizes[i];
		l.kind = oldtype->kind;
		err = lay_sub(&l, &s, 0, 0,
			      whole / array_of_sizes[sub_dim(&s, 0)]);
		lay_resize(&l, 0, whole);
	}
	return mpi_raise(NULL, type_new(&l, err, newtype), __func__);
}

int MPI_Type_dup(MPI_Datatype oldtype, MPI_Datatype *newtype)
{
	struct blocks b = {.n = 1, .len = 1, .oldtype = oldtype};
	int err = blocks_type(&b, newtype, __func__);

	if (!err)
		(*newtype)->committed = oldtype->committed;
	return err;
}

int MPI_Type_commit(MPI_Datatype *datatype)
{
	if (!datatype || !*datatype)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	(*datatype)->committed = true;
	return MPI_SUCCESS;
}

/* Operations still pending with the type complete normally (MPI-3.1 4.1.9). */
int MPI_Type_free(MPI_Datatype *datatype)
{
	if (!datatype || !*datatype || (*datatype)->predefined)
		return mpi_raise(NULL, MPI_ERR_TYPE, __func__);
	mpi_type_put(*datatype);
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

/*
 * Basic elements received (MPI-3.1 4.1.11): those of the whole elements,
 * then those a partial last element holds, in type order; MPI_UNDEFINED
 * when the bytes end inside a basic element.
 */
int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype,
		     int *count)
{
	MPI_Count bytes, n;
	size_t rest;

	if (!status || !count || !datatype)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	bytes = status->snemu_bytes;
	if (!datatype->size) {
		*count = 0;
		return MPI_SUCCESS;
	}
	n = bytes / datatype->size * datatype->nbasic;
	rest = bytes % datatype->size;
	for (int r = 0; rest && r < datatype->nrun; r++) {
		const struct mpi_run *run = &datatype->run[r];
		size_t k = MIN(rest / run->size, run->n);

		n += k;
		rest -= k * run->size;
		if (k < run->n)
			break;
	}
	*count = rest ? MPI_UNDEFINED : (int)n;
	return MPI_SUCCESS;
}

/* ---- MPI_Pack: the bytes messages carry, in the user's buffer ---- */

/*
 * The error class of packing count of type at buf to (or unpacking it
 * from) packed, of size bytes, at *position; len: the bytes it takes.
 */
static int pack_check(MPI_Comm comm, const void *buf, int count,
		      MPI_Datatype type, const void *packed, int size,
		      const int *position, size_t *len)
{
	int err = mpi_check_comm(comm) ?: mpi_check_buf(buf, count, type);

	if (err)
		return err;
	if (!position || *position < 0 || *position > size)
		return MPI_ERR_ARG;
	*len = type->size * count;
	if (*len > (size_t)(size - *position))
		return MPI_ERR_TRUNCATE;
	return *len && !packed ? MPI_ERR_BUFFER : MPI_SUCCESS;
}

int MPI_Pack(const void *inbuf, int incount, MPI_Datatype datatype,
	     void *outbuf, int outsize, int *position, MPI_Comm comm)
{
	size_t len;
	int err = pack_check(comm, inbuf, incount, datatype, outbuf, outsize,
			     position, &len);

	if (!err && len) {
		mpi_pack(inbuf, incount, datatype, (char *)outbuf + *position);
		*position += (int)len;
	}
	return mpi_raise(comm, err, __func__);
}

int MPI_Unpack(const void *inbuf, int insize, int *position, void *outbuf,
	       int outcount, MPI_Datatype datatype, MPI_Comm comm)
{
	size_t len;
	int err = pack_check(comm, outbuf, outcount, datatype, inbuf, insize,
			     position, &len);

	if (!err && len) {
		mpi_unpack((const char *)inbuf + *position, len, outbuf,
			   outcount, datatype);
		*position += (int)len;
	}
	return mpi_raise(comm, err, __func__);
}

/* Exactly what MPI_Pack takes: size * incount bytes. */
int MPI_Pack_size(int incount, MPI_Datatype datatype, MPI_Comm comm, int *size)
{
	int err = mpi_check_comm(comm) ?: mpi_check_type(datatype);

	if (!err && (incount < 0 || datatype->size * incount > INT_MAX))
		err = MPI_ERR_COUNT;
	if (!err && !size)
		err = MPI_ERR_ARG;
	if (!err)
		*size = (int)(datatype->size * incount);
	return mpi_raise(comm, err, __func__);
}
