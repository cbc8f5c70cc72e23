/* ui_image.c - the image widget (ui_image in ui.h): a PNG shown whole,
 * scaled to fit its rectangle, e.g. the staff console's receipt preview from
 * the virtual printer. A custom widget through the ops table the keyboard
 * uses (ui_int.h). Pixels are read once, when the widget is made; the
 * texture is made at the first draw and freed with the screen. */
#include <stdlib.h>

#include "ui.h"
#include "ui_int.h"
#include "ui_png.h"

struct con_img {
    uint8_t *rgba;        /* pixels until the texture is made */
    int w, h;
    SDL_Texture *tex;
};

static int img_natural_h(struct ui_widget *w, int width)
{
    (void)w, (void)width;
    return ui_units(20);
}

static int img_natural_w(struct ui_widget *w)
{
    (void)w;
    return ui_units(20);
}

static void img_draw(struct ui_widget *w)
{
    struct con_img *m = w->impl;
    if (!m->tex && m->rgba) {
        m->tex = SDL_CreateTexture(ui_g.ren, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC,
                                   m->w, m->h);
        if (m->tex)
            SDL_UpdateTexture(m->tex, NULL, m->rgba, m->w * 4);
        free(m->rgba);
        m->rgba = NULL;
    }
    ui_fill_rect(w->r, ui_col(UC_PANEL));
    if (!m->tex || w->r.w <= 0 || w->r.h <= 0)
        return;
    /* Fit whole, keeping the aspect ratio, centred. */
    double sx = (double)w->r.w / m->w, sy = (double)w->r.h / m->h, k = sx < sy ? sx : sy;
    SDL_Rect dst = {0, 0, (int)(m->w * k), (int)(m->h * k)};
    dst.x = w->r.x + (w->r.w - dst.w) / 2;
    dst.y = w->r.y + (w->r.h - dst.h) / 2;
    SDL_RenderCopy(ui_g.ren, m->tex, NULL, &dst);
}

static void img_destroy(struct ui_widget *w)
{
    struct con_img *m = w->impl;
    if (m) {
        if (m->tex)
            SDL_DestroyTexture(m->tex);
        free(m->rgba);
        free(m);
    }
    w->impl = NULL;
}

static const struct ui_widget_ops img_ops = {
    .natural_h = img_natural_h,
    .natural_w = img_natural_w,
    .draw = img_draw,
    .destroy = img_destroy,
};

struct ui_widget *ui_image(struct ui_widget *parent, const char *id, const char *path)
{
    struct con_img *m = calloc(1, sizeof *m);
    char err[200];
    if (!m)
        return NULL;
    if (!path || ui_png_read(path, &m->rgba, &m->w, &m->h, err, sizeof err) != 0) {
        free(m);
        return NULL;
    }
    struct ui_widget *w = ui_widget_new(parent, UI_W_CUSTOM, id);
    if (!w) {
        free(m->rgba);
        free(m);
        return NULL;
    }
    w->ops = &img_ops;
    w->impl = m;
    return w;
}
