/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of snemu probe's PNG encoder and heatmap. A small decoder here
 * checks what a PNG reader checks: signature, chunk CRCs, IHDR, the zlib
 * header, stored blocks (LEN/NLEN), Adler-32 and the scanlines.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tools/probe/probe.h"

struct image {
	int w, h, ncolors;
	uint8_t pal[256 * 3];
	uint8_t *px;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void decode(const uint8_t *b, size_t len, struct image *im)
{
	static const uint8_t sig[8] = {0x89, 'P',  'N',	 'G',
				       '\r', '\n', 0x1a, '\n'};
	uint8_t *z = NULL, *raw;
	size_t zlen = 0, off = 8, rlen = 0, zi;
	int seen_end = 0;

	memset(im, 0, sizeof(*im));
	assert_true(len > 8 && !memcmp(b, sig, 8));
	while (off < len) {
		uint32_t n = rd32(b + off);
		const uint8_t *type = b + off + 4, *data = b + off + 8;

		assert_true(off + 12 + n <= len);
		assert_int_equal(rd32(data + n), probe_crc32(0, type, 4 + n));
		if (!memcmp(type, "IHDR", 4)) {
			assert_int_equal(n, 13);
			im->w = (int)rd32(data);
			im->h = (int)rd32(data + 4);
			assert_int_equal(data[8], 8); /* bit depth */
			assert_int_equal(data[9], 3); /* palette */
			assert_true(!data[10] && !data[11] && !data[12]);
		} else if (!memcmp(type, "PLTE", 4)) {
			assert_true(n % 3 == 0 && n <= sizeof(im->pal));
			im->ncolors = (int)n / 3;
			memcpy(im->pal, data, n);
		} else if (!memcmp(type, "IDAT", 4)) {
			z = realloc(z, zlen + n);
			memcpy(z + zlen, data, n);
			zlen += n;
		} else if (!memcmp(type, "IEND", 4)) {
			assert_int_equal(n, 0);
			seen_end = 1;
		}
		off += 12 + n;
	}
	assert_true(seen_end && off == len && im->w > 0 && im->h > 0);
	assert_true(zlen >= 6);
	assert_int_equal(z[0] & 0x0f, 8); /* deflate */
	assert_int_equal((z[0] << 8 | z[1]) % 31, 0);
	raw = malloc((size_t)(im->w + 1) * im->h);
	for (zi = 2;;) {
		int final = z[zi] & 1;
		uint16_t n, nn;

		assert_int_equal((z[zi] >> 1) & 3, 0); /* stored */
		n = z[zi + 1] | z[zi + 2] << 8;
		nn = z[zi + 3] | z[zi + 4] << 8;
		assert_int_equal((uint16_t)~n, nn);
		zi += 5;
		assert_true(zi + n <= zlen - 4);
		assert_true(rlen + n <= (size_t)(im->w + 1) * im->h);
		memcpy(raw + rlen, z + zi, n);
		rlen += n;
		zi += n;
		if (final)
			break;
	}
	assert_int_equal(zi + 4, zlen);
	assert_int_equal(rlen, (size_t)(im->w + 1) * im->h);
	assert_int_equal(rd32(z + zi), probe_adler32(1, raw, rlen));
	im->px = malloc((size_t)im->w * im->h);
	for (int y = 0; y < im->h; y++) {
		assert_int_equal(raw[(size_t)y * (im->w + 1)], 0); /* filter */
		memcpy(im->px + (size_t)y * im->w,
		       raw + (size_t)y * (im->w + 1) + 1, im->w);
	}
	free(raw);
	free(z);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc(n + 1);
	assert_int_equal(fread(b, 1, n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void checksums_known_vectors(void **state)
{
	assert_int_equal(probe_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(probe_crc32(0, "", 0), 0);
	/* Chaining equals one pass. */
	assert_int_equal(probe_crc32(probe_crc32(0, "1234", 4), "56789", 5),
			 0xcbf43926u);
	assert_int_equal(probe_adler32(1, "Wikipedia", 9), 0x11e60398u);
	assert_int_equal(probe_adler32(1, "", 0), 1);
}

static void roundtrip(int w, int h)
{
	char path[] = "/tmp/test_probe_png.XXXXXX";
	uint8_t pal[4 * 3] = {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255};
	uint8_t *px = malloc((size_t)w * h), *file;
	struct image im;
	size_t len;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	for (int i = 0; i < w * h; i++)
		px[i] = (uint8_t)((i * 7 + i / w) % 4);
	assert_int_equal(probe_png_write(f, px, w, h, pal, 4), 0);
	fclose(f);
	file = read_all(path, &len);
	decode(file, len, &im);
	assert_int_equal(im.w, w);
	assert_int_equal(im.h, h);
	assert_int_equal(im.ncolors, 4);
	assert_memory_equal(im.pal, pal, sizeof(pal));
	assert_memory_equal(im.px, px, (size_t)w * h);
	free(im.px);
	free(file);
	free(px);
	unlink(path);
}

static void png_roundtrip_small(void **state)
{
	roundtrip(3, 2);
}

/* Several stored blocks, and raw data of exactly one full block (65535
 * bytes: 255 x 257), which needs a final empty block. */
static void png_roundtrip_block_edges(void **state)
{
	roundtrip(300, 300);
	roundtrip(254, 257);
}

static void png_rejects_bad_arguments(void **state)
{
	uint8_t px = 0, pal[3] = {0};
	FILE *f = fopen("/dev/null", "wb");

	assert_int_equal(probe_png_write(f, &px, 0, 1, pal, 1), -EINVAL);
	assert_int_equal(probe_png_write(f, &px, 1, 1, pal, 0), -EINVAL);
	fclose(f);
}

/* 16 endpoints on 2 nodes: intra pairs 1 usec, inter 2 usec. */
static void fill_two_nodes(double *v, int *label)
{
	for (int i = 0; i < 16; i++) {
		label[i] = i / 8;
		for (int j = 0; j < 16; j++)
			v[i * 16 + j] = i == j ? NAN : i / 8 == j / 8 ? 1 : 2;
	}
}

static int count_rgb(const struct image *im, uint8_t r, uint8_t g, uint8_t b)
{
	int n = 0;

	for (int i = 0; i < im->w * im->h; i++) {
		const uint8_t *c = im->pal + 3 * im->px[i];

		n += c[0] == r && c[1] == g && c[2] == b;
	}
	return n;
}

static void heatmap_png_draws_every_cell(void **state)
{
	char path[] = "/tmp/test_probe_hm_XXXXXX.png";
	double v[256];
	int label[16], cell, fd = mkstemps(path, 4);
	struct probe_heatmap hm = {16,	   v,	  label, "ONE-WAY LATENCY, 8 B",
				   "NODE", "USEC"};
	struct image im;
	uint8_t *file;
	size_t len;

	assert_true(fd >= 0);
	close(fd);
	fill_two_nodes(v, label);
	assert_int_equal(probe_heatmap_write(&hm, path), 0);
	file = read_all(path, &len);
	decode(file, len, &im);
	cell = 512 / 16;
	assert_true(im.w > 16 * cell && im.h > 16 * cell);
	/* The diagonal is the only grey. */
	assert_int_equal(count_rgb(&im, 200, 200, 200), 16 * cell * cell);
	/* Low end of the ramp: 112 intra cells (plus a bar row or so). */
	assert_in_range(count_rgb(&im, 68, 1, 84), 112 * cell * cell,
			112 * cell * cell + 64);
	assert_in_range(count_rgb(&im, 253, 231, 37), 128 * cell * cell,
			128 * cell * cell + 64);
	/* Text was drawn: black pixels exist. */
	assert_true(count_rgb(&im, 0, 0, 0) > 100);
	free(im.px);
	free(file);
	unlink(path);
}

static void heatmap_svg_and_bad_extension(void **state)
{
	char path[] = "/tmp/test_probe_hm_XXXXXX.svg";
	double v[256];
	int label[16], fd = mkstemps(path, 4);
	struct probe_heatmap hm = {16, v, label, "T", "NODE", "USEC"};
	size_t len;
	char *text;

	assert_true(fd >= 0);
	close(fd);
	fill_two_nodes(v, label);
	assert_int_equal(probe_heatmap_write(&hm, path), 0);
	text = (char *)read_all(path, &len);
	assert_true(!strncmp(text, "<svg ", 5));
	assert_non_null(strstr(text, "</svg>\n"));
	assert_non_null(strstr(text, ">SRC NODE</text>"));
	assert_non_null(strstr(text, ">DST NODE</text>"));
	assert_non_null(strstr(text, ">USEC</text>"));
	assert_non_null(strstr(text, "fill=\"#440154\"")); /* ramp low */
	assert_non_null(strstr(text, "fill=\"#fde725\"")); /* ramp high */
	free(text);
	unlink(path);
	assert_int_equal(probe_heatmap_write(&hm, "/tmp/x.jpg"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(checksums_known_vectors),
		cmocka_unit_test(png_roundtrip_small),
		cmocka_unit_test(png_roundtrip_block_edges),
		cmocka_unit_test(png_rejects_bad_arguments),
		cmocka_unit_test(heatmap_png_draws_every_cell),
		cmocka_unit_test(heatmap_svg_and_bad_extension),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
