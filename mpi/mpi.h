/* SPDX-License-Identifier: MIT */
/*
 * mpi.h: the MPI of snemu (libsnemu-mpi, pkg-config snemu-mpi), the C
 * bindings of MPI-3.1 that micro-benchmarks and small MPI applications use,
 * layered on the endpoint API (snemu.h). Build with snemu-mpicc, run with
 * `snemu run -np N -- ./program`. docs/MPI.md lists what is provided; a
 * call that is not provided is not declared here and fails to link.
 *
 * Time is the emulator's: MPI_Wtime is the rank's virtual clock in seconds,
 * the same on every run (MPI_WTIME_IS_GLOBAL is true).
 */
#ifndef SNEMU_MPI_H
#define SNEMU_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPI_VERSION    3
#define MPI_SUBVERSION 1

/* ---- handles: pointers to the library's objects ---- */

typedef struct snemu_mpi_comm *MPI_Comm;
typedef struct snemu_mpi_group *MPI_Group;
typedef struct snemu_mpi_type *MPI_Datatype;
typedef struct snemu_mpi_op *MPI_Op;
typedef struct snemu_mpi_request *MPI_Request;
typedef struct snemu_mpi_errhandler *MPI_Errhandler;
typedef struct snemu_mpi_info *MPI_Info;
typedef struct snemu_mpi_win *MPI_Win;
typedef intptr_t MPI_Aint;
typedef long long MPI_Offset;
typedef long long MPI_Count;
typedef int MPI_Fint;

typedef struct MPI_Status {
	int MPI_SOURCE;
	int MPI_TAG;
	int MPI_ERROR;
	int snemu_cancelled;   /* private: MPI_Test_cancelled */
	MPI_Count snemu_bytes; /* private: MPI_Get_count */
} MPI_Status;

typedef void(MPI_User_function)(void *invec, void *inoutvec, int *len,
				MPI_Datatype *datatype);
typedef void(MPI_Comm_errhandler_function)(MPI_Comm *comm, int *err, ...);

/* ---- predefined objects ---- */

extern struct snemu_mpi_comm snemu_mpi_comm_world, snemu_mpi_comm_self;
extern struct snemu_mpi_group snemu_mpi_group_empty;
extern struct snemu_mpi_errhandler snemu_mpi_errors_are_fatal,
	snemu_mpi_errors_return;

#define MPI_COMM_WORLD	     (&snemu_mpi_comm_world)
#define MPI_COMM_SELF	     (&snemu_mpi_comm_self)
#define MPI_GROUP_EMPTY	     (&snemu_mpi_group_empty)
#define MPI_ERRORS_ARE_FATAL (&snemu_mpi_errors_are_fatal)
#define MPI_ERRORS_RETURN    (&snemu_mpi_errors_return)

#define MPI_COMM_NULL	    ((MPI_Comm)0)
#define MPI_GROUP_NULL	    ((MPI_Group)0)
#define MPI_DATATYPE_NULL   ((MPI_Datatype)0)
#define MPI_OP_NULL	    ((MPI_Op)0)
#define MPI_REQUEST_NULL    ((MPI_Request)0)
#define MPI_ERRHANDLER_NULL ((MPI_Errhandler)0)
#define MPI_INFO_NULL	    ((MPI_Info)0)
#define MPI_WIN_NULL	    ((MPI_Win)0)

