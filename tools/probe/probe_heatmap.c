/* SPDX-License-Identifier: MIT */
/*
 * snemu probe: the latency heatmap. The picture is drawn once, through a
 * two-call canvas (rectangles and text), onto either a palette raster that
 * becomes a PNG (text in a built-in 3x5 bitmap font) or an SVG.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/output.h"
#include "tools/probe/probe.h"

#define FS	  2 /* font scale: a 3x5 glyph is 6x10 pixels */
#define CH_W	  (3 * FS)
#define CH_H	  (5 * FS)
#define CH_ADV	  (CH_W + FS)
#define PAD	  8
#define BAR_W	  14
#define MATRIX_PX 512 /* the matrix side aims at this many pixels */

enum { C_BG, C_FG, C_NAN, C_LEVEL0 };
#define NLEVELS (256 - C_LEVEL0)

/* 3x5 glyphs, one octal digit per row (top first), bit 2 = left column. */
static const uint16_t font[128] = {
	['0'] = 075557, ['1'] = 026227, ['2'] = 071747, ['3'] = 071717,
	['4'] = 055711, ['5'] = 074717, ['6'] = 074757, ['7'] = 071122,
	['8'] = 075757, ['9'] = 075717, ['A'] = 025755, ['B'] = 065656,
	['C'] = 034443, ['D'] = 065556, ['E'] = 074647, ['F'] = 074644,
	['G'] = 034553, ['H'] = 055755, ['I'] = 072227, ['J'] = 011152,
	['K'] = 055655, ['L'] = 044447, ['M'] = 057755, ['N'] = 065555,
	['O'] = 025552, ['P'] = 065644, ['Q'] = 025563, ['R'] = 065655,
	['S'] = 034216, ['T'] = 072222, ['U'] = 055557, ['V'] = 055552,
	['W'] = 055775, ['X'] = 055255, ['Y'] = 055222, ['Z'] = 071247,
	['.'] = 000002, ['-'] = 000700, [','] = 000024, [':'] = 002020,
	['/'] = 011244, ['('] = 012221, [')'] = 042224, ['>'] = 042124,
	['%'] = 051245, ['='] = 007070, ['+'] = 002720,
};

struct canvas {
	void (*rect)(struct canvas *c, int x, int y, int w, int h, int color);
	/* (x, y): top left of the text's box; vertical reads bottom-up. */
	void (*text)(struct canvas *c, int x, int y, const char *s,
		     int vertical);
};

struct layout {
	int n, cell, m; /* cells, pixels per cell, matrix side */
	int left, top;	/* matrix origin */
	int bar_x;
	int w, h;
	double lo, hi;
};

static int text_w(const char *s)
{
	return (int)strlen(s) * CH_ADV - FS;
}

/* A viridis-like ramp through five anchors. */
static void palette(uint8_t pal[256 * 3])
{
	static const uint8_t anchor[5][3] = {
		{68, 1, 84},   {59, 82, 139},  {33, 145, 140},
		{94, 201, 98}, {253, 231, 37},
	};

	memset(pal, 0, 256 * 3);
	memset(pal + 3 * C_BG, 255, 3);
	memset(pal + 3 * C_NAN, 200, 3);
	for (int i = 0; i < NLEVELS; i++) {
		double t = 4.0 * i / (NLEVELS - 1);
		int k = t >= 4 ? 3 : (int)t;
		double f = t - k;

		for (int ch = 0; ch < 3; ch++)
			pal[3 * (C_LEVEL0 + i) + ch] = (uint8_t)lround(
				anchor[k][ch] +
				f * (anchor[k + 1][ch] - anchor[k][ch]));
	}
}

static int level(const struct layout *l, double v)
{
	if (isnan(v))
		return C_NAN;
	if (l->hi <= l->lo)
		return C_LEVEL0 + NLEVELS / 2;
	return C_LEVEL0 +
	       (int)lround((v - l->lo) / (l->hi - l->lo) * (NLEVELS - 1));
}

static void fmt_val(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.3f", v);
}

