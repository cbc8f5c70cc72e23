#!/usr/bin/env python3
"""embed_tree.py OUT SYMBOL DIR - writes a C file holding every file under DIR
as `const struct fd_embedded_file SYMBOL[]` (cmake/embedded.h), each named by
its path relative to DIR with '/' separators, sorted by name, ended by a zeroed
entry, and `SYMBOL_count`. The file is rewritten only when its text changes."""
import os
import sys


def main():
    out, symbol, root = sys.argv[1:4]
    names = []
    for d, _, files in os.walk(root):
        for f in files:
            names.append(os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/"))
    names.sort()
    if not names:
        sys.exit(f"embed_tree: {root} holds no files (did the app's build write there?)")
    parts = ['#include "embedded.h"\n']
    table = []
    for i, name in enumerate(names):
        data = open(os.path.join(root, name), "rb").read()
        rows = ",".join(str(b) for b in data)
        parts.append(f"static const unsigned char {symbol}_{i}[] = {{{rows}{',' if data else ''}0}};\n")
        table.append(f'  {{"{name}", (const char *){symbol}_{i}, {len(data)}}},\n')
    parts.append(f"const struct fd_embedded_file {symbol}[] = {{\n{''.join(table)}  {{0, 0, 0}}\n}};\n")
    parts.append(f"const int {symbol}_count = {len(names)};\n")
    text = "".join(parts)
    try:
        if open(out).read() == text:
            return
    except OSError:
        pass
    with open(out + ".tmp", "w") as f:
        f.write(text)
    os.replace(out + ".tmp", out)


main()