/* Datatypes: one object each (mpi/type.c). */
/* clang-format off */
#define SNEMU_MPI_TYPES(X) \
	X(MPI_CHAR, char) \
	X(MPI_SIGNED_CHAR, signed_char) \
	X(MPI_UNSIGNED_CHAR, unsigned_char) \
	X(MPI_BYTE, byte) \
	X(MPI_WCHAR, wchar) \
	X(MPI_SHORT, short) \
	X(MPI_UNSIGNED_SHORT, unsigned_short) \
	X(MPI_INT, int) \
	X(MPI_UNSIGNED, unsigned) \
	X(MPI_LONG, long) \
	X(MPI_UNSIGNED_LONG, unsigned_long) \
	X(MPI_LONG_LONG, long_long) \
	X(MPI_UNSIGNED_LONG_LONG, unsigned_long_long) \
	X(MPI_FLOAT, float) \
	X(MPI_DOUBLE, double) \
	X(MPI_LONG_DOUBLE, long_double) \
	X(MPI_INT8_T, int8_t) \
	X(MPI_INT16_T, int16_t) \
	X(MPI_INT32_T, int32_t) \
	X(MPI_INT64_T, int64_t) \
	X(MPI_UINT8_T, uint8_t) \
	X(MPI_UINT16_T, uint16_t) \
	X(MPI_UINT32_T, uint32_t) \
	X(MPI_UINT64_T, uint64_t) \
	X(MPI_C_BOOL, c_bool) \
	X(MPI_AINT, aint) \
	X(MPI_OFFSET, offset) \
	X(MPI_COUNT, count) \
	X(MPI_PACKED, packed) \
	X(MPI_FLOAT_INT, float_int) \
	X(MPI_DOUBLE_INT, double_int) \
	X(MPI_LONG_INT, long_int) \
	X(MPI_2INT, 2int) \
	X(MPI_SHORT_INT, short_int) \
	X(MPI_LONG_DOUBLE_INT, long_double_int)
/* clang-format on */

#define SNEMU_MPI_DECLARE(name, id) extern struct snemu_mpi_type snemu_mpi_##id;
SNEMU_MPI_TYPES(SNEMU_MPI_DECLARE)
#undef SNEMU_MPI_DECLARE

#define MPI_CHAR	       (&snemu_mpi_char)
#define MPI_SIGNED_CHAR	       (&snemu_mpi_signed_char)
#define MPI_UNSIGNED_CHAR      (&snemu_mpi_unsigned_char)
#define MPI_BYTE	       (&snemu_mpi_byte)
#define MPI_WCHAR	       (&snemu_mpi_wchar)
#define MPI_SHORT	       (&snemu_mpi_short)
#define MPI_UNSIGNED_SHORT     (&snemu_mpi_unsigned_short)
#define MPI_INT		       (&snemu_mpi_int)
#define MPI_UNSIGNED	       (&snemu_mpi_unsigned)
#define MPI_LONG	       (&snemu_mpi_long)
#define MPI_UNSIGNED_LONG      (&snemu_mpi_unsigned_long)
#define MPI_LONG_LONG	       (&snemu_mpi_long_long)
#define MPI_LONG_LONG_INT      MPI_LONG_LONG
#define MPI_UNSIGNED_LONG_LONG (&snemu_mpi_unsigned_long_long)
#define MPI_FLOAT	       (&snemu_mpi_float)
#define MPI_DOUBLE	       (&snemu_mpi_double)
#define MPI_LONG_DOUBLE	       (&snemu_mpi_long_double)
#define MPI_INT8_T	       (&snemu_mpi_int8_t)
#define MPI_INT16_T	       (&snemu_mpi_int16_t)
#define MPI_INT32_T	       (&snemu_mpi_int32_t)
#define MPI_INT64_T	       (&snemu_mpi_int64_t)
#define MPI_UINT8_T	       (&snemu_mpi_uint8_t)
#define MPI_UINT16_T	       (&snemu_mpi_uint16_t)
#define MPI_UINT32_T	       (&snemu_mpi_uint32_t)
#define MPI_UINT64_T	       (&snemu_mpi_uint64_t)
#define MPI_C_BOOL	       (&snemu_mpi_c_bool)
#define MPI_AINT	       (&snemu_mpi_aint)
#define MPI_OFFSET	       (&snemu_mpi_offset)
#define MPI_COUNT	       (&snemu_mpi_count)
#define MPI_PACKED	       (&snemu_mpi_packed)
#define MPI_FLOAT_INT	       (&snemu_mpi_float_int)
#define MPI_DOUBLE_INT	       (&snemu_mpi_double_int)
#define MPI_LONG_INT	       (&snemu_mpi_long_int)
#define MPI_2INT	       (&snemu_mpi_2int)
#define MPI_SHORT_INT	       (&snemu_mpi_short_int)
#define MPI_LONG_DOUBLE_INT    (&snemu_mpi_long_double_int)