static void plan(const struct probe_heatmap *hm, struct layout *l)
{
	char lo[32], hi[32];
	int digits = 1, label_w, need;

	memset(l, 0, sizeof(*l));
	l->n = hm->n;
	l->lo = INFINITY;
	l->hi = -INFINITY;
	for (int i = 0; i < hm->n * hm->n; i++) {
		if (isnan(hm->val[i]))
			continue;
		l->lo = fmin(l->lo, hm->val[i]);
		l->hi = fmax(l->hi, hm->val[i]);
	}
	if (l->lo > l->hi)
		l->lo = l->hi = 0;
	for (int i = 0; i < hm->n; i++) {
		char b[16];

		snprintf(b, sizeof(b), "%d", hm->label[i]);
		digits = digits > (int)strlen(b) ? digits : (int)strlen(b);
	}
	l->cell = MATRIX_PX / hm->n;
	l->cell = l->cell < 1 ? 1 : l->cell > 32 ? 32 : l->cell;
	l->m = hm->n * l->cell;
	l->left = PAD + CH_H + 6 + digits * CH_ADV + 6;
	l->top = PAD + CH_H + 6 + CH_H + 6;
	l->bar_x = l->left + l->m + 16;
	fmt_val(l->lo, lo, sizeof(lo));
	fmt_val(l->hi, hi, sizeof(hi));
	label_w = text_w(strlen(lo) > strlen(hi) ? lo : hi);
	need = text_w(hm->unit);
	l->w = l->bar_x + BAR_W + 6 + (label_w > need ? label_w : need) + PAD;
	need = 2 * PAD + text_w(hm->title);
	l->w = l->w > need ? l->w : need;
	l->h = l->top + l->m + 6 + CH_H + 6 + CH_H + PAD;
}

/* Room a label needs along the axis, and the gap kept between labels. */
static int label_room(const struct probe_heatmap *hm, int vertical)
{
	int maxl = 0;
	char b[16];

	for (int i = 0; i < hm->n; i++)
		maxl = hm->label[i] > maxl ? hm->label[i] : maxl;
	snprintf(b, sizeof(b), "%d", maxl);
	return vertical ? CH_H + 2 : text_w(b) + 4;
}

/*
 * A run of cells wide enough for its label always gets it; narrower runs
 * are labelled every step-th node, step in 1, 2, 5, 10, 20, 50... so that
 * even the narrowest runs leave room; a label that would still touch its
 * neighbour is skipped.
 */
static int label_step(const struct probe_heatmap *hm, const struct layout *l,
		      int room)
{
	int narrow = hm->n, step = 1;

	for (int s = 0, e; s < hm->n; s = e) {
		for (e = s + 1; e < hm->n && hm->label[e] == hm->label[s]; e++)
			;
		narrow = e - s < narrow ? e - s : narrow;
	}
	for (int k = 0; step * narrow * l->cell < room; k++)
		step = k % 3 == 1 ? step / 2 * 5 : step * 2;
	return step;
}

/* Node labels and boundary ticks along one axis. */
static void draw_axis(const struct probe_heatmap *hm, const struct layout *l,
		      struct canvas *c, int vertical)
{
	int room = label_room(hm, vertical), step = label_step(hm, l, room);
	int last_end = -1000;

	for (int s = 0, e; s < hm->n; s = e) {
		char b[16];
		int tw, p;

		for (e = s + 1; e < hm->n && hm->label[e] == hm->label[s]; e++)
			;
		if (vertical)
			c->rect(c, l->left - 4, l->top + s * l->cell, 4, 1,
				C_FG);
		else
			c->rect(c, l->left + s * l->cell, l->top + l->m, 1, 4,
				C_FG);
		if (hm->label[s] % step && (e - s) * l->cell < room)
			continue;
		snprintf(b, sizeof(b), "%d", hm->label[s]);
		tw = vertical ? CH_H : text_w(b);
		p = (s + e) * l->cell / 2 - tw / 2;
		if (p < last_end + room - tw)
			continue;
		if (vertical)
			c->text(c, l->left - 6 - text_w(b), l->top + p, b, 0);
		else
			c->text(c, l->left + p, l->top + l->m + 6, b, 0);
		last_end = p + tw;
	}
}

static void draw(const struct probe_heatmap *hm, const struct layout *l,
		 struct canvas *c)
{
	char lo[32], hi[32], mid[32], title[128];

	c->rect(c, 0, 0, l->w, l->h, C_BG);
	c->text(c, PAD, PAD, hm->title, 0);

	for (int i = 0; i < hm->n; i++) {
		for (int j = 0, k; j < hm->n; j = k) {
			int col = level(l, hm->val[i * hm->n + j]);

			for (k = j + 1; k < hm->n &&
					level(l, hm->val[i * hm->n + k]) == col;
			     k++)
				;
			c->rect(c, l->left + j * l->cell, l->top + i * l->cell,
				(k - j) * l->cell, l->cell, col);
		}
	}
	draw_axis(hm, l, c, 0);
	draw_axis(hm, l, c, 1);
	snprintf(title, sizeof(title), "DST %s", hm->axis);
	c->text(c, l->left + (l->m - text_w(title)) / 2,
		l->top + l->m + 6 + CH_H + 6, title, 0);
	snprintf(title, sizeof(title), "SRC %s", hm->axis);
	c->text(c, PAD, l->top + (l->m - text_w(title)) / 2, title, 1);

