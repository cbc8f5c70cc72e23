/* fakeclock.h - a wall clock stepped under a test program, as a kiosk without
 * an RTC battery sees it when its clock is set at boot. Link the program
 * with -Wl,--wrap=clock_gettime (CMake: target_link_options(T PRIVATE
 * -Wl,--wrap=clock_gettime)): every clock_gettime call compiled into it, the
 * project's static libraries included (shared libraries are not), comes here,
 * and CLOCK_REALTIME reads fake_clock_step seconds away from the truth. Other
 * clocks are left alone, so code that waits on CLOCK_MONOTONIC does not
 * notice. Include in one file of the program only. */
#ifndef FD_FAKECLOCK_H
#define FD_FAKECLOCK_H

#include <stdatomic.h>
#include <time.h>

static atomic_llong fake_clock_step; /* seconds added to CLOCK_REALTIME */

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
    int rc = __real_clock_gettime(id, ts);
    if (rc == 0 && id == CLOCK_REALTIME)
        ts->tv_sec += (time_t)atomic_load(&fake_clock_step);
    return rc;
}

#endif