/* Reduction operations (mpi/op.c). */
/* clang-format off */
#define SNEMU_MPI_OPS(X) \
	X(MPI_MAX, max) \
	X(MPI_MIN, min) \
	X(MPI_SUM, sum) \
	X(MPI_PROD, prod) \
	X(MPI_LAND, land) \
	X(MPI_BAND, band) \
	X(MPI_LOR, lor) \
	X(MPI_BOR, bor) \
	X(MPI_LXOR, lxor) \
	X(MPI_BXOR, bxor) \
	X(MPI_MINLOC, minloc) \
	X(MPI_MAXLOC, maxloc) \
	X(MPI_REPLACE, replace) \
	X(MPI_NO_OP, no_op)
/* clang-format on */

#define SNEMU_MPI_DECLARE(name, id)                                            \
	extern struct snemu_mpi_op snemu_mpi_op_##id;
SNEMU_MPI_OPS(SNEMU_MPI_DECLARE)
#undef SNEMU_MPI_DECLARE

#define MPI_MAX	    (&snemu_mpi_op_max)
#define MPI_MIN	    (&snemu_mpi_op_min)
#define MPI_SUM	    (&snemu_mpi_op_sum)
#define MPI_PROD    (&snemu_mpi_op_prod)
#define MPI_LAND    (&snemu_mpi_op_land)
#define MPI_BAND    (&snemu_mpi_op_band)
#define MPI_LOR	    (&snemu_mpi_op_lor)
#define MPI_BOR	    (&snemu_mpi_op_bor)
#define MPI_LXOR    (&snemu_mpi_op_lxor)
#define MPI_BXOR    (&snemu_mpi_op_bxor)
#define MPI_MINLOC  (&snemu_mpi_op_minloc)
#define MPI_MAXLOC  (&snemu_mpi_op_maxloc)
#define MPI_REPLACE (&snemu_mpi_op_replace)
#define MPI_NO_OP   (&snemu_mpi_op_no_op)

/* ---- constants ---- */

#define MPI_ANY_SOURCE	    (-1)
#define MPI_ANY_TAG	    (-1)
#define MPI_PROC_NULL	    (-2)
#define MPI_ROOT	    (-3)
#define MPI_UNDEFINED	    (-32766)
#define MPI_KEYVAL_INVALID  (-1)
#define MPI_BSEND_OVERHEAD  64
#define MPI_STATUS_IGNORE   ((MPI_Status *)0)
#define MPI_STATUSES_IGNORE ((MPI_Status *)0)
#define MPI_BOTTOM	    ((void *)0)
#define MPI_IN_PLACE	    ((void *)1)

#define MPI_MAX_PROCESSOR_NAME	       256
#define MPI_MAX_ERROR_STRING	       256
#define MPI_MAX_OBJECT_NAME	       64
#define MPI_MAX_LIBRARY_VERSION_STRING 256
#define MPI_MAX_INFO_KEY	       255
#define MPI_MAX_INFO_VAL	       1024

enum {
	MPI_THREAD_SINGLE,
	MPI_THREAD_FUNNELED,
	MPI_THREAD_SERIALIZED,
	MPI_THREAD_MULTIPLE,
};

/* MPI_Comm_compare, MPI_Group_compare */
enum { MPI_IDENT, MPI_CONGRUENT, MPI_SIMILAR, MPI_UNEQUAL };

/* MPI_Comm_split_type */
#define MPI_COMM_TYPE_SHARED 1

/* Attribute keys of MPI_Comm_get_attr. */
enum { MPI_TAG_UB = 1, MPI_HOST, MPI_IO, MPI_WTIME_IS_GLOBAL, MPI_APPNUM };

/* One-sided: lock types, assertions, window attributes and their values. */
enum { MPI_LOCK_EXCLUSIVE = 234, MPI_LOCK_SHARED = 235 };
enum {
	MPI_MODE_NOCHECK = 1024,
	MPI_MODE_NOSTORE = 2048,
	MPI_MODE_NOPUT = 4096,
	MPI_MODE_NOPRECEDE = 8192,
	MPI_MODE_NOSUCCEED = 16384,
};
enum {
	MPI_WIN_BASE = 16,
	MPI_WIN_SIZE,
	MPI_WIN_DISP_UNIT,
	MPI_WIN_CREATE_FLAVOR,
	MPI_WIN_MODEL,
};
enum {
	MPI_WIN_FLAVOR_CREATE = 1,
	MPI_WIN_FLAVOR_ALLOCATE,
	MPI_WIN_FLAVOR_DYNAMIC,
	MPI_WIN_FLAVOR_SHARED,
};
enum { MPI_WIN_SEPARATE = 1, MPI_WIN_UNIFIED };

