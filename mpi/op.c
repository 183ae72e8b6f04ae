/* SPDX-License-Identifier: MIT */
/*
 * Reductions. The collectives reduce packed data (mpi_pack), so a
 * predefined operation sees an array of basic elements of one kind, or of
 * (value, int) pairs for MINLOC and MAXLOC. Signed sums and products wrap
 * (two's complement) instead of overflowing. A user function gets its
 * datatype's own layout, unpacked for it when the type is not dense.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mpi/impl.h"

enum op_id {
#define OP_ENUM(name, op) OP_##op,
	SNEMU_MPI_OPS(OP_ENUM)
#undef OP_ENUM
};

#define OP_DEFINE(name, op)                                                    \
	struct snemu_mpi_op snemu_mpi_op_##op = {                              \
		.id = OP_##op,                                                 \
		.commute = true,                                               \
		.predefined = true,                                            \
	};
SNEMU_MPI_OPS(OP_DEFINE)
#undef OP_DEFINE

enum kind_class { K_NONE, K_INT, K_FLOAT, K_BOOL, K_BYTE, K_PAIR };

static enum kind_class class_of(int kind)
{
	switch (kind) {
	case MPI_KIND_char:
	case MPI_KIND_signed_char:
	case MPI_KIND_unsigned_char:
	case MPI_KIND_wchar:
	case MPI_KIND_short:
	case MPI_KIND_unsigned_short:
	case MPI_KIND_int:
	case MPI_KIND_unsigned:
	case MPI_KIND_long:
	case MPI_KIND_unsigned_long:
	case MPI_KIND_long_long:
	case MPI_KIND_unsigned_long_long:
	case MPI_KIND_int8_t:
	case MPI_KIND_int16_t:
	case MPI_KIND_int32_t:
	case MPI_KIND_int64_t:
	case MPI_KIND_uint8_t:
	case MPI_KIND_uint16_t:
	case MPI_KIND_uint32_t:
	case MPI_KIND_uint64_t:
	case MPI_KIND_aint:
	case MPI_KIND_offset:
	case MPI_KIND_count: return K_INT;
	case MPI_KIND_float:
	case MPI_KIND_double:
	case MPI_KIND_long_double: return K_FLOAT;
	case MPI_KIND_c_bool: return K_BOOL;
	case MPI_KIND_byte:
	case MPI_KIND_packed: return K_BYTE;
	case MPI_KIND_float_int:
	case MPI_KIND_double_int:
	case MPI_KIND_long_int:
	case MPI_KIND_2int:
	case MPI_KIND_short_int:
	case MPI_KIND_long_double_int: return K_PAIR;
	default: return K_NONE;
	}
}

int mpi_check_op(MPI_Op op, MPI_Datatype type)
{
	enum kind_class k;

	if (!op)
		return MPI_ERR_OP;
	if (!op->predefined || op->id == OP_replace || op->id == OP_no_op)
		return MPI_SUCCESS;
	k = class_of(type->kind);
	switch (op->id) {
	case OP_max:
	case OP_min:
	case OP_sum:
	case OP_prod: return k == K_INT || k == K_FLOAT ? 0 : MPI_ERR_OP;
	case OP_land:
	case OP_lor:
	case OP_lxor: return k == K_INT || k == K_BOOL ? 0 : MPI_ERR_OP;
	case OP_band:
	case OP_bor:
	case OP_bxor: return k == K_INT || k == K_BYTE ? 0 : MPI_ERR_OP;
	default: return k == K_PAIR ? 0 : MPI_ERR_OP;
	}
}

/* b[i] = a[i] op b[i] over n elements of T (U: T's unsigned twin). */
#define LOOP(T, EXPR)                                                          \
	do {                                                                   \
		const T *a_ = in;                                              \
		T *b_ = inout;                                                 \
		for (size_t i_ = 0; i_ < n; i_++) {                            \
			T a = a_[i_], b = b_[i_];                              \
			b_[i_] = (T)(EXPR);                                    \
		}                                                              \
	} while (0)

