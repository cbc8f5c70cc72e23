/* kiosk_sync.c - loads the sync client (frontdesk-sync.so, built from
 * app/sync) with dlopen when the kiosk is enrolled, after its first frame.
 * Why a module and not a helper process: the worker shares the kiosk's
 * process for what it reports (the printer's state through a callback, the
 * UI woken when a pull changed something), which a process would need IPC
 * for; a module keeps that code as it is and only moves the loading of
 * libcurl's 24 libraries out of every start. The module takes core's
 * functions from this program (linked with ENABLE_EXPORTS and all of core).
 * It is looked for beside the program (a build tree) first, then where it
 * is installed (FD_SYNC_MODULE). */
#include "kiosk_sync.h"

#include <curl/curl.h> /* the types and constants only: the module links it */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *mod;
static int ready;  /* the module loaded and libcurl initialised */
static int (*mod_start)(const struct sync_worker_opts *, struct sync_worker **);
static void (*mod_wake)(struct sync_worker *);
static void (*mod_stop)(struct sync_worker *);

/* dlopen of dir/frontdesk-sync.so; NULL with the reason in err. */
static void *open_in(const char *dir, char *err, size_t errsz)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/frontdesk-sync.so", dir);
    if (access(path, R_OK) != 0) {
        snprintf(err, errsz, "%s: not found", path);
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        snprintf(err, errsz, "%s", dlerror());
    return h;
}

/* Loads the module and its entry points once. 0, or -1 with err. */
static int load(char *err, size_t errsz)
{
    char self[PATH_MAX];
    if (ready)
        return 0;
    if (mod) {
        snprintf(err, errsz, "libcurl did not initialise");
        return -1;
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        mod = open_in(self, err, errsz);
    }
#ifdef FD_SYNC_MODULE_DIR
    if (!mod)
        mod = open_in(FD_SYNC_MODULE_DIR, err, errsz);
#endif
    if (!mod)
        return -1;
    CURLcode (*curl_init)(long);
    *(void **)&curl_init = dlsym(mod, "curl_global_init");
    *(void **)&mod_start = dlsym(mod, "sync_worker_start");
    *(void **)&mod_wake = dlsym(mod, "sync_worker_wake");
    *(void **)&mod_stop = dlsym(mod, "sync_worker_stop");
    if (!curl_init || !mod_start || !mod_wake || !mod_stop) {
        snprintf(err, errsz, "frontdesk-sync.so: an entry point is missing");
        dlclose(mod);
        mod = NULL;
        return -1;
    }
    if (curl_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errsz, "libcurl did not initialise");
        return -1;
    }
    ready = 1;
    return 0;
}

int ksync_start(const struct sync_worker_opts *o, struct sync_worker **out, char *err,
                size_t errsz)
{
    *out = NULL;
    if (load(err, errsz))
        return -1;
    if (mod_start(o, out) != 0) {
        snprintf(err, errsz, "the sync worker did not start");
        return -1;
    }
    return 0;
}

void ksync_wake(struct sync_worker *w)
{
    if (w && mod_wake)
        mod_wake(w);
}

void ksync_stop(struct sync_worker *w)
{
    if (w && mod_stop)
        mod_stop(w);
}