/* Error classes; every error code is its own class. */
enum {
	MPI_SUCCESS,
	MPI_ERR_BUFFER,
	MPI_ERR_COUNT,
	MPI_ERR_TYPE,
	MPI_ERR_TAG,
	MPI_ERR_COMM,
	MPI_ERR_RANK,
	MPI_ERR_REQUEST,
	MPI_ERR_ROOT,
	MPI_ERR_GROUP,
	MPI_ERR_OP,
	MPI_ERR_TOPOLOGY,
	MPI_ERR_DIMS,
	MPI_ERR_ARG,
	MPI_ERR_UNKNOWN,
	MPI_ERR_TRUNCATE,
	MPI_ERR_OTHER,
	MPI_ERR_INTERN,
	MPI_ERR_IN_STATUS,
	MPI_ERR_PENDING,
	MPI_ERR_NO_MEM,
	MPI_ERR_INFO,
	MPI_ERR_INFO_KEY,
	MPI_ERR_INFO_VALUE,
	MPI_ERR_INFO_NOKEY,
	MPI_ERR_KEYVAL,
	MPI_ERR_NOT_SAME,
	MPI_ERR_UNSUPPORTED_OPERATION,
	MPI_ERR_WIN,
	MPI_ERR_BASE,
	MPI_ERR_SIZE,
	MPI_ERR_DISP,
	MPI_ERR_LOCKTYPE,
	MPI_ERR_ASSERT,
	MPI_ERR_RMA_CONFLICT,
	MPI_ERR_RMA_SYNC,
	MPI_ERR_RMA_RANGE,
	MPI_ERR_RMA_ATTACH,
	MPI_ERR_RMA_SHARED,
	MPI_ERR_RMA_FLAVOR,
	MPI_ERR_LASTCODE,
};

/* ---- environment (mpi/env.c) ---- */

int MPI_Init(int *argc, char ***argv);
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided);
int MPI_Initialized(int *flag);
int MPI_Finalize(void);
int MPI_Finalized(int *flag);
int MPI_Abort(MPI_Comm comm, int errorcode);
int MPI_Query_thread(int *provided);
int MPI_Is_thread_main(int *flag);
double MPI_Wtime(void);
double MPI_Wtick(void);
int MPI_Get_processor_name(char *name, int *resultlen);
int MPI_Get_version(int *version, int *subversion);
int MPI_Get_library_version(char *version, int *resultlen);
int MPI_Pcontrol(const int level, ...);
int MPI_Alloc_mem(MPI_Aint size, MPI_Info info, void *baseptr);
int MPI_Free_mem(void *base);

/* ---- errors (mpi/error.c) ---- */

int MPI_Error_string(int errorcode, char *string, int *resultlen);
int MPI_Error_class(int errorcode, int *errorclass);
int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler);
int MPI_Comm_get_errhandler(MPI_Comm comm, MPI_Errhandler *errhandler);
int MPI_Comm_create_errhandler(MPI_Comm_errhandler_function *fn,
			       MPI_Errhandler *errhandler);
int MPI_Comm_call_errhandler(MPI_Comm comm, int errorcode);
int MPI_Errhandler_free(MPI_Errhandler *errhandler);

/* ---- info objects (mpi/info.c) ---- */

int MPI_Info_create(MPI_Info *info);
int MPI_Info_set(MPI_Info info, const char *key, const char *value);
int MPI_Info_get(MPI_Info info, const char *key, int valuelen, char *value,
		 int *flag);
int MPI_Info_get_valuelen(MPI_Info info, const char *key, int *valuelen,
			  int *flag);
int MPI_Info_get_nkeys(MPI_Info info, int *nkeys);
int MPI_Info_get_nthkey(MPI_Info info, int n, char *key);
int MPI_Info_delete(MPI_Info info, const char *key);
int MPI_Info_dup(MPI_Info info, MPI_Info *newinfo);
int MPI_Info_free(MPI_Info *info);