#define ARITH(T, U)                                                            \
	case OP_max: LOOP(T, a > b ? a : b); break;                            \
	case OP_min: LOOP(T, a < b ? a : b); break;                            \
	case OP_sum: LOOP(T, (U)a + (U)b); break;                              \
	case OP_prod:                                                          \
		LOOP(T, (U)a *(U)b);                                           \
		break
#define LOGIC(T)                                                               \
	case OP_land: LOOP(T, a &&b); break;                                   \
	case OP_lor: LOOP(T, a || b); break;                                   \
	case OP_lxor:                                                          \
		LOOP(T, !a != !b);                                             \
		break
#define BITS(T)                                                                \
	case OP_band: LOOP(T, a &b); break;                                    \
	case OP_bor: LOOP(T, a | b); break;                                    \
	case OP_bxor:                                                          \
		LOOP(T, a ^ b);                                                \
		break

#define INT_KIND(kind, T, U)                                                   \
	case MPI_KIND_##kind:                                                  \
		switch (id) {                                                  \
			ARITH(T, U);                                           \
			LOGIC(T);                                              \
			BITS(T);                                               \
		default: break;                                                \
		}                                                              \
		break

#define FLOAT_KIND(kind, T)                                                    \
	case MPI_KIND_##kind:                                                  \
		switch (id) {                                                  \
			ARITH(T, T);                                           \
		default: break;                                                \
		}                                                              \
		break

/*
 * MINLOC / MAXLOC over packed pairs: the better value wins, and on a tie
 * the lower index.
 */
#define PAIR_KIND(kind, st)                                                    \
	case MPI_KIND_##kind: {                                                \
		size_t vs = sizeof(((struct st *)0)->v);                       \
		for (size_t i = 0; i < n; i++) {                               \
			struct st a, b;                                        \
			char *pa = (char *)in + i * (vs + sizeof(int));        \
			char *pb = (char *)inout + i * (vs + sizeof(int));     \
			memcpy(&a.v, pa, vs);                                  \
			memcpy(&a.i, pa + vs, sizeof(int));                    \
			memcpy(&b.v, pb, vs);                                  \
			memcpy(&b.i, pb + vs, sizeof(int));                    \
			if (id == OP_minloc ? a.v < b.v : a.v > b.v)           \
				b = a;                                         \
			else if (a.v == b.v && a.i < b.i)                      \
				b.i = a.i;                                     \
			memcpy(pb, &b.v, vs);                                  \
			memcpy(pb + vs, &b.i, sizeof(int));                    \
		}                                                              \
		break;                                                         \
	}

static void apply(int id, int kind, const void *in, void *inout, size_t n)
{
	switch (kind) {
		INT_KIND(char, char, unsigned char);
		INT_KIND(signed_char, signed char, unsigned char);
		INT_KIND(unsigned_char, unsigned char, unsigned char);
		INT_KIND(wchar, wchar_t, unsigned int);
		INT_KIND(short, short, unsigned short);
		INT_KIND(unsigned_short, unsigned short, unsigned short);
		INT_KIND(int, int, unsigned);
		INT_KIND(unsigned, unsigned, unsigned);
		INT_KIND(long, long, unsigned long);
		INT_KIND(unsigned_long, unsigned long, unsigned long);
		INT_KIND(long_long, long long, unsigned long long);
		INT_KIND(unsigned_long_long, unsigned long long,
			 unsigned long long);
		INT_KIND(int8_t, int8_t, uint8_t);
		INT_KIND(int16_t, int16_t, uint16_t);
		INT_KIND(int32_t, int32_t, uint32_t);
		INT_KIND(int64_t, int64_t, uint64_t);
		INT_KIND(uint8_t, uint8_t, uint8_t);
		INT_KIND(uint16_t, uint16_t, uint16_t);
		INT_KIND(uint32_t, uint32_t, uint32_t);
		INT_KIND(uint64_t, uint64_t, uint64_t);
		INT_KIND(aint, MPI_Aint, uintptr_t);
		INT_KIND(offset, MPI_Offset, unsigned long long);
		INT_KIND(count, MPI_Count, unsigned long long);
		FLOAT_KIND(float, float);
		FLOAT_KIND(double, double);
		FLOAT_KIND(long_double, long double);
	case MPI_KIND_c_bool:
		switch (id) {
			LOGIC(_Bool);
		default: break;
		}
		break;
	case MPI_KIND_byte:
	case MPI_KIND_packed:
		switch (id) {
			BITS(uint8_t);
		default: break;
		}
		break;
		PAIR_KIND(float_int, mpi_float_int)
		PAIR_KIND(double_int, mpi_double_int)
		PAIR_KIND(long_int, mpi_long_int)
		PAIR_KIND(2int, mpi_2int)
		PAIR_KIND(short_int, mpi_short_int)
		PAIR_KIND(long_double_int, mpi_long_double_int)
	default: break;
	}
}

