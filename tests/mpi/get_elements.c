/* SPDX-License-Identifier: MIT */
/*
 * get_elements: MPI_Get_elements and MPI_Get_count of receives that end
 * inside an element of a type of mixed basic elements (MPI-3.1 4.1.11):
 * a struct of an int and a double, MPI_DOUBLE_INT, and a struct of two
 * of the first and a short. Rank 1 packs a sequence of basic elements
 * (MPI_Pack) and sends it as MPI_PACKED; rank 0 receives it with the
 * type, count 3. The elements are every basic element received, those of
 * a partial last element included; the count is MPI_UNDEFINED unless
 * whole elements arrived. Bytes that end inside a basic element (sent as
 * MPI_BYTE) make both MPI_UNDEFINED.
 * Ranks: any N >= 2 (ranks past 1 only take part in the ending).
 */
#include <stddef.h>
#include <string.h>

#include <mpi.h>

#include "tests/mpi/mtest.h"

#define TAG 1

struct int_double {
	int i;
	double d;
};

/*
 * A case: the basic elements sent, one letter each (I int, D double,
 * S short, B one MPI_BYTE), what is received and what the calls say.
 */
struct sent {
	const char *seq;
	int type; /* index in the types of main */
	int elements, count;
};

static const char *const type_names[] = {
	"struct {int, double}",
	"MPI_DOUBLE_INT",
	"struct {2 x struct {int, double}, short}",
};

static const struct sent cases[] = {
	{"", 0, 0, 0},
	{"I", 0, 1, MPI_UNDEFINED},
	{"ID", 0, 2, 1},
	{"IDI", 0, 3, MPI_UNDEFINED},
	{"IDIDI", 0, 5, MPI_UNDEFINED},
	{"IDIDID", 0, 6, 3},
	{"BBBBBB", 0, MPI_UNDEFINED, MPI_UNDEFINED},
	{"IBB", 0, MPI_UNDEFINED, MPI_UNDEFINED},
	{"D", 1, 1, MPI_UNDEFINED},
	{"DI", 1, 2, 1},
	{"DID", 1, 3, MPI_UNDEFINED},
	{"DIDI", 1, 4, 2},
	{"BBBBBBBBBB", 1, MPI_UNDEFINED, MPI_UNDEFINED},
	{"DIBB", 1, MPI_UNDEFINED, MPI_UNDEFINED},
	{"IDI", 2, 3, MPI_UNDEFINED},
	{"IDIDS", 2, 5, 1},
	{"IDIDSIDI", 2, 8, MPI_UNDEFINED},
	{"IDIDSB", 2, MPI_UNDEFINED, MPI_UNDEFINED},
};

#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

/* Rank 1: each case's elements, packed, as one MPI_PACKED message. */
static void send_cases(void)
{
	char buf[256];
	int i = 7;
	double d = 2.5;
	short sh = 3;
	unsigned char b = 0x5a;

	for (int c = 0; c < NCASES; c++) {
		int pos = 0;

		for (const char *p = cases[c].seq; *p; p++) {
			if (*p == 'I')
				MPI_Pack(&i, 1, MPI_INT, buf, sizeof(buf), &pos,
					 MPI_COMM_WORLD);
			else if (*p == 'D')
				MPI_Pack(&d, 1, MPI_DOUBLE, buf, sizeof(buf),
					 &pos, MPI_COMM_WORLD);
			else if (*p == 'S')
				MPI_Pack(&sh, 1, MPI_SHORT, buf, sizeof(buf),
					 &pos, MPI_COMM_WORLD);
			else
				MPI_Pack(&b, 1, MPI_BYTE, buf, sizeof(buf),
					 &pos, MPI_COMM_WORLD);
		}
		MPI_Send(buf, pos, MPI_PACKED, 0, TAG, MPI_COMM_WORLD);
	}
}

static void recv_cases(const MPI_Datatype *types)
{
	char buf[1024];

	for (int c = 0; c < NCASES; c++) {
		const struct sent *x = &cases[c];
		MPI_Status st;
		int e = -1, n = -1;

		MPI_Recv(buf, 3, types[x->type], 1, TAG, MPI_COMM_WORLD, &st);
		MPI_Get_elements(&st, types[x->type], &e);
		MPI_Get_count(&st, types[x->type], &n);
		CHECK(e == x->elements && n == x->count,
		      "%s received as 3 of %s: elements %d count %d, expected "
		      "%d %d\n",
		      x->seq, type_names[x->type], e, n, x->elements, x->count);
	}
}

int main(int argc, char **argv)
{
	struct int_double id;
	int lens[] = {1, 1}, nlens[] = {2, 1}, rank, size;
	MPI_Aint disps[] = {0, offsetof(struct int_double, d)};
	MPI_Aint ndisps[] = {0, 2 * sizeof(id)};
	MPI_Datatype base[] = {MPI_INT, MPI_DOUBLE}, nested[2], types[3], t;

	mtest_init(&argc, &argv, 2, &rank, &size);
	MPI_Type_create_struct(2, lens, disps, base, &t);
	MPI_Type_create_resized(t, 0, sizeof(id), &types[0]);
	MPI_Type_free(&t);
	types[1] = MPI_DOUBLE_INT;
	nested[0] = types[0];
	nested[1] = MPI_SHORT;
	MPI_Type_create_struct(2, nlens, ndisps, nested, &types[2]);
	MPI_Type_commit(&types[0]);
	MPI_Type_commit(&types[2]);
	if (rank == 1)
		send_cases();
	else if (rank == 0)
		recv_cases(types);
	MPI_Type_free(&types[0]);
	MPI_Type_free(&types[2]);
	return mtest_finish();
}
