#!/usr/bin/env python3
"""notify_recv.py - the receivers of head office's notifications in the tests
(tests/hq/test_hq_notify.c): a group robot's webhook (python3 http.server) or
a mail server (python3-aiosmtpd), on 127.0.0.1. Every delivery is appended to
LOG as one JSON line {"kind","id","path","body","answered"} ("id" is the
X-Frontdesk-Notification-Id header or the mail's Message-ID) before it is
answered, so the test sees a delivery even when head office dies before the
answer. Prints "ready PORT" once listening.

usage: notify_recv.py http PORT LOG [--errcode N] [--slow SECONDS]
       notify_recv.py smtp PORT LOG
  --errcode N   answer the first N deliveries 200 {"errcode":93000} (refused)
  --slow S      hold the first delivery S seconds before answering
"""
import json
import sys
import threading
import time


def log(path, entry):
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        f.flush()


def run_http(port, path, errcode, slow):
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    state = {"n": 0}
    lock = threading.Lock()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            with lock:
                state["n"] += 1
                k = state["n"]
            refuse = k <= errcode
            log(path, {"kind": "http", "id": self.headers.get("X-Frontdesk-Notification-Id", ""),
                       "path": self.path, "body": body, "refused": refuse,
                       "ctype": self.headers.get("Content-Type", "")})
            if k == 1 and slow > 0:
                time.sleep(slow)
            ans = {"errcode": 93000, "errmsg": "invalid webhook url"} if refuse else \
                {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success"}
            data = json.dumps(ans).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

    class S(ThreadingHTTPServer):
        allow_reuse_address = True

    srv = S(("127.0.0.1", port), H)
    print("ready %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


def run_smtp(port, path):
    import email
    from email import policy
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            msg = email.message_from_bytes(envelope.content, policy=policy.default)
            part = msg.get_body(preferencelist=("plain",))
            log(path, {"kind": "smtp", "id": str(msg.get("Message-ID", "")),
                       "xid": str(msg.get("X-Frontdesk-Notification-Id", "")),
                       "subject": str(msg.get("Subject", "")),
                       "from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "body": part.get_content() if part else ""})
            return "250 OK"

    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    c = Controller(Handler(), hostname="127.0.0.1", port=port)
    c.start()
    print("ready %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


def main():
    a = sys.argv[1:]
    if len(a) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    errcode = int(a[a.index("--errcode") + 1]) if "--errcode" in a else 0
    slow = float(a[a.index("--slow") + 1]) if "--slow" in a else 0
    if a[0] == "http":
        run_http(int(a[1]), a[2], errcode, slow)
    else:
        run_smtp(int(a[1]), a[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