/* A user function on packed data: over the type's layout when needed. */
static int apply_user(MPI_Op op, const void *in, void *inout, int count,
		      MPI_Datatype type)
{
	void *ain, *aio, *lin, *lio;
	int len = count;

	if (mpi_type_dense(type)) {
		op->fn((void *)in, inout, &len, &type);
		return MPI_SUCCESS;
	}
	lin = mpi_type_buf(count, type, &ain);
	lio = mpi_type_buf(count, type, &aio);
	if (!lin || !lio) {
		free(ain);
		free(aio);
		return MPI_ERR_NO_MEM;
	}
	mpi_unpack(in, type->size * count, lin, count, type);
	mpi_unpack(inout, type->size * count, lio, count, type);
	op->fn(lin, lio, &len, &type);
	mpi_pack(lio, count, type, inout);
	free(ain);
	free(aio);
	return MPI_SUCCESS;
}

int mpi_reduce_local(const void *in, void *inout, int count, MPI_Datatype type,
		     MPI_Op op)
{
	int err = mpi_check_op(op, type);
	size_t n;

	if (err || !count)
		return err;
	if (!op->predefined)
		return apply_user(op, in, inout, count, type);
	if (op->id == OP_no_op)
		return MPI_SUCCESS;
	if (op->id == OP_replace) {
		memcpy(inout, in, type->size * count);
		return MPI_SUCCESS;
	}
	/* basic elements (pairs: pairs) in the packed data */
	n = class_of(type->kind) == K_PAIR ? type->nbasic / 2 * count
					   : type->nbasic * count;
	apply(op->id, type->kind, in, inout, n);
	return MPI_SUCCESS;
}

int MPI_Reduce_local(const void *inbuf, void *inoutbuf, int count,
		     MPI_Datatype datatype, MPI_Op op)
{
	void *pin, *pio, *tin, *tio;
	int err = mpi_check_buf(inbuf, count, datatype);

	if (!err)
		err = mpi_check_buf(inoutbuf, count, datatype);
	if (!err)
		err = mpi_check_op(op, datatype);
	if (err)
		return mpi_raise(NULL, err, __func__);
	pin = mpi_bytes(inbuf, count, datatype, true, &tin);
	pio = mpi_bytes(inoutbuf, count, datatype, true, &tio);
	err = pin && pio ? mpi_reduce_local(pin, pio, count, datatype, op)
			 : MPI_ERR_NO_MEM;
	if (!err && tio)
		mpi_unpack(tio, datatype->size * count, inoutbuf, count,
			   datatype);
	free(tin);
	free(tio);
	return mpi_raise(NULL, err, __func__);
}

int MPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op)
{
	MPI_Op o;

	if (!user_fn || !op)
		return mpi_raise(NULL, MPI_ERR_ARG, __func__);
	o = calloc(1, sizeof(*o));
	if (!o)
		return mpi_raise(NULL, MPI_ERR_NO_MEM, __func__);
	o->fn = user_fn;
	o->commute = commute != 0;
	*op = o;
	return MPI_SUCCESS;
}

int MPI_Op_free(MPI_Op *op)
{
	if (!op || !*op || (*op)->predefined)
		return mpi_raise(NULL, MPI_ERR_OP, __func__);
	free(*op);
	*op = MPI_OP_NULL;
	return MPI_SUCCESS;
}

int MPI_Op_commutative(MPI_Op op, int *commute)
{
	if (!op || !commute)
		return mpi_raise(NULL, MPI_ERR_OP, __func__);
	*commute = op->commute;
	return MPI_SUCCESS;
}