/* ---- communicators (mpi/comm.c) and groups (mpi/group.c) ---- */

int MPI_Comm_size(MPI_Comm comm, int *size);
int MPI_Comm_rank(MPI_Comm comm, int *rank);
int MPI_Comm_dup(MPI_Comm comm, MPI_Comm *newcomm);
int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm);
int MPI_Comm_split_type(MPI_Comm comm, int split_type, int key, MPI_Info info,
			MPI_Comm *newcomm);
int MPI_Comm_create(MPI_Comm comm, MPI_Group group, MPI_Comm *newcomm);
int MPI_Comm_free(MPI_Comm *comm);
int MPI_Comm_compare(MPI_Comm comm1, MPI_Comm comm2, int *result);
int MPI_Comm_set_name(MPI_Comm comm, const char *name);
int MPI_Comm_get_name(MPI_Comm comm, char *name, int *resultlen);
int MPI_Comm_get_attr(MPI_Comm comm, int keyval, void *value, int *flag);
int MPI_Comm_test_inter(MPI_Comm comm, int *flag);
int MPI_Comm_group(MPI_Comm comm, MPI_Group *group);

int MPI_Group_size(MPI_Group group, int *size);
int MPI_Group_rank(MPI_Group group, int *rank);
int MPI_Group_incl(MPI_Group group, int n, const int ranks[],
		   MPI_Group *newgroup);
int MPI_Group_excl(MPI_Group group, int n, const int ranks[],
		   MPI_Group *newgroup);
int MPI_Group_range_incl(MPI_Group group, int n, int ranges[][3],
			 MPI_Group *newgroup);
int MPI_Group_range_excl(MPI_Group group, int n, int ranges[][3],
			 MPI_Group *newgroup);
int MPI_Group_union(MPI_Group group1, MPI_Group group2, MPI_Group *newgroup);
int MPI_Group_intersection(MPI_Group group1, MPI_Group group2,
			   MPI_Group *newgroup);
int MPI_Group_difference(MPI_Group group1, MPI_Group group2,
			 MPI_Group *newgroup);
int MPI_Group_translate_ranks(MPI_Group group1, int n, const int ranks1[],
			      MPI_Group group2, int ranks2[]);
int MPI_Group_compare(MPI_Group group1, MPI_Group group2, int *result);
int MPI_Group_free(MPI_Group *group);

/* ---- point to point (mpi/p2p.c) and requests (mpi/request.c) ---- */

int MPI_Send(const void *buf, int count, MPI_Datatype datatype, int dest,
	     int tag, MPI_Comm comm);
int MPI_Ssend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm);
int MPI_Rsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm);
int MPI_Bsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm);
int MPI_Recv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
	     MPI_Comm comm, MPI_Status *status);
int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest,
	      int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Issend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Irsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Ibsend(const void *buf, int count, MPI_Datatype datatype, int dest,
	       int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Irecv(void *buf, int count, MPI_Datatype datatype, int source, int tag,
	      MPI_Comm comm, MPI_Request *request);
int MPI_Buffer_attach(void *buffer, int size);
int MPI_Buffer_detach(void *buffer_addr, int *size);
int MPI_Sendrecv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 int dest, int sendtag, void *recvbuf, int recvcount,
		 MPI_Datatype recvtype, int source, int recvtag, MPI_Comm comm,
		 MPI_Status *status);
int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype datatype, int dest,
			 int sendtag, int source, int recvtag, MPI_Comm comm,
			 MPI_Status *status);
int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status *status);
int MPI_Iprobe(int source, int tag, MPI_Comm comm, int *flag,
	       MPI_Status *status);
int MPI_Get_count(const MPI_Status *status, MPI_Datatype datatype, int *count);
int MPI_Get_elements(const MPI_Status *status, MPI_Datatype datatype,
		     int *count);

int MPI_Send_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		  int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Ssend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Rsend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Bsend_init(const void *buf, int count, MPI_Datatype datatype, int dest,
		   int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Recv_init(void *buf, int count, MPI_Datatype datatype, int source,
		  int tag, MPI_Comm comm, MPI_Request *request);
int MPI_Start(MPI_Request *request);
int MPI_Startall(int count, MPI_Request array_of_requests[]);

int MPI_Wait(MPI_Request *request, MPI_Status *status);
int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status);
int MPI_Waitall(int count, MPI_Request array_of_requests[],
		MPI_Status array_of_statuses[]);
