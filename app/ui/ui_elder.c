/* ui_elder.c - measures elder mode on the screen shown (the script command
 * check_elder), against MIIT's aging-friendly rules for apps (2021,
 * 《移动互联网应用（APP）适老化通用设计规范》 1.1-1.4 and 2.1), in dp at the
 * configured dpi (dp = px x 160 / dpi): every text's font at least 18 dp
 * (titles and up 30 dp) and the largest text on the screen at least 30 dp;
 * line height at least 1.3 em; every touchable control at least 60 x 60 dp
 * (the rule's "main controls"; we hold every control to it); the contrast of
 * every text's colour against what is behind it (ui_text_colors: the colours
 * the drawing uses) at least 4.5:1, or 3:1 for text over 18 dp; the same
 * sampled from the rendered pixels for labels, buttons and big numbers; and
 * every error or warning drawn with its sign beside its words; the faces of
 * one rating question one size (their captions whole: check_uncut); every
 * key's label inside its key with a margin (kb_check_labels, from the
 * pixels). The widget tree gives sizes; the pixels give what a visitor
 * actually sees. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "ui_int.h"
#include "ui_script.h"

/* WCAG 2 relative luminance of an sRGB colour. */
static double lum(SDL_Color c)
{
    double v[3] = {c.r / 255.0, c.g / 255.0, c.b / 255.0};
    for (int i = 0; i < 3; i++)
        v[i] = v[i] <= 0.04045 ? v[i] / 12.92 : pow((v[i] + 0.055) / 1.055, 2.4);
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

double ui_contrast(SDL_Color a, SDL_Color b)
{
    double la = lum(a), lb = lum(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

struct check {
    char *err;
    size_t errsz, o;
    int bad;
    const char *screen;
    /* the worst seen, for the summary line */
    float min_text_dp, max_text_dp, min_target_dp, min_line;
    double min_contrast, min_sampled;
    int sampled, cues;
    const uint8_t *px;            /* the frame, ABGR8888 (R first in memory) */
    int pw, ph;
};

static void fail(struct check *c, const char *fmt, const char *id, double got, double want)
{
    c->bad++;
    if (c->o < c->errsz) {
        int n = snprintf(c->err + c->o, c->errsz - c->o, "%s%s: ", c->bad > 1 ? "; " : "",
                         id && *id ? id : "(no id)");
        c->o += n > 0 ? (size_t)n : 0;
    }
    if (c->o < c->errsz) {
        int n = snprintf(c->err + c->o, c->errsz - c->o, fmt, got, want);
        c->o += n > 0 ? (size_t)n : 0;
    }
}

/* Text drawn in font f meets its floor: 30 dp for a title's role (role,
 * the widget's own font, title or larger), 18 dp otherwise. */
static void text_size_role(struct check *c, const struct ui_widget *w, enum ui_font f,
                           enum ui_font role)
{
    float dp = ui_px_dp(ui_font_px(f));
    float want = role >= UI_FONT_TITLE ? UI_ELDER_TITLE_DP : UI_ELDER_TEXT_DP;
    if (dp < c->min_text_dp)
        c->min_text_dp = dp;
    if (dp > c->max_text_dp)
        c->max_text_dp = dp;
    if (dp + 0.01f < want)
        fail(c, "text %.1f dp, under %.0f dp", w->id, dp, want);
    float line = (float)ui_line_h(f) / (float)ui_font_px(f);
    if (line < c->min_line)
        c->min_line = line;
    if (line < 1.3f)
        fail(c, "line height %.2f em, under %.1f", w->id, line, 1.3);
}

static void text_size(struct check *c, const struct ui_widget *w, enum ui_font f)
{
    text_size_role(c, w, f, f);
}

static void contrast(struct check *c, const struct ui_widget *w, enum ui_text_part part,
                     enum ui_font f)
{
    SDL_Color fg, bg;
    if (ui_text_colors(w, part, &fg, &bg) < 0)
        return;
    double r = ui_contrast(fg, bg);
    double want = ui_px_dp(ui_font_px(f)) > UI_ELDER_TEXT_DP ? 3.0 : 4.5;
    if (r < c->min_contrast)
        c->min_contrast = r;
    if (r < want)
        fail(c, "contrast %.2f:1, under %.1f:1", w->id, r, want);
}

static SDL_Color pixel(const struct check *c, int x, int y)
{
    const uint8_t *p = c->px + ((size_t)y * (size_t)c->pw + (size_t)x) * 4;
    return (SDL_Color){p[0], p[1], p[2], 255};
}

static int near(SDL_Color a, SDL_Color b, int tol)
{
    return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

/* Clips r to the frame; 0 when nothing is left. */
static int clip(const struct check *c, struct ui_rect *r)
{
    int x1 = r->x < 0 ? 0 : r->x, y1 = r->y < 0 ? 0 : r->y;
    int x2 = r->x + r->w > c->pw ? c->pw : r->x + r->w;
    int y2 = r->y + r->h > c->ph ? c->ph : r->y + r->h;
    *r = (struct ui_rect){x1, y1, x2 - x1, y2 - y1};
    return r->w > 0 && r->h > 0;
}

/* 1 when a shown overlay that w is not part of lies over w (its pixels
 * are the overlay's then, e.g. the idle banner's). */
static int covered(const struct ui_screen *sc, const struct ui_widget *w)
{
    const struct ui_widget *top = w;
    while (top->parent)
        top = top->parent;
    for (int i = 0; i < sc->noverlays; i++) {
        const struct ui_widget *o = sc->overlays[i];
        if (o == top || !o->visible)
            continue;
        if (o->r.x < w->r.x + w->r.w && w->r.x < o->r.x + o->r.w &&
            o->r.y < w->r.y + w->r.h && w->r.y < o->r.y + o->r.h)
            return 1;
    }
    return 0;
}

/* From the pixels: the background is the colour the theme says is behind
 * the text (at least 30% of r has it), the text the pixel of r that
 * differs most from it (the core of a glyph is drawn in the full colour).
 * Both must be the theme's colours, and far enough apart. */
static void sample(struct check *c, const struct ui_widget *w, struct ui_rect r)
{
    SDL_Color fg, bg;
    if (ui_text_colors(w, UI_PART_MAIN, &fg, &bg) < 0 || !w->text || !*w->text ||
        covered(w->screen, w) || !clip(c, &r))
        return;
    long n_bg = 0, n = 0;
    double best = 1.0;
    SDL_Color seen = bg;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            SDL_Color p = pixel(c, x, y);
            n++;
            if (near(p, bg, 2)) {
                n_bg++;
                continue;
            }
            double k = ui_contrast(p, bg);
            if (k > best)
                best = k, seen = p;
        }
    c->sampled++;
    if (n_bg * 10 < n * 3) { /* a tight button's bold text covers up to half */
        fail(c, "the pixels behind the text are not the theme's (%.0f%% are)", w->id,
             100.0 * (double)n_bg / (double)n, 0);
        return;
    }
    if (best < c->min_sampled)
        c->min_sampled = best;
    double want = ui_px_dp(ui_font_px(w->font)) > UI_ELDER_TEXT_DP ? 3.0 : 4.5;
    if (best < want)
        fail(c, "sampled text contrast %.2f:1, under %.1f:1", w->id, best, want);
    else if (!near(seen, fg, 12))
        fail(c, "sampled text colour is not the theme's (contrast %.2f:1 vs %.2f:1)", w->id,
             best, ui_contrast(fg, bg));
}

/* The warning sign: most of its square is the error colour and its "!"
 * is the background colour. */
static void cue(struct check *c, const struct ui_widget *w, struct ui_rect text)
{
    struct ui_rect r;
    if (ui_error_cue_rect(w, text, &r) < 0) {
        fail(c, "an error told by colour alone (no sign)", w->id, 0, 0);
        return;
    }
    if (!clip(c, &r))
        return;
    long n = 0, red = 0, hole = 0;
    SDL_Color ec = ui_col(UC_ERROR), bc = ui_col(UC_BG);
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            SDL_Color p = pixel(c, x, y);
            n++;
            red += near(p, ec, 8);
            hole += near(p, bc, 8);
        }
    c->cues++;
    if (red * 10 < n * 4 || hole * 100 < n * 3)
        fail(c, "the error's sign is not drawn (%.0f%% of it in the error colour, %.0f%% "
             "its mark)", w->id, 100.0 * (double)red / (double)n, 100.0 * (double)hole / (double)n);
}

static int shown(const struct ui_widget *w)
{
    for (; w; w = w->parent)
        if (!w->visible)
            return 0;
    return 1;
}

static void widget(struct check *c, struct ui_widget *w)
{
    int pad = ui_units(2.0f); /* a button's text sits inside its padding */
    if (ui_is_touchable(w) && w->kind != UI_W_HOTSPOT) {
        float dw = ui_px_dp(w->r.w), dh = ui_px_dp(w->r.h);
        if (w->kind == UI_W_FIELD && w->error)
            dh = ui_px_dp(w->r.h - ui_field_error_rect(w).h);
        float m = dw < dh ? dw : dh;
        if (m < c->min_target_dp)
            c->min_target_dp = m;
        if (m < UI_ELDER_TARGET_DP)
            fail(c, "touch target %.0f dp, under %.0f dp", w->id, m, UI_ELDER_TARGET_DP);
    }
    switch (w->kind) {
    case UI_W_LABEL:
        if (!w->text || !*w->text)
            break;
        /* as drawn: a title that took a smaller font to stay whole is
         * still held to a title's floor */
        text_size_role(c, w, ui_label_font(w), w->font);
        contrast(c, w, UI_PART_MAIN, w->font);
        if (w->style == UI_STYLE_DANGER && !(w->parent && w->parent->style == UI_STYLE_DANGER))
            cue(c, w, w->r);
        /* the text box beside the sign */
        {
            struct ui_rect r = w->r, s;
            if (ui_error_cue_rect(w, w->r, &s) == 0) {
                int k = s.w * 4 / 3;
                r.x += k;
                r.w -= w->align == UI_ALIGN_CENTER ? 2 * k : k;
            }
            sample(c, w, r);
        }
        break;
    case UI_W_BUTTON:
        text_size(c, w, w->font);
        contrast(c, w, UI_PART_MAIN, w->font);
        if (w->sub) {
            text_size(c, w, UI_FONT_SMALL);
            contrast(c, w, UI_PART_SUB, UI_FONT_SMALL);
        }
        sample(c, w, (struct ui_rect){w->r.x + pad, w->r.y + pad / 2, w->r.w - 2 * pad,
                                      w->r.h - pad});
        break;
    case UI_W_CHECK:
        text_size(c, w, w->font);
        contrast(c, w, UI_PART_MAIN, w->font);
        break;
    case UI_W_FACE: /* its caption, in the font it is drawn in */
        text_size(c, w, ui_face_caption_font(w, w->r.w, w->r.h));
        contrast(c, w, UI_PART_MAIN, ui_face_caption_font(w, w->r.w, w->r.h));
        break;
    case UI_W_BIGNUM:
        if (w->text && *w->text) {
            text_size(c, w, UI_FONT_HUGE);
            contrast(c, w, UI_PART_MAIN, UI_FONT_HUGE);
            sample(c, w, w->r);
        }
        break;
    case UI_W_FIELD:
        text_size(c, w, UI_FONT_BODY);
        contrast(c, w, UI_PART_MAIN, UI_FONT_BODY);
        contrast(c, w, UI_PART_PLACEHOLDER, UI_FONT_BODY);
        if (w->error && *w->error) {
            text_size(c, w, UI_FONT_SMALL);
            contrast(c, w, UI_PART_ERROR, UI_FONT_SMALL);
            cue(c, w, ui_field_error_rect(w));
        }
        break;
    case UI_W_LIST:
        text_size(c, w, UI_FONT_BODY);
        text_size(c, w, UI_FONT_SMALL);
        contrast(c, w, UI_PART_MAIN, UI_FONT_BODY);
        contrast(c, w, UI_PART_SUB, UI_FONT_SMALL);
        break;
    case UI_W_CUSTOM: /* the keyboard: its keys' labels, candidates, preedit */
        text_size(c, w, UI_FONT_BUTTON);
        text_size(c, w, UI_FONT_BODY);
        break;
    default:
        break;
    }
}

/* The faces of one question (siblings) are one size: a choice is never
 * made to look smaller than the others by its caption's length. */
static void faces_equal(struct check *c, struct ui_screen *sc)
{
    for (int i = 0; i < sc->nall; i++) {
        const struct ui_widget *a = sc->all[i];
        if (a->kind != UI_W_FACE || !shown(a))
            continue;
        for (const struct ui_widget *b = a->next; b; b = b->next)
            if (b->kind == UI_W_FACE && b->visible &&
                (abs(b->r.w - a->r.w) > 1 || abs(b->r.h - a->r.h) > 1)) {
                char what[96];
                snprintf(what, sizeof what, "%s and %s", a->id, b->id);
                fail(c, "faces of one question %.0f px and %.0f px wide", what, a->r.w, b->r.w);
            }
    }
}

int ui_elder_check(char *err, size_t errsz)
{
    struct ui_screen *sc = ui_g.cur;
    struct check c = {.err = err, .errsz = errsz, .min_text_dp = 1e9f, .min_target_dp = 1e9f,
                      .min_line = 1e9f, .min_contrast = 1e9, .min_sampled = 1e9};
    if (!sc) {
        snprintf(err, errsz, "no screen");
        return -1;
    }
    if (!ui_g.large) {
        snprintf(err, errsz, "elder mode is off");
        return -1;
    }
    c.screen = sc->name;
    uint8_t *px = ui_read_frame(&c.pw, &c.ph);
    if (!px) {
        snprintf(err, errsz, "cannot read the frame");
        return -1;
    }
    c.px = px;
    err[0] = '\0';
    for (int i = 0; i < sc->nall; i++)
        if (shown(sc->all[i]))
            widget(&c, sc->all[i]);
    faces_equal(&c, sc);
    /* the keyboard's labels inside their keys, with a margin (pixels) */
    struct kb *kb = kb_of_screen(sc);
    if (kb && shown(kb_widget(kb))) {
        c.bad += kb_check_labels(kb, px, c.pw, c.ph, err, errsz);
        c.o = strlen(err);
    }
    SDL_free(px);
    if (c.max_text_dp + 0.01f < UI_ELDER_TITLE_DP)
        fail(&c, "the largest text is %.1f dp, under %.0f dp", "screen", c.max_text_dp,
             UI_ELDER_TITLE_DP);
    printf("elder %s %dx%d %d dpi: text %.1f-%.1f dp, line %.2f em, targets >= %.0f dp, "
           "contrast >= %.2f:1 (sampled >= %.2f:1, %d texts), %d error signs\n",
           sc->name, ui_g.out_w, ui_g.out_h, ui_g.dpi, c.min_text_dp, c.max_text_dp,
           c.min_line, c.min_target_dp, c.min_contrast, c.min_sampled > 1e8 ? 0 : c.min_sampled,
           c.sampled, c.cues);
    if (c.bad) {
        char tail[96];
        snprintf(tail, sizeof tail, " (elder mode on %s at %d dpi)", sc->name, ui_g.dpi);
        size_t o = strlen(err);
        if (o < errsz)
            snprintf(err + o, errsz - o, "%s", tail);
        return -1;
    }
    return 0;
}
