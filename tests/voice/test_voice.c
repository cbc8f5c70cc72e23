/* test_voice.c - the lobby's announcements (app/voice): the text in both
 * languages; a rendered announcement (written to a WAV for listening) is not
 * silent, as long as a chime plus two sentences should be, follows the volume
 * and keeps the chime when the voice is off; and through SDL's disk audio
 * driver, two calls made back to back come out whole, in order, one after
 * the other: each announcement handed to the device is found sample for
 * sample in the device's output, the second starting after the first ends;
 * the wait for them holds while the wall clock is stepped back (fakeclock.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fakeclock.h"
#include "voice.h"

static char dir[64];

static double rms(const int16_t *s, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)s[i] * s[i];
    return n ? sqrt(sum / (double)n) : 0;
}

static int peak(const int16_t *s, size_t n)
{
    int p = 0;
    for (size_t i = 0; i < n; i++)
        if (abs(s[i]) > p)
            p = abs(s[i]);
    return p;
}

/* A 16-bit mono WAV, to listen to what the test heard. */
static int write_wav(const char *path, const int16_t *s, size_t n, int rate)
{
    FILE *f = fopen(path, "wb");
    uint32_t data = (uint32_t)(n * 2), riff = 36 + data, fmt = 16, br = (uint32_t)rate * 2;
    uint16_t pcm = 1, ch = 1, align = 2, bits = 16;
    uint32_t r = (uint32_t)rate;
    if (!f)
        return -1;
    fwrite("RIFF", 1, 4, f), fwrite(&riff, 4, 1, f), fwrite("WAVEfmt ", 1, 8, f);
    fwrite(&fmt, 4, 1, f), fwrite(&pcm, 2, 1, f), fwrite(&ch, 2, 1, f), fwrite(&r, 4, 1, f);
    fwrite(&br, 4, 1, f), fwrite(&align, 2, 1, f), fwrite(&bits, 2, 1, f);
    fwrite("data", 1, 4, f), fwrite(&data, 4, 1, f);
    size_t w = fwrite(s, 2, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Offset (in samples) of needle in hay at or after `from`, or -1. */
static long find(const int16_t *hay, size_t nh, const int16_t *needle, size_t nn, size_t from)
{
    for (size_t i = from; i + nn <= nh; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, nn * sizeof *needle))
            return (long)i;
    return -1;
}

static void test_text(void)
{
    char buf[128];
    CHECK_INT(voice_text("A012", 3, 1, buf, sizeof buf), 0);
    CHECK_STR(buf, "请 A012 号到 3 号窗口");
    CHECK_INT(voice_text("A012", 3, 0, buf, sizeof buf), 0);
    CHECK_STR(buf, "Number A012, please go to counter 3");
    CHECK_INT(voice_text("VP105", 12, 0, buf, sizeof buf), 0);
    CHECK_STR(buf, "Number VP105, please go to counter 12");
    CHECK_INT(voice_text("a<b>", 3, 0, buf, sizeof buf), -1); /* only codes and digits */
    CHECK_INT(voice_text("A012", 0, 0, buf, sizeof buf), -1);
    CHECK_INT(voice_text("A012", 3, 1, buf, 8), -1);
    enum voice_order o;
    CHECK(voice_order_parse("en,zh", &o) == 0 && o == VOICE_EN_ZH);
    CHECK(voice_order_parse("zh", &o) == 0 && o == VOICE_ZH);
    CHECK_INT(voice_order_parse("fr", &o), -1);
}

static void test_render(void)
{
    struct voice_config both = {.speak = 1, .order = VOICE_ZH_EN, .volume = 100};
    struct voice_config zh = {.speak = 1, .order = VOICE_ZH, .volume = 100};
    struct voice_config chime = {.speak = 0, .order = VOICE_ZH_EN, .volume = 100};
    struct voice_config half = {.speak = 1, .order = VOICE_ZH_EN, .volume = 50};
    struct voice_config mute = {.speak = 1, .order = VOICE_ZH_EN, .volume = 0};
    int16_t *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
    size_t na = 0, nb = 0, nc = 0, nd = 0, ne = 0;
    char err[200], path[128];
    int rate = voice_rate();
    CHECK(rate >= 8000);
    CHECK_MSG(voice_render(&both, "A012", 3, &a, &na, err, sizeof err) == 0, "%s", err);
    CHECK(voice_render(&zh, "A012", 3, &b, &nb, err, sizeof err) == 0);
    CHECK(voice_render(&chime, "A012", 3, &c, &nc, err, sizeof err) == 0);
    CHECK(voice_render(&half, "A012", 3, &d, &nd, err, sizeof err) == 0);
    CHECK(voice_render(&mute, "A012", 3, &e, &ne, err, sizeof err) == 0);
    double sa = (double)na / rate, sb = (double)nb / rate, sc = (double)nc / rate;
    printf("announcement: both %.2f s, zh %.2f s, chime only %.2f s; rms %.0f peak %d\n",
           sa, sb, sc, rms(a, na), peak(a, na));
    snprintf(path, sizeof path, "%s/a012.wav", dir);
    CHECK(write_wav(path, a, na, rate) == 0);
    if (getenv("VOICE_KEEP_WAV"))
        write_wav(getenv("VOICE_KEEP_WAV"), a, na, rate);
    /* Plausible lengths: a chime and two sentences take a few seconds. */
    CHECK_MSG(sa > 4.0 && sa < 15.0, "both languages %.2f s", sa);
    CHECK_MSG(sb > 2.0 && sb < sa - 1.0, "Chinese alone %.2f s", sb);
    CHECK_MSG(sc > 0.6 && sc < 2.0, "chime alone %.2f s", sc);
    /* Not silent: speech after the chime has energy, the chime too. */
    size_t chime_end = (size_t)rate * 7 / 10;
    CHECK_MSG(na > chime_end && rms(a + chime_end, na - chime_end) > 500, "speech rms %.0f",
              na > chime_end ? rms(a + chime_end, na - chime_end) : 0.0);
    CHECK(rms(c, nc) > 500);
    CHECK(peak(c, nc) > 5000);
    /* Volume scales the samples; 0 is silence. */
    CHECK_MSG(peak(d, nd) <= 16384 && peak(d, nd) > 8000, "half volume peak %d", peak(d, nd));
    CHECK_INT(peak(e, ne), 0);
    free(a), free(b), free(c), free(d), free(e);
    CHECK(voice_render(&both, "A 12", 3, &a, &na, err, sizeof err) == -1);
    CHECK(a == NULL);
}

/* What the voice handed to the device, per announcement. */
static struct {
    char label[8];
    int16_t *pcm;
    size_t n;
} tapped[4];
static int ntapped;

static void tap(void *ctx, const char *label, int counter, const int16_t *pcm, size_t n)
{
    (void)ctx, (void)counter;
    if (ntapped < 4 && (tapped[ntapped].pcm = malloc(n * sizeof *pcm))) {
        snprintf(tapped[ntapped].label, sizeof tapped[ntapped].label, "%s", label);
        memcpy(tapped[ntapped].pcm, pcm, n * sizeof *pcm);
        tapped[ntapped++].n = n;
    }
}

/* Two calls in quick succession through the disk audio driver. */
static void test_queue(void)
{
    struct voice_config cfg = {.speak = 1, .order = VOICE_ZH_EN, .volume = 80};
    int16_t *out = NULL;
    char err[200], raw[128];
    struct voice *v = NULL;
    snprintf(raw, sizeof raw, "%s/out.raw", dir);
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", raw, 1);
    setenv("SDL_DISKAUDIODELAY", "4", 1); /* ~10x real time: speed only */
    if (voice_open(&cfg, &v, err, sizeof err)) {
        CHECK_MSG(0, "voice_open: %s", err);
        return;
    }
    voice_set_tap(v, tap, NULL);
    CHECK_INT(voice_call(v, "A012", 3), 0);
    CHECK_INT(voice_call(v, "B004", 12), 0);
    /* The wall clock is stepped back 30 years (a box without an RTC battery
     * before its clock is set): a deadline on CLOCK_REALTIME would be long
     * past and the drain would give up at once. */
    atomic_store(&fake_clock_step, -30LL * 365 * 86400);
    CHECK_MSG(voice_drain(v, 60000) == 0,
              "the calls were not played within a minute (a wall-clock deadline?)");
    atomic_store(&fake_clock_step, 0);
    CHECK_INT(voice_played(v), 2);
    voice_close(v);
    CHECK_INT(ntapped, 2);
    if (ntapped < 2)
        return;
    CHECK_STR(tapped[0].label, "A012");
    CHECK_STR(tapped[1].label, "B004");
    FILE *f = fopen(raw, "rb");
    long bytes = 0;
    if (f && fseek(f, 0, SEEK_END) == 0 && (bytes = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (out = malloc((size_t)bytes)) && fread(out, 1, (size_t)bytes, f) != (size_t)bytes)
        bytes = 0;
    if (f)
        fclose(f);
    size_t n = (size_t)bytes / 2, na = tapped[0].n, nb = tapped[1].n;
    int rate = voice_rate();
    long oa = out ? find(out, n, tapped[0].pcm, na, 0) : -1;
    long ob = out && oa >= 0 ? find(out, n, tapped[1].pcm, nb, (size_t)oa + na) : -1;
    printf("device output %.2f s: A012 (%.2f s) at %.2f s, B004 (%.2f s) at %.2f s\n",
           (double)n / rate, (double)na / rate, (double)oa / rate, (double)nb / rate,
           (double)ob / rate);
    CHECK_MSG(oa >= 0, "the first announcement is not in the output whole");
    CHECK_MSG(ob >= oa + (long)na, "the second is not whole after the first");
    CHECK_MSG((double)na / rate > 4.0 && (double)nb / rate > 4.0, "announcements too short");
    CHECK(rms(tapped[0].pcm, na) > 300 && rms(tapped[1].pcm, nb) > 300);
    char wav[128];
    snprintf(wav, sizeof wav, "%s/out.wav", dir);
    CHECK(out && write_wav(wav, out, n, rate) == 0);
    free(out);
    for (int i = 0; i < ntapped; i++)
        free(tapped[i].pcm);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fdvoice.XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    test_text();
    test_render();
    test_queue();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return check_summary();
}