int MPI_Testall(int count, MPI_Request array_of_requests[], int *flag,
		MPI_Status array_of_statuses[]);
int MPI_Waitany(int count, MPI_Request array_of_requests[], int *index,
		MPI_Status *status);
int MPI_Testany(int count, MPI_Request array_of_requests[], int *index,
		int *flag, MPI_Status *status);
int MPI_Waitsome(int incount, MPI_Request array_of_requests[], int *outcount,
		 int array_of_indices[], MPI_Status array_of_statuses[]);
int MPI_Testsome(int incount, MPI_Request array_of_requests[], int *outcount,
		 int array_of_indices[], MPI_Status array_of_statuses[]);
int MPI_Request_free(MPI_Request *request);
int MPI_Cancel(MPI_Request *request);
int MPI_Test_cancelled(const MPI_Status *status, int *flag);

/* ---- datatypes (mpi/type.c) ---- */

int MPI_Type_size(MPI_Datatype datatype, int *size);
int MPI_Type_get_extent(MPI_Datatype datatype, MPI_Aint *lb, MPI_Aint *extent);
int MPI_Type_get_true_extent(MPI_Datatype datatype, MPI_Aint *true_lb,
			     MPI_Aint *true_extent);
int MPI_Type_commit(MPI_Datatype *datatype);
int MPI_Type_free(MPI_Datatype *datatype);
int MPI_Type_dup(MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_contiguous(int count, MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_vector(int count, int blocklength, int stride,
		    MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_create_hvector(int count, int blocklength, MPI_Aint stride,
			    MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_indexed(int count, const int array_of_blocklengths[],
		     const int array_of_displacements[], MPI_Datatype oldtype,
		     MPI_Datatype *newtype);
int MPI_Type_create_hindexed(int count, const int array_of_blocklengths[],
			     const MPI_Aint array_of_displacements[],
			     MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_create_indexed_block(int count, int blocklength,
				  const int array_of_displacements[],
				  MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_create_hindexed_block(int count, int blocklength,
				   const MPI_Aint array_of_displacements[],
				   MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Type_create_struct(int count, const int array_of_blocklengths[],
			   const MPI_Aint array_of_displacements[],
			   const MPI_Datatype array_of_types[],
			   MPI_Datatype *newtype);
int MPI_Type_create_resized(MPI_Datatype oldtype, MPI_Aint lb, MPI_Aint extent,
			    MPI_Datatype *newtype);

/* MPI_Type_create_subarray: row major (C) or column major (Fortran). */
enum { MPI_ORDER_C, MPI_ORDER_FORTRAN };

int MPI_Type_create_subarray(int ndims, const int array_of_sizes[],
			     const int array_of_subsizes[],
			     const int array_of_starts[], int order,
			     MPI_Datatype oldtype, MPI_Datatype *newtype);
int MPI_Pack(const void *inbuf, int incount, MPI_Datatype datatype,
	     void *outbuf, int outsize, int *position, MPI_Comm comm);
int MPI_Unpack(const void *inbuf, int insize, int *position, void *outbuf,
	       int outcount, MPI_Datatype datatype, MPI_Comm comm);
int MPI_Pack_size(int incount, MPI_Datatype datatype, MPI_Comm comm, int *size);
int MPI_Get_address(const void *location, MPI_Aint *address);
MPI_Aint MPI_Aint_add(MPI_Aint base, MPI_Aint disp);
MPI_Aint MPI_Aint_diff(MPI_Aint addr1, MPI_Aint addr2);

/* ---- reductions (mpi/op.c) ---- */

int MPI_Op_create(MPI_User_function *user_fn, int commute, MPI_Op *op);
int MPI_Op_free(MPI_Op *op);
int MPI_Op_commutative(MPI_Op op, int *commute);
int MPI_Reduce_local(const void *inbuf, void *inoutbuf, int count,
		     MPI_Datatype datatype, MPI_Op op);

/* ---- collectives (mpi/coll.c, mpi/coll_algo.c) ---- */

int MPI_Barrier(MPI_Comm comm);
int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root,
	      MPI_Comm comm);
int MPI_Reduce(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm);
int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count,
		  MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int MPI_Gather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
	       void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
	       MPI_Comm comm);
int MPI_Gatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, const int recvcounts[], const int displs[],
		MPI_Datatype recvtype, int root, MPI_Comm comm);
int MPI_Scatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		MPI_Comm comm);
int MPI_Scatterv(const void *sendbuf, const int sendcounts[],
		 const int displs[], MPI_Datatype sendtype, void *recvbuf,
		 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm);
int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm);
int MPI_Allgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, const int recvcounts[], const int displs[],
		   MPI_Datatype recvtype, MPI_Comm comm);
int MPI_Alltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, int recvcount, MPI_Datatype recvtype,
		 MPI_Comm comm);
