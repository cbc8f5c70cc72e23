#!/usr/bin/env python3
"""deny_seed.py DB KEYHEX ID NAME PHONE - puts a deny key and one entry into a
kiosk store, as the pull would (app/core/deny.c's tables; head office's side
is tested with a real server in tests/hq/test_hq_deny.c). For the kiosk's UI
tests and the gallery, which run without a head office. The hash is the
rule of app/core/deny.h for plain text: HMAC-SHA256(key, kind 0x00 norm),
norm = NFKC + case folding, spaces collapsed (name); digits, +86 dropped
(phone; only the simple forms these tests use)."""
import hashlib
import hmac
import re
import sqlite3
import sys
import unicodedata

db, keyhex, ident, name, phone = sys.argv[1:6]
key = bytes.fromhex(keyhex)


def h(kind, norm):
    return hmac.new(key, kind.encode() + b"\0" + norm.encode(), hashlib.sha256).hexdigest()


n = " ".join(unicodedata.normalize("NFKC", name.casefold()).split()) if name else None
p = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone)) if phone else None
if p and phone.strip().startswith("+86"):
    p = p[2:]
c = sqlite3.connect(db)
with c:
    c.execute("INSERT INTO deny_key(id, key) VALUES (1, ?) ON CONFLICT(id) DO UPDATE"
              " SET key = excluded.key", (keyhex,))
    c.execute("INSERT INTO deny_entry(id, name_hash, phone_hash) VALUES (?, ?, ?)",
              (int(ident), h("name", n) if n else None, h("phone", p) if p else None))
c.close()