	/* Colour bar, high values at the top. */
	for (int y = 0; y < l->m; y++) {
		int lev = l->m > 1 ? (NLEVELS - 1) * (l->m - 1 - y) / (l->m - 1)
				   : NLEVELS / 2;

		c->rect(c, l->bar_x, l->top + y, BAR_W, 1, C_LEVEL0 + lev);
	}
	c->text(c, l->bar_x, l->top - CH_H - 6, hm->unit, 0);
	fmt_val(l->hi, hi, sizeof(hi));
	fmt_val(l->lo, lo, sizeof(lo));
	fmt_val((l->lo + l->hi) / 2, mid, sizeof(mid));
	c->text(c, l->bar_x + BAR_W + 4, l->top, hi, 0);
	c->text(c, l->bar_x + BAR_W + 4, l->top + l->m - CH_H, lo, 0);
	if (l->m >= 5 * CH_H)
		c->text(c, l->bar_x + BAR_W + 4, l->top + (l->m - CH_H) / 2,
			mid, 0);
}

/* --- the raster backend --- */

struct raster {
	struct canvas c;
	int w, h;
	uint8_t *px;
};

static void raster_rect(struct canvas *c, int x, int y, int w, int h, int color)
{
	struct raster *r = (struct raster *)c;

	for (int j = y < 0 ? 0 : y; j < y + h && j < r->h; j++)
		for (int i = x < 0 ? 0 : x; i < x + w && i < r->w; i++)
			r->px[(size_t)j * r->w + i] = (uint8_t)color;
}

static void raster_text(struct canvas *c, int x, int y, const char *s,
			int vertical)
{
	int len = (int)strlen(s), tw = text_w(s);

	for (int k = 0; k < len; k++) {
		uint16_t g = font[toupper((unsigned char)s[k]) & 0x7f];

		for (int row = 0; row < 5; row++) {
			for (int col = 0; col < 3; col++) {
				int gx = k * CH_ADV + col * FS, gy = row * FS;

				if (!(g >> (3 * (4 - row)) & (4 >> col)))
					continue;
				if (vertical)
					raster_rect(c, x + gy, y + tw - gx - FS,
						    FS, FS, C_FG);
				else
					raster_rect(c, x + gx, y + gy, FS, FS,
						    C_FG);
			}
		}
	}
}

/* --- the SVG backend --- */

struct svg {
	struct canvas c;
	FILE *f;
	const uint8_t *pal;
};

static void svg_rect(struct canvas *c, int x, int y, int w, int h, int color)
{
	struct svg *v = (struct svg *)c;
	const uint8_t *p = v->pal + 3 * color;

	fprintf(v->f,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"#%02x%02x%02x\"/>\n",
		x, y, w, h, p[0], p[1], p[2]);
}

static void svg_text(struct canvas *c, int x, int y, const char *s,
		     int vertical)
{
	struct svg *v = (struct svg *)c;

	if (vertical)
		fprintf(v->f,
			"<text transform=\"translate(%d %d) rotate(-90)\"",
			x + CH_H, y + text_w(s));
	else
		fprintf(v->f, "<text x=\"%d\" y=\"%d\"", x, y + CH_H);
	fprintf(v->f, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\">",
		text_w(s));
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", v->f);
		else if (*s == '>')
			fputs("&gt;", v->f);
		else if (*s == '&')
			fputs("&amp;", v->f);
		else
			fputc(*s, v->f);
	}
	fputs("</text>\n", v->f);
}

int probe_heatmap_write(const struct probe_heatmap *hm, const char *path)
{
	const char *ext = strrchr(path, '.');
	uint8_t pal[256 * 3];
	struct layout l;
	int png, ret = 0;
	struct snemu_outfile out;
	FILE *f;

	if (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg")))
		return -EINVAL;
	if (hm->n < 1)
		return -EINVAL;
	png = !strcmp(ext, ".png");
	palette(pal);
	plan(hm, &l);
	ret = snemu_outfile_open(path, &out);
	if (ret)
		return ret;
	f = out.f;
	if (png) {
		struct raster r = {
			.c = {raster_rect, raster_text},
			.w = l.w,
			.h = l.h,
			.px = malloc((size_t)l.w * l.h),
		};

		if (!r.px) {
			ret = -ENOMEM;
		} else {
			draw(hm, &l, &r.c);
			ret = probe_png_write(f, r.px, l.w, l.h, pal, 256);
			free(r.px);
		}
	} else {
		struct svg v = {.c = {svg_rect, svg_text}, .f = f, .pal = pal};

		fprintf(f,
			"<svg xmlns=\"http://www.w3.org/2000/svg\" "
			"width=\"%d\" "
			"height=\"%d\" viewBox=\"0 0 %d %d\" "
			"font-family=\"monospace\" font-size=\"13\" "
			"shape-rendering=\"crispEdges\">\n",
			l.w, l.h, l.w, l.h);
		draw(hm, &l, &v.c);
		fputs("</svg>\n", f);
	}
	return snemu_outfile_close(&out, !ret) ?: ret;
}