int MPI_Alltoallv(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
		  const int recvcounts[], const int rdispls[],
		  MPI_Datatype recvtype, MPI_Comm comm);
int MPI_Alltoallw(const void *sendbuf, const int sendcounts[],
		  const int sdispls[], const MPI_Datatype sendtypes[],
		  void *recvbuf, const int recvcounts[], const int rdispls[],
		  const MPI_Datatype recvtypes[], MPI_Comm comm);
int MPI_Reduce_scatter(const void *sendbuf, void *recvbuf,
		       const int recvcounts[], MPI_Datatype datatype, MPI_Op op,
		       MPI_Comm comm);
int MPI_Reduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
			     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int MPI_Scan(const void *sendbuf, void *recvbuf, int count,
	     MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);
int MPI_Exscan(const void *sendbuf, void *recvbuf, int count,
	       MPI_Datatype datatype, MPI_Op op, MPI_Comm comm);

/* The nonblocking forms: advanced by the wait and test calls. */
int MPI_Ibarrier(MPI_Comm comm, MPI_Request *request);
int MPI_Ibcast(void *buffer, int count, MPI_Datatype datatype, int root,
	       MPI_Comm comm, MPI_Request *request);
int MPI_Ireduce(const void *sendbuf, void *recvbuf, int count,
		MPI_Datatype datatype, MPI_Op op, int root, MPI_Comm comm,
		MPI_Request *request);
int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count,
		   MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
		   MPI_Request *request);
int MPI_Igather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		MPI_Comm comm, MPI_Request *request);
int MPI_Igatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, const int recvcounts[], const int displs[],
		 MPI_Datatype recvtype, int root, MPI_Comm comm,
		 MPI_Request *request);
int MPI_Iscatter(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		 void *recvbuf, int recvcount, MPI_Datatype recvtype, int root,
		 MPI_Comm comm, MPI_Request *request);
int MPI_Iscatterv(const void *sendbuf, const int sendcounts[],
		  const int displs[], MPI_Datatype sendtype, void *recvbuf,
		  int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm,
		  MPI_Request *request);
int MPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		   void *recvbuf, int recvcount, MPI_Datatype recvtype,
		   MPI_Comm comm, MPI_Request *request);
int MPI_Iallgatherv(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		    void *recvbuf, const int recvcounts[], const int displs[],
		    MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request);
int MPI_Ialltoall(const void *sendbuf, int sendcount, MPI_Datatype sendtype,
		  void *recvbuf, int recvcount, MPI_Datatype recvtype,
		  MPI_Comm comm, MPI_Request *request);
int MPI_Ialltoallv(const void *sendbuf, const int sendcounts[],
		   const int sdispls[], MPI_Datatype sendtype, void *recvbuf,
		   const int recvcounts[], const int rdispls[],
		   MPI_Datatype recvtype, MPI_Comm comm, MPI_Request *request);
int MPI_Ialltoallw(const void *sendbuf, const int sendcounts[],
		   const int sdispls[], const MPI_Datatype sendtypes[],
		   void *recvbuf, const int recvcounts[], const int rdispls[],
		   const MPI_Datatype recvtypes[], MPI_Comm comm,
		   MPI_Request *request);
int MPI_Ireduce_scatter(const void *sendbuf, void *recvbuf,
			const int recvcounts[], MPI_Datatype datatype,
			MPI_Op op, MPI_Comm comm, MPI_Request *request);
int MPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount,
			      MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
			      MPI_Request *request);
