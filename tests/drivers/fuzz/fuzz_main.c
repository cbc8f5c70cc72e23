/* fuzz_main.c - runs a libFuzzer target without libFuzzer, for CTest (plain
 * and ASan builds): every file of the seed corpus directories given, then
 * FD_FUZZ_ITERATIONS (default 3000) inputs mutated from them with a fixed
 * seed, so a run is repeatable. Real fuzzing: tests/drivers/fuzz/run.sh. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 64
#define MAX_LEN 4096

static uint8_t *seed[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseed;

static void load_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    while (d && (e = readdir(d)) && nseed < MAX_SEEDS) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        seed[nseed] = malloc(MAX_LEN);
        seed_len[nseed] = fread(seed[nseed], 1, MAX_LEN, f);
        fclose(f);
        LLVMFuzzerTestOneInput(seed[nseed], seed_len[nseed]);
        nseed++;
    }
    if (d)
        closedir(d);
}

int main(int argc, char **argv)
{
    const char *it = getenv("FD_FUZZ_ITERATIONS");
    long iterations = it ? atol(it) : 3000;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    uint8_t buf[MAX_LEN];
    printf("fuzz: mutation seed 0x%016llx, %ld iterations\n", (unsigned long long)x, iterations);

    for (int i = 1; i < argc; i++)
        load_dir(argv[i]);
    for (long i = 0; i < iterations; i++) {
        size_t n = 0;
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        if (nseed) {
            int s = (int)(x % (uint64_t)nseed);
            n = seed_len[s];
            memcpy(buf, seed[s], n);
        }
        int edits = 1 + (int)(x >> 60);
        for (int k = 0; k < edits; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            size_t pos = n ? (size_t)(x >> 8) % n : 0;
            switch (x & 3) {
            case 0: if (n) buf[pos] = (uint8_t)(x >> 40); break;           /* flip */
            case 1: if (n < MAX_LEN) { memmove(buf + pos + 1, buf + pos, n - pos);
                                       buf[pos] = (uint8_t)(x >> 32); n++; } break; /* insert */
            case 2: if (n) { memmove(buf + pos, buf + pos + 1, n - pos - 1); n--; } break;
            case 3: n = pos; break;                                        /* truncate */
            }
        }
        LLVMFuzzerTestOneInput(buf, n);
    }
    for (int i = 0; i < nseed; i++)
        free(seed[i]);
    printf("%ld inputs + %d seeds ran clean\n", iterations, nseed);
    printf("%d passed, 0 failed\n", nseed + (iterations > 0));
    return 0;
}
