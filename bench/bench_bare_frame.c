/* bench_bare_frame.c - the floor for the kiosk's first frame (issue 18): the
 * least an SDL program does to show one line of Chinese full screen. It
 * starts SDL's video as the kiosk does (the same hints and renderer, so the
 * same X11 framebuffer path), opens the same font file and face, draws one
 * line, presents, and prints "presented NS CPU_NS" (CLOCK_MONOTONIC and the
 * process's CPU time so far, nanoseconds) on stdout right after
 * SDL_RenderPresent returns; then it exits.
 * Usage: bench_bare_frame FONT_FILE FACE_INDEX
 * bench_first_frame runs it beside the kiosk and compares. */
#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_bare_frame FONT_FILE FACE_INDEX\n");
        return 2;
    }
    const char *drv = NULL, *video = NULL;
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) < 0) {
        fprintf(stderr, "bench_bare_frame: SDL: %s\n", SDL_GetError());
        return 1;
    }
    /* The kiosk's choice (app/ui/ui.c): no GL framebuffer under X11. */
    drv = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    video = SDL_GetCurrentVideoDriver();
    if (drv && strcmp(drv, "software") == 0 && video && strcmp(video, "x11") == 0)
        SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0",
                                SDL_HINT_DEFAULT);
    SDL_Window *win = SDL_CreateWindow("bare", SDL_WINDOWPOS_CENTERED,
                                       SDL_WINDOWPOS_CENTERED, 1024, 600,
                                       SDL_WINDOW_FULLSCREEN_DESKTOP |
                                           SDL_WINDOW_ALLOW_HIGHDPI);
    SDL_Renderer *ren = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
    if (!ren || TTF_Init() < 0) {
        fprintf(stderr, "bench_bare_frame: %s\n", SDL_GetError());
        return 1;
    }
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(ren, &w, &h);
    int px = (w < h ? w : h) * 6 / 100; /* the kiosk's title size */
    TTF_Font *font = TTF_OpenFontIndex(argv[1], px, atoi(argv[2]));
    if (!font) {
        fprintf(stderr, "bench_bare_frame: %s\n", TTF_GetError());
        return 1;
    }
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, "欢迎光临，请取号",
                                            (SDL_Color){20, 20, 20, 255});
    SDL_Texture *t = s ? SDL_CreateTextureFromSurface(ren, s) : NULL;
    if (!t) {
        fprintf(stderr, "bench_bare_frame: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawColor(ren, 250, 250, 250, 255);
    SDL_RenderClear(ren);
    SDL_RenderCopy(ren, t, NULL, &(SDL_Rect){(w - s->w) / 2, (h - s->h) / 2, s->w, s->h});
    SDL_RenderPresent(ren);
    struct timespec ts, cpu;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    printf("presented %lld %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
           (long long)cpu.tv_sec * 1000000000LL + cpu.tv_nsec);
    fflush(stdout);
    SDL_DestroyTexture(t);
    SDL_FreeSurface(s);
    TTF_CloseFont(font);
    TTF_Quit();
    SDL_DestroyRenderer(ren);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}
