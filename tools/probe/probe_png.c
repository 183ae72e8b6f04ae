/* SPDX-License-Identifier: MIT */
/*
 * snemu probe: a minimal PNG encoder. 8-bit palette images in a zlib stream
 * of stored (uncompressed) deflate blocks: no compression library needed,
 * and a heatmap of a few hundred pixels a side stays a few hundred KiB.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/probe/probe.h"

#define STORED_MAX 65535 /* largest stored deflate block */

uint32_t probe_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;

	if (!table[1]) {
		for (uint32_t n = 0; n < 256; n++) {
			uint32_t c = n;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[n] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t probe_adler32(uint32_t adler, const void *buf, size_t len)
{
	uint32_t a = adler & 0xffff, b = adler >> 16;
	const uint8_t *p = buf;

	while (len) {
		/* 5552 bytes is the most that cannot overflow b (zlib's NMAX). */
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* One chunk: length, type, data, CRC over type and data. */
static void chunk(FILE *f, const char *type, const uint8_t *data, size_t len)
{
	uint8_t hdr[8], crc[4];

	be32(hdr, (uint32_t)len);
	memcpy(hdr + 4, type, 4);
	be32(crc, probe_crc32(probe_crc32(0, type, 4), data, len));
	fwrite(hdr, 1, 8, f);
	if (len)
		fwrite(data, 1, len, f);
	fwrite(crc, 1, 4, f);
}

int probe_png_write(FILE *f, const uint8_t *px, int w, int h,
		    const uint8_t *pal, int ncolors)
{
	static const uint8_t sig[8] = {0x89, 'P',  'N',	 'G',
				       '\r', '\n', 0x1a, '\n'};
	size_t row = (size_t)w + 1, raw_len = row * h;
	size_t nblk = raw_len / STORED_MAX + 1;
	size_t zlen = 2 + raw_len + 5 * nblk + 4;
	uint8_t ihdr[13], *raw, *z, *q;

	if (w <= 0 || h <= 0 || ncolors < 1 || ncolors > 256)
		return -EINVAL;
	raw = malloc(raw_len);
	z = malloc(zlen);
	if (!raw || !z) {
		free(raw);
		free(z);
		return -ENOMEM;
	}
	for (int y = 0; y < h; y++) {
		raw[y * row] = 0; /* filter: none */
		memcpy(raw + y * row + 1, px + (size_t)y * w, w);
	}
	q = z;
	*q++ = 0x78; /* deflate, 32K window */
	*q++ = 0x01; /* no dictionary, fastest; (0x7801 % 31 == 0) */
	for (size_t off = 0, i = 0; i < nblk; i++) {
		size_t n =
			raw_len - off < STORED_MAX ? raw_len - off : STORED_MAX;

		*q++ = i == nblk - 1; /* BFINAL, BTYPE 00 */
		*q++ = n & 0xff;
		*q++ = n >> 8;
		*q++ = ~n & 0xff;
		*q++ = (~n >> 8) & 0xff;
		memcpy(q, raw + off, n);
		q += n;
		off += n;
	}
	be32(q, probe_adler32(1, raw, raw_len));

	be32(ihdr, w);
	be32(ihdr + 4, h);
	ihdr[8] = 8;  /* bit depth */
	ihdr[9] = 3;  /* colour type: palette */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering */
	ihdr[12] = 0; /* no interlace */
	fwrite(sig, 1, sizeof(sig), f);
	chunk(f, "IHDR", ihdr, sizeof(ihdr));
	chunk(f, "PLTE", pal, 3 * (size_t)ncolors);
	chunk(f, "IDAT", z, zlen);
	chunk(f, "IEND", NULL, 0);
	free(raw);
	free(z);
	return ferror(f) ? -EIO : 0;
}
