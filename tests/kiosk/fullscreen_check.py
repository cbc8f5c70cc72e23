#!/usr/bin/env python3
"""fullscreen_check.py SHOT.ppm REPORT W H IDS - checks a screenshot of the
whole display (the X root window or a Wayland output) taken while the kiosk
runs full screen: the picture is W x H; the kiosk covers it edge to edge (the
uncovered root or output is black: no edge strip of the picture may be mostly
black, and nearly none of it at all); every widget of the kiosk's last
--report screen lies inside the display, and each of IDS (comma separated) is
there and has something drawn in it (not one flat colour). Prints one line per
failed check and "N passed, N failed"; exits 1 on any failure."""
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval; comments skipped
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError("not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + 3 * w * h]


def main():
    shot, report, want_w, want_h, ids = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("fullscreen_check: FAILED: " + what)

    w, h, px = read_ppm(shot)
    check((w, h) == (want_w, want_h), "the picture is %dx%d, not %dx%d" % (w, h, want_w, want_h))
    black = lambda x, y: px[3 * (y * w + x):3 * (y * w + x) + 3] == b"\0\0\0"

    def black_share(x0, y0, x1, y1, step=2):
        n = k = 0
        for y in range(y0, y1, step):
            for x in range(x0, x1, step):
                n += 1
                k += black(x, y)
        return k / max(n, 1)

    strips = {"top": (0, 0, w, 6), "bottom": (0, h - 6, w, h), "left": (0, 0, 6, h), "right": (w - 6, 0, w, h)}
    for name, r in strips.items():
        share = black_share(*r)
        check(share < 0.5, "the %s edge is %.0f%% uncovered (black)" % (name, 100 * share))
    share = black_share(0, 0, w, h, 7)
    check(share < 0.05, "%.0f%% of the display is black (not covered)" % (100 * share))

    rects = {}
    for line in open(report):  # the last screen's widgets only
        f = line.split()
        if f and f[0] == "screen":
            rects = {}
        elif len(f) == 5 and f[0] != "text":
            rects[f[0]] = tuple(int(v) for v in f[1:])
    for wid, (x, y, rw, rh) in rects.items():
        check(rw > 0 and rh > 0 and x >= 0 and y >= 0 and x + rw <= w and y + rh <= h,
              "%s at %d,%d %dx%d is not inside %dx%d" % (wid, x, y, rw, rh, w, h))
    for wid in ids.split(","):
        if wid not in rects:
            check(False, "no %s on the screen (report: %s)" % (wid, " ".join(rects)))
            continue
        x, y, rw, rh = rects[wid]
        colours = set()
        for yy in range(max(y, 0), min(y + rh, h), 3):
            for xx in range(max(x, 0), min(x + rw, w), 3):
                colours.add(px[3 * (yy * w + xx):3 * (yy * w + xx) + 3])
        check(len(colours) > 1, "nothing drawn where %s is" % wid)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