int MPI_Iscan(const void *sendbuf, void *recvbuf, int count,
	      MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
	      MPI_Request *request);
int MPI_Iexscan(const void *sendbuf, void *recvbuf, int count,
		MPI_Datatype datatype, MPI_Op op, MPI_Comm comm,
		MPI_Request *request);

/* ---- one-sided (mpi/win.c, mpi/win_sync.c, mpi/win_rma.c) ---- */

int MPI_Win_create(void *base, MPI_Aint size, int disp_unit, MPI_Info info,
		   MPI_Comm comm, MPI_Win *win);
int MPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
		     void *baseptr, MPI_Win *win);
int MPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win *win);
int MPI_Win_attach(MPI_Win win, void *base, MPI_Aint size);
int MPI_Win_detach(MPI_Win win, const void *base);
int MPI_Win_free(MPI_Win *win);
int MPI_Win_get_attr(MPI_Win win, int keyval, void *attribute_val, int *flag);
int MPI_Win_get_group(MPI_Win win, MPI_Group *group);
int MPI_Win_set_name(MPI_Win win, const char *win_name);
int MPI_Win_get_name(MPI_Win win, char *win_name, int *resultlen);
int MPI_Win_set_errhandler(MPI_Win win, MPI_Errhandler errhandler);
int MPI_Win_get_errhandler(MPI_Win win, MPI_Errhandler *errhandler);

int MPI_Win_fence(int assert, MPI_Win win);
int MPI_Win_lock(int lock_type, int rank, int assert, MPI_Win win);
int MPI_Win_unlock(int rank, MPI_Win win);
int MPI_Win_lock_all(int assert, MPI_Win win);
int MPI_Win_unlock_all(MPI_Win win);
int MPI_Win_flush(int rank, MPI_Win win);
int MPI_Win_flush_all(MPI_Win win);
int MPI_Win_flush_local(int rank, MPI_Win win);
int MPI_Win_flush_local_all(MPI_Win win);
int MPI_Win_sync(MPI_Win win);
int MPI_Win_post(MPI_Group group, int assert, MPI_Win win);
int MPI_Win_start(MPI_Group group, int assert, MPI_Win win);
int MPI_Win_complete(MPI_Win win);
int MPI_Win_wait(MPI_Win win);
int MPI_Win_test(MPI_Win win, int *flag);

int MPI_Put(const void *origin_addr, int origin_count,
	    MPI_Datatype origin_datatype, int target_rank, MPI_Aint target_disp,
	    int target_count, MPI_Datatype target_datatype, MPI_Win win);
int MPI_Get(void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
	    int target_rank, MPI_Aint target_disp, int target_count,
	    MPI_Datatype target_datatype, MPI_Win win);
int MPI_Rput(const void *origin_addr, int origin_count,
	     MPI_Datatype origin_datatype, int target_rank,
	     MPI_Aint target_disp, int target_count,
	     MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request);
int MPI_Rget(void *origin_addr, int origin_count, MPI_Datatype origin_datatype,
	     int target_rank, MPI_Aint target_disp, int target_count,
	     MPI_Datatype target_datatype, MPI_Win win, MPI_Request *request);
int MPI_Accumulate(const void *origin_addr, int origin_count,
		   MPI_Datatype origin_datatype, int target_rank,
		   MPI_Aint target_disp, int target_count,
		   MPI_Datatype target_datatype, MPI_Op op, MPI_Win win);
int MPI_Get_accumulate(const void *origin_addr, int origin_count,
		       MPI_Datatype origin_datatype, void *result_addr,
		       int result_count, MPI_Datatype result_datatype,
		       int target_rank, MPI_Aint target_disp, int target_count,
		       MPI_Datatype target_datatype, MPI_Op op, MPI_Win win);
int MPI_Fetch_and_op(const void *origin_addr, void *result_addr,
		     MPI_Datatype datatype, int target_rank,
		     MPI_Aint target_disp, MPI_Op op, MPI_Win win);
int MPI_Compare_and_swap(const void *origin_addr, const void *compare_addr,
			 void *result_addr, MPI_Datatype datatype,
			 int target_rank, MPI_Aint target_disp, MPI_Win win);

#ifdef __cplusplus
}
#endif

#endif
