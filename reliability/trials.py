#!/usr/bin/env python3
"""Reliability trials for the intake daemon (issue 9): SPEC §1 turned into figures.

Crash trials: the release daemon runs on a scratch copy of the development configuration
(a temp folder, a free port, the hotline spool and visit drop directory, the email channel
on a private dovecot). Four senders feed it at once: signed webhook requests (single and
batched, each retried with its Idempotency-Key until a 2xx), visit uploads (retried until
a 2xx), hotline CSV exports dropped into the spool, and mail delivered into the dovecot
INBOX. The daemon is SIGKILLed at random moments and started again, TRIALS times. Then it
runs until the file sink holds every event, and every input sent is looked up among the
events: delivered (case.created or case.duplicate), lost, or doubled (one input, two case
ids). An input answered 202 must also be delivered under the case id the answer gave.

Outage trials: the HTTP routing receiver refuses connections, times out, answers 500 and
429 for stretches; PostgreSQL is stopped (fast, then immediate) and started again
mid-stream; the store and blobs live on an 8 MiB tmpfs that is filled up, so the webhook
must answer 503 with Retry-After, write nothing, and take everything once space returns.

  python3 reliability/trials.py                 # TRIALS (env) or --trials, default 50, then the outage trials
  python3 reliability/trials.py --broken        # INTAKE_TEST_ACK_BEFORE_COMMIT=1: must report losses
  python3 reliability/trials.py --only crash|outages

Exit status: 0 when nothing was lost or doubled and every outage trial passed; with
--broken, 0 when the check did find losses (it can fail), 1 when it did not.
Standard library only; run as root (dovecot's mail user, PostgreSQL via runuser, tmpfs).
"""
import argparse
import base64
import collections
import csv
import email.utils
import hashlib
import hmac
import http.client
import http.server
import io
import itertools
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHANNELS = ("webhook", "hotline", "visit", "email")
LOG_LOCK = threading.Lock()


def say(*parts):
    with LOG_LOCK:
        print(*parts, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cjk(rng, n):
    """n random CJK ideographs: texts that share no shingles, so dedup finds nothing."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


SENTENCES = [
    "我司厂房用地规划许可已提交两个月，请问目前进度如何？",
    "新引进的研发人员申请人才公寓，材料已交齐，想了解审核时间。",
    "去年的技术改造补贴至今未拨付，请协调财政部门尽快处理。",
    "新建涂装车间的环评报告已受理，想确认批复的预计时间。",
    "咨询研发费用加计扣除政策在本区的执行口径。",
    "园区道路施工影响货车进出，希望协调调整施工时段。",
]


def demand_text(rng, n):
    return f"{rng.choice(SENTENCES)}{cjk(rng, 24)}（编号{n}）"


def enterprise_name(rng, n):
    return f"天津{cjk(rng, 4)}{n}科技有限公司"


def phone(n):
    return f"139{n % 100000000:08d}"


def norm_ref(channel, ref):
    if channel == "email":
        return ref.strip().lstrip("<").rstrip(">")
    return ref


# ---------------------------------------------------------------------------------------
# HTTP client pieces


def sign(secret, body, t=None):
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def http_call(port, method, path, body=None, headers=None, timeout=15):
    """(status, headers dict lower-cased, body bytes); raises OSError/HTTPException."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def post_signed(port, secret, path, body, key=None):
    headers = {"Content-Type": "application/json", "X-Intake-Signature": sign(secret, body)}
    if key:
        headers["Idempotency-Key"] = key
    return http_call(port, "POST", path, body, headers)


def post_until_accepted(port_fn, secret, path, body, key, stop_hard, stats):
    """Retries as a real client does until a 2xx (re-signing each time, honouring
    Retry-After, backing off on refused connections). Returns (status, body) or None when
    told to give up (stop_hard) or the gateway refuses the input for good (4xx)."""
    delay = 0.05
    while not stop_hard.is_set():
        try:
            status, headers, data = post_signed(port_fn(), secret, path, body, key)
        except (OSError, http.client.HTTPException):
            stats["connection errors"] += 1
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
            continue
        if 200 <= status < 300:
            return status, data
        if status in (408, 429) or status >= 500:
            stats[f"answered {status}"] += 1
            time.sleep(min(float(headers.get("retry-after", "1") or 1), 5))
            continue
        stats[f"refused {status}"] += 1
        say(f"  ! {path} refused for good: {status} {data[:300]!r}")
        return None
    return None


# ---------------------------------------------------------------------------------------
# Servers the trials start: the daemon, dovecot, PostgreSQL, an HTTP receiver


class Daemon:
    def __init__(self, binary, config, log_path, env_extra=None):
        self.binary, self.config, self.log_path = binary, config, log_path
        self.env = dict(os.environ, **(env_extra or {}))
        self.proc = None

    def start(self, note=""):
        log = open(self.log_path, "ab")
        log.write(f"\n===== start {note} {time.strftime('%H:%M:%S')} =====\n".encode())
        log.flush()
        self.proc = subprocess.Popen(
            [self.binary, "run", "--config", self.config], stdin=subprocess.DEVNULL, stdout=log,
            stderr=log, env=self.env, start_new_session=True)
        log.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL; returns the exit status if the daemon had already exited by itself."""
        if self.proc is None:
            return None
        early = self.proc.poll()
        if early is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None
        return early

    def terminate(self, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait()
            code = f"did not stop within {timeout} s (killed)"
        self.proc = None
        return code

    def wait_healthy(self, port, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                raise RuntimeError(f"daemon exited at start ({self.proc.returncode}); log: {self.log_path}\n" + self.log_tail())
            try:
                if http_call(port, "GET", "/healthz", timeout=2)[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"daemon not healthy within {timeout} s; log: {self.log_path}\n" + self.log_tail())

    def status(self):
        out = subprocess.run([self.binary, "status", "--json", "--config", self.config],
                             capture_output=True, timeout=60)
        if out.returncode != 0:
            return None
        return json.loads(out.stdout)

    def log_tail(self, n=3000):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - n))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


class Dovecot:
    """A private dovecot as Tests/IntakeDaemonTests/Support/Dovecot.swift starts it: plain
    IMAP on a loopback port, one user, a maildir in the scratch folder; as root the mail
    files belong to nobody (dovecot refuses uid 0)."""
    USER, PASSWORD = "intake", "correct horse battery"

    def __init__(self, root):
        self.dir = os.path.join(root, "dovecot")
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.owner = (65534, 65534) if self.as_root else (os.getuid(), os.getgid())
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(self.dir, sub))
        os.chmod(self.dir, 0o755)
        self.inbox = os.path.join(self.dir, "mail", self.USER)
        for path in (self.inbox, *(os.path.join(self.inbox, s) for s in ("tmp", "new", "cur"))):
            os.makedirs(path, mode=0o700, exist_ok=True)
        for path in (os.path.dirname(self.inbox), self.inbox, *(os.path.join(self.inbox, s) for s in ("tmp", "new", "cur"))):
            self._chown(path)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write(f"{self.USER}:{{PLAIN}}{self.PASSWORD}\n")
        self.password_file = os.path.join(root, "imap.password")
        with open(self.password_file, "w") as f:
            f.write(self.PASSWORD + "\n")
        d, uid, gid = self.dir, self.owner[0], self.owner[1]
        lines = [
            f"base_dir = {d}/run", f"state_dir = {d}/state", f"instance_name = intake-rel-{os.path.basename(root)}",
            f"log_path = {d}/dovecot.log", "protocols = imap", "listen = 127.0.0.1",
            "disable_plaintext_auth = no", "auth_mechanisms = plain login", "auth_failure_delay = 0",
            "login_trusted_networks = 127.0.0.0/8", f"first_valid_uid = {uid}", f"first_valid_gid = {gid}",
            f"mail_location = maildir:{d}/mail/%u", "mail_fsync = never",
            "passdb {", "  driver = passwd-file", f"  args = scheme=PLAIN username_format=%u {d}/passwd", "}",
            "userdb {", "  driver = static", f"  args = uid={uid} gid={gid} home={d}/mail/%u", "}",
            "service imap-login {", "  chroot =",
            "  inet_listener imap {", "    address = 127.0.0.1", f"    port = {self.port}", "  }",
            "  inet_listener imaps {", "    address = 127.0.0.1", "    port = 0", "    ssl = yes", "  }", "}",
            "service anvil {", "  chroot =", "}",
            "protocol imap {", "  mail_max_userip_connections = 100", "}", "ssl = no",
        ]
        if not self.as_root:
            user = pwd.getpwuid(os.getuid()).pw_name
            lines += [f"default_login_user = {user}", f"default_internal_user = {user}"]
        self.conf = os.path.join(d, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.counter = itertools.count(1)
        self.proc = subprocess.Popen(["/usr/sbin/dovecot", "-F", "-c", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(d, "dovecot.out"), "wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.02)
        raise RuntimeError("dovecot did not start: " + open(os.path.join(d, "dovecot.out")).read()[-2000:])

    def _chown(self, path):
        if self.as_root:
            os.chown(path, *self.owner)

    def deliver(self, data):
        """As a delivery agent does: written to tmp/, renamed into new/."""
        name = f"{int(time.time())}.M{next(self.counter):09d}P{os.getpid()}.rel"
        tmp = os.path.join(self.inbox, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(data)
        self._chown(tmp)
        os.rename(tmp, os.path.join(self.inbox, "new", name))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None


class Postgres:
    """A private cluster as Tests/IntakeDaemonTests/Support/PostgresServer.swift makes one:
    initdb and pg_ctl as the postgres user (runuser) when root, trust authentication,
    127.0.0.1 on a free port, the socket in the folder."""

    def __init__(self, root):
        base = "/usr/lib/postgresql"
        versions = sorted((int(v) for v in os.listdir(base) if v.isdigit()), reverse=True)
        self.bin = next(f"{base}/{v}/bin" for v in versions if os.access(f"{base}/{v}/bin/initdb", os.X_OK))
        self.dir = os.path.join(root, "pg")
        os.makedirs(self.dir, mode=0o700)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.port = free_port()
        self.data = os.path.join(self.dir, "data")
        self.running = False
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
        self.start()

    def _argv(self, tool, *args):
        argv = [os.path.join(self.bin, tool), *args]
        return ["/usr/sbin/runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def _run(self, tool, *args):
        out = os.path.join(self.dir, f"{tool}.out")
        with open(out, "wb") as f:
            r = subprocess.run(self._argv(tool, *args), cwd=self.dir, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: " + open(out).read()[-2000:])

    def start(self):
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c full_page_writes=off -c max_connections=50"
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
        self.running = True

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-w", "-m", mode, "stop")
        self.running = False

    def query(self, sql):
        r = subprocess.run(self._argv("psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-Atc", sql),
                           cwd=self.dir, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql: {r.stderr}")
        return [line for line in r.stdout.splitlines() if line]

    def remove(self):
        if self.running:
            try:
                self.stop("immediate")
            except Exception:
                pass


class Receiver:
    """The routing service stand-in for the http sink: records the idempotency key of every
    event it takes; `mode` makes it refuse connections (listener closed), time out (answers
    after the sink's timeout), or answer 500 or 429 (Retry-After: 1)."""

    def __init__(self, secret, answer_late_secs):
        self.port = free_port()
        self.secret = secret
        self.late = answer_late_secs
        self.mode = "ok"
        self.lock = threading.Lock()
        self.taken = collections.Counter()      # idempotency key -> times taken
        self.case_ids = set()
        self.attempts = collections.Counter()   # mode -> requests seen
        self.bad_signatures = 0
        self.server = None
        self.listen()

    def listen(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                mode = receiver.mode
                with receiver.lock:
                    receiver.attempts[mode] += 1
                if mode == "500":
                    return self._answer(500, b'{"error":"internal"}')
                if mode == "429":
                    return self._answer(429, b'{"error":"slow down"}', {"Retry-After": "1"})
                if not receiver.check_signature(self.headers.get("X-Intake-Signature", ""), body):
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    return self._answer(401, b"{}")
                event = json.loads(body)
                if mode == "timeout":
                    time.sleep(receiver.late)   # taken, but the answer comes after the sink gave up
                with receiver.lock:
                    receiver.taken[event["idempotency_key"]] += 1
                    receiver.case_ids.add(event["case"]["id"])
                self._answer(200, b"{}")

            def _answer(self, status, body, headers=None):
                try:
                    self.send_response(status)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check_signature(self, header, body):
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        if "t" not in parts or "v1" not in parts:
            return False
        expected = hmac.new(self.secret, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])

    def set_mode(self, mode):
        if mode == "refuse" and self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        elif mode != "refuse" and self.server is None:
            self.listen()
        self.mode = mode

    def close(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


# ---------------------------------------------------------------------------------------
# The scratch environment and its configuration


class Scratch:
    def __init__(self, args, name):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix=f"intake-rel-{name}-")
        os.chmod(self.dir, 0o755)
        self.var = os.path.join(self.dir, "var")
        self.outbox = os.path.join(self.var, "outbox")
        self.hotline_spool = os.path.join(self.var, "spool", "hotline")
        self.visit_spool = os.path.join(self.var, "spool", "visits")
        for path in (self.outbox, self.hotline_spool, self.visit_spool):
            os.makedirs(path)
        self.port = free_port()
        self.config = os.path.join(self.dir, "intake.yaml")
        self.log = os.path.join(self.dir, "daemon.log")
        self.cleanups = []

    def write_config(self, *, store_dir=None, email=None, sink=None, extra_webhook="", forwarding_extra=""):
        store_dir = store_dir or self.var
        email_section = "email:\n  enabled: false\n"
        if email:
            email_section = f"""email:
  enabled: true
  sources:
    - name: service-mailbox
      url: imap://127.0.0.1:{email.port}
      tls: none
      username: {email.USER}
      password_file: {email.password_file}
      mailboxes: [INBOX]
      after: seen
      poll_interval_secs: 0.5
"""
        sink = sink or f"    type: file\n    dir: {self.outbox}\n"
        text = f"""# Scratch copy of deploy/intake.dev.yaml for reliability/trials.py: the same channels,
# ./var in a temp folder, a free port, the email channel on a private dovecot.
zone:
  time_zone: Asia/Shanghai
  default_area_code: "022"
store:
  path: {store_dir}/intake.sqlite
  blob_dir: {store_dir}/blobs
log:
  level: info
webhook:
  enabled: true
  listen_host: 127.0.0.1
  listen_port: {self.port}
  retry_after_secs: 2
{extra_webhook}  sources:
    - name: portal
      auth: hmac
      secret_file: {ROOT}/deploy/dev/webhook.secret
hotline:
  sources:
    - name: hotline
      spool_dir: {self.hotline_spool}
      mapping: {ROOT}/channels/hotline.yaml
      settle_secs: 1
      rescan_interval_millis: 500
      batch_rows: 50
visits:
  spool_dir: {self.visit_spool}
  settle_secs: 1
{email_section}classification:
  taxonomy: {ROOT}/channels/taxonomy.yaml
  holidays: {ROOT}/channels/holidays.yaml
dedup:
  enabled: true
forwarding:
  sink:
{sink}  poll_interval_millis: 200
{forwarding_extra}"""
        with open(self.config, "w") as f:
            f.write(text)
        check = subprocess.run([self.args.intake, "check", "--config", self.config], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"intake check refused the scratch config:\n{check.stdout}{check.stderr}")

    def daemon(self, env=None):
        return Daemon(self.args.intake, self.config, self.log, env)

    def remove(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # keep cleaning
                say(f"  cleanup: {e}")
        if self.args.keep:
            say(f"  kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def read_secret():
    with open(os.path.join(ROOT, "deploy/dev/webhook.secret"), "rb") as f:
        data = f.read()
    return data[:-1] if data.endswith(b"\n") else data


class SinkReader:
    """Reads the file sink incrementally: one JSON file per event, named by its key."""

    def __init__(self, directory):
        self.dir = directory
        self.seen = {}      # file name -> (event, case id, channel, ref)

    def scan(self):
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return self.seen
        for name in names:
            if not name.endswith(".json") or name in self.seen:
                continue
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    event = json.load(f)
            except (OSError, ValueError):
                continue    # renamed into place only when complete; a vanished file comes back
            case = event["case"]
            self.seen[name] = (event["event"], case["id"], case["channel"], norm_ref(case["channel"], case["ref"]))
        return self.seen


# ---------------------------------------------------------------------------------------
# Crash trials


class Inputs:
    """Every input sent: (channel, ref) -> {"acked": bool, "ids": case ids answered}."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.stats = collections.Counter()

    def add(self, channel, ref):
        with self.lock:
            self.items[(channel, norm_ref(channel, ref))] = {"acked": False, "ids": set()}

    def ack(self, channel, ref, case_id=None):
        with self.lock:
            item = self.items[(channel, norm_ref(channel, ref))]
            item["acked"] = True
            if case_id:
                item["ids"].add(case_id)


def webhook_sender(name, port_fn, secret, inputs, rng, counter, stop_soft, stop_hard):
    while not stop_soft.is_set():
        n = next(counter)
        size = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        requests, refs = [], []
        for j in range(size):
            m = n * 10 + j
            ref = f"rel-{name}-{n}-{j}"
            refs.append(ref)
            requests.append({
                "ref": ref, "reported_at": "2026-02-26T09:13:05+08:00",
                "requester": {"name": "张先生", "phone": phone(m), "email": f"u{m}@example.cn"},
                "enterprise": {"name": enterprise_name(rng, m)},
                "subject": f"{cjk(rng, 6)}咨询", "description": demand_text(rng, m), "category": "土地"})
        body = json.dumps(requests[0] if size == 1 else {"requests": requests}, ensure_ascii=False).encode()
        for ref in refs:
            inputs.add("webhook", ref)
        answer = post_until_accepted(port_fn, secret, "/v1/requests", body, f"key-{name}-{n}", stop_hard, inputs.stats)
        if answer is None:
            continue
        for case in json.loads(answer[1]).get("cases", []):
            inputs.ack("webhook", case["ref"], case.get("id"))
        time.sleep(rng.uniform(0, 0.02))


def visit_sender(port_fn, secret, inputs, rng, counter, stop_soft, stop_hard):
    while not stop_soft.is_set():
        n = next(counter)
        visit_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        k = rng.randint(1, 3)
        visit = {"visit_id": visit_id, "visited_at": "2026-02-26T10:00:00+08:00",
                 "recorded_at": "2026-02-26T10:40:00+08:00",
                 "enterprise": {"name": enterprise_name(rng, 5_000_000 + n), "address": f"泰达大街 {n} 号"},
                 "staff": {"id": f"S{n}", "name": "李工", "phone": phone(50_000_000 + n)}}
        texts = [demand_text(rng, 5_000_000 + n * 10 + i) for i in range(k)]
        if rng.random() < 0.25:     # free notes with an enumeration: split into demands
            visit["notes"] = "企业反映以下问题：" + "；".join(f"{i + 1}、{t}" for i, t in enumerate(texts)) + "。"
        else:
            visit["demands"] = [{"text": t, "category": "土地"} for t in texts]
        body = json.dumps(visit, ensure_ascii=False).encode()
        for i in range(k):
            inputs.add("visit", f"{visit_id}#{i + 1}")
        answer = post_until_accepted(port_fn, secret, "/v1/visits", body, None, stop_hard, inputs.stats)
        if answer is None:
            continue
        for v in json.loads(answer[1]).get("visits", []):
            for case in v.get("cases", []):
                inputs.ack("visit", case["ref"], case.get("id"))
        time.sleep(rng.uniform(0.02, 0.1))


HOTLINE_HEADER = ["工单编号", "来电时间", "来电号码", "诉求人", "企业名称", "诉求类型", "诉求标题", "诉求内容", "所属区域", "紧急程度", "承办部门"]


def hotline_dropper(spool, inputs, rng, stop_soft, rows_range, files_made):
    for k in itertools.count(1):
        if stop_soft.is_set():
            return
        rows = rng.randint(*rows_range)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(HOTLINE_HEADER)
        refs = []
        for j in range(rows):
            ref = f"RT{k:04d}{j:05d}"
            refs.append(ref)
            m = 10_000_000 + k * 100_000 + j
            w.writerow([ref, f"2026-02-26 09:{j % 60:02d}:05", phone(m), "王女士", enterprise_name(rng, m), "人才",
                        f"{cjk(rng, 6)}申请", demand_text(rng, m), "新城街道", rng.choice(["一般", "紧急"]), "区营商环境办"])
        for ref in refs:
            inputs.add("hotline", ref)
        name = f"export-{k:04d}.csv"
        data = buf.getvalue().encode("utf-8")
        if k % 2:   # rename in from a partial name
            with open(os.path.join(spool, name + ".part"), "wb") as f:
                f.write(data)
            os.rename(os.path.join(spool, name + ".part"), os.path.join(spool, name))
        else:       # the file, then its .done marker
            with open(os.path.join(spool, name), "wb") as f:
                f.write(data)
            open(os.path.join(spool, name + ".done"), "wb").close()
        files_made[0] += 1
        stop_soft.wait(rng.uniform(2, 5))


def email_sender(dovecot, inputs, rng, stop_soft, run_id):
    for n in itertools.count(1):
        if stop_soft.is_set():
            return
        mid = f"rel-{run_id}-{n}@trials.intake.test"
        addr = f"m{n}@qiye{n}.example.cn"
        subject = f"{cjk(rng, 6)}的申请"
        body = f"您好：\r\n{demand_text(rng, 20_000_000 + n)}\r\n{enterprise_name(rng, 20_000_000 + n)}\r\n"
        b64 = lambda s: base64.b64encode(s.encode()).decode()
        wrapped = "\r\n".join(textwrap76(b64(body)))
        raw = (f"Return-Path: <{addr}>\r\nFrom: =?UTF-8?B?{b64('赵经理')}?= <{addr}>\r\nTo: qiye-fuwu@zone.gov.cn\r\n"
               f"Subject: =?UTF-8?B?{b64(subject)}?=\r\nDate: {email.utils.formatdate(localtime=True)}\r\n"
               f"Message-ID: <{mid}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
               f"Content-Transfer-Encoding: base64\r\n\r\n{wrapped}\r\n")
        inputs.add("email", mid)
        dovecot.deliver(raw.encode())
        stop_soft.wait(rng.uniform(0.05, 0.35))


def textwrap76(s):
    return [s[i:i + 76] for i in range(0, len(s), 76)]


def crash_trials(args, rng):
    broken = args.broken
    trials = args.trials
    scratch = Scratch(args, "crash")
    result = {"name": "crash", "ok": False}
    try:
        dovecot = Dovecot(scratch.dir)
        scratch.cleanups.append(dovecot.stop)
        scratch.write_config(email=dovecot)
        env = {"INTAKE_TEST_ACK_BEFORE_COMMIT": "1"} if broken else {}
        daemon = scratch.daemon(env)
        scratch.cleanups.append(lambda: daemon.kill())
        secret = read_secret()
        inputs = Inputs()
        stop_soft, stop_hard = threading.Event(), threading.Event()
        port_fn = lambda: scratch.port
        counter = itertools.count(1)
        files_made = [0]
        threads = [
            threading.Thread(target=webhook_sender, args=(f"w{i}", port_fn, secret, inputs, random.Random(rng.random()), counter, stop_soft, stop_hard))
            for i in range(2)]
        threads.append(threading.Thread(target=visit_sender, args=(port_fn, secret, inputs, random.Random(rng.random()), itertools.count(1), stop_soft, stop_hard)))
        threads.append(threading.Thread(target=hotline_dropper, args=(scratch.hotline_spool, inputs, random.Random(rng.random()), stop_soft, (200, 1200), files_made)))
        threads.append(threading.Thread(target=email_sender, args=(dovecot, inputs, random.Random(rng.random()), stop_soft, os.path.basename(scratch.dir)[-8:])))
        mode = "BROKEN build (INTAKE_TEST_ACK_BEFORE_COMMIT=1)" if broken else "release daemon"
        say(f"crash trials: {trials} SIGKILLs of the {mode}, all four channels at once (scratch {scratch.dir})")
        started = time.time()
        for t in threads:
            t.daemon = True
            t.start()
        exited_early = []
        uptimes = []
        mid_file = 0
        for trial in range(1, trials + 1):
            daemon.start(f"trial {trial}")
            up = rng.uniform(0.05, args.max_uptime)
            time.sleep(up)
            early = daemon.kill()
            uptimes.append(up)
            work = os.path.join(scratch.hotline_spool, ".work")
            if os.path.isdir(work) and any(n.endswith(".csv") for n in os.listdir(work)):
                mid_file += 1
            if early is not None:
                exited_early.append((trial, early))
                say(f"  ! trial {trial}: the daemon exited by itself with status {early} before the kill\n{daemon.log_tail(1500)}")
            if trial % 10 == 0 or trial == trials:
                with inputs.lock:
                    sent = collections.Counter(ch for ch, _ in inputs.items)
                say(f"  {trial:3d}/{trials} killed (up {up:4.2f} s); inputs so far: "
                    + ", ".join(f"{ch} {sent[ch]}" for ch in CHANNELS))
            time.sleep(rng.uniform(0, 0.3))
        kill_secs = time.time() - started
        # The last start: senders finish what they have in hand (retrying until acknowledged).
        daemon.start("final")
        daemon.wait_healthy(scratch.port)
        stop_soft.set()
        for t in threads:
            t.join(120)
        if any(t.is_alive() for t in threads):
            say("  ! some sender did not finish within 120 s")
            stop_hard.set()
        # Drain: until every input is in the sink, or nothing moved for 20 s with the outbox empty.
        reader = SinkReader(scratch.outbox)
        expected = set(inputs.items)
        deadline, last_count, last_change = time.time() + args.drain_secs, -1, time.time()
        status = None
        while time.time() < deadline:
            seen = reader.scan()
            present = {(ch, ref) for (_, _, ch, ref) in seen.values()}
            if expected <= present:
                break
            if len(seen) != last_count:
                last_count, last_change = len(seen), time.time()
            elif time.time() - last_change > 20:
                status = daemon.status()
                if status and status["outbox_depth"] == 0:
                    break
            time.sleep(0.5)
        time.sleep(1)
        seen = reader.scan()
        status = daemon.status() or {}
        stop_code = daemon.terminate()
        elapsed = time.time() - started

        by_input = collections.defaultdict(set)
        events = collections.Counter()
        for (event, case_id, ch, ref) in seen.values():
            events[event] += 1
            if event in ("case.created", "case.duplicate"):
                by_input[(ch, ref)].add(case_id)
        rows = {}
        mismatched = 0
        for ch in CHANNELS:
            keys = [k for k in inputs.items if k[0] == ch]
            acked = sum(1 for k in keys if inputs.items[k]["acked"])
            delivered = sum(1 for k in keys if by_input.get(k))
            lost = [k for k in keys if not by_input.get(k)]
            doubled = [k for k in keys if len(by_input.get(k, ())) > 1]
            for k in keys:
                answered = inputs.items[k]["ids"]
                if answered and by_input.get(k) and not answered <= by_input[k]:
                    mismatched += 1
            lost_acked = sum(1 for k in lost if inputs.items[k]["acked"])
            rows[ch] = dict(inputs=len(keys), acked=acked if ch in ("webhook", "visit") else None,
                            delivered=delivered, lost=len(lost), lost_acked=lost_acked, doubled=len(doubled),
                            examples=(lost[:3], doubled[:3]))
        unexpected = [k for k in by_input if k not in inputs.items]
        work = os.path.join(scratch.hotline_spool, ".work")
        hotline_left = [n for n in os.listdir(scratch.hotline_spool) if n.endswith(".csv")] + \
            (os.listdir(work) if os.path.isdir(work) else [])
        quarantined = os.listdir(os.path.join(scratch.hotline_spool, "quarantine")) if os.path.isdir(os.path.join(scratch.hotline_spool, "quarantine")) else []
        total = {k: sum(r[k] for r in rows.values()) for k in ("inputs", "delivered", "lost", "doubled", "lost_acked")}

        say(f"\ncrash trials: {trials} SIGKILLs in {kill_secs:.0f} s (daemon up {min(uptimes):.2f}–{max(uptimes):.2f} s before each kill), "
            f"{len(exited_early)} exits without a kill, {mid_file} kills in the middle of a hotline file; whole run {elapsed:.0f} s")
        say(f"  {'channel':8} {'inputs':>7} {'answered':>9} {'delivered':>10} {'lost':>6} {'doubled':>8}")
        for ch in CHANNELS:
            r = rows[ch]
            acked = "-" if r["acked"] is None else str(r["acked"])
            say(f"  {ch:8} {r['inputs']:7d} {acked:>9} {r['delivered']:10d} {r['lost']:6d} {r['doubled']:8d}")
            for label, ex in zip(("lost", "doubled"), r["examples"]):
                if ex:
                    say(f"      e.g. {label}: " + ", ".join(f"{c}:{ref}" for c, ref in ex))
        say(f"  {'total':8} {total['inputs']:7d} {'':>9} {total['delivered']:10d} {total['lost']:6d} {total['doubled']:8d}")
        say(f"  lost although answered 2xx: {total['lost_acked']}; delivered under another id than answered: {mismatched}; "
            f"events for inputs never sent: {len(unexpected)}")
        say(f"  sink: {sum(events.values())} events (" + ", ".join(f"{e} {c}" for e, c in sorted(events.items())) + ")"
            f"; outbox depth {status.get('outbox_depth', '?')}, dead letters {status.get('dead_letters', '?')}; "
            f"hotline files made {files_made[0]}, left in spool {len(hotline_left)}, quarantined {len(quarantined)}")
        say(f"  client side: " + (", ".join(f"{k} {v}" for k, v in sorted(inputs.stats.items())) or "no retries")
            + f"; final SIGTERM exit status {stop_code}")
        result.update(trials=trials, rows=rows, total=total, mismatched=mismatched, unexpected=len(unexpected),
                      exited_early=len(exited_early), mid_file=mid_file, secs=elapsed, stop_code=stop_code,
                      dead=status.get("dead_letters"))
        result["ok"] = (total["lost"] == 0 and total["doubled"] == 0 and mismatched == 0 and not unexpected
                        and not exited_early and status.get("dead_letters") == 0)
        return result
    finally:
        scratch.remove()


# ---------------------------------------------------------------------------------------
# Outage trials


def webhook_load(port, secret, prefix, rng, stop, answers, stats, rate=25):
    """Sends distinct signed requests (retried until 2xx) until `stop`; answers[ref] = case id."""
    for n in itertools.count(1):
        if stop.is_set():
            return
        ref = f"{prefix}-{n}"
        body = json.dumps({"ref": ref, "requester": {"phone": phone(70_000_000 + n)},
                           "enterprise": {"name": enterprise_name(rng, 70_000_000 + n)},
                           "description": demand_text(rng, 70_000_000 + n)}, ensure_ascii=False).encode()
        answer = post_until_accepted(lambda: port, secret, "/v1/requests", body, f"k-{ref}", threading.Event(), stats)
        if answer:
            case = json.loads(answer[1])["cases"][0]
            answers[ref] = case["id"]
        time.sleep(1 / rate)


def give_up_after(secs):
    """An event that sets itself after secs: a bound on retry loops."""
    event = threading.Event()
    timer = threading.Timer(secs, event.set)
    timer.daemon = True
    timer.start()
    return event


def wait_for(predicate, timeout, step=0.5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def outage_http(args, rng):
    scratch = Scratch(args, "http")
    try:
        secret = read_secret()
        timeout_ms = 1000
        receiver = Receiver(secret, answer_late_secs=timeout_ms / 1000 + 0.5)
        scratch.cleanups.append(receiver.close)
        sink = (f"    type: http\n    url: http://127.0.0.1:{receiver.port}/v1/events\n"
                f"    secret_file: {ROOT}/deploy/dev/webhook.secret\n    concurrency: 2\n"
                f"    timeout_millis: {timeout_ms}\n    connect_timeout_millis: 500\n")
        retry = "  retry:\n    initial_backoff_secs: 0.2\n    max_backoff_secs: 2\n    max_attempts: 1000\n    max_age_secs: 3600\n"
        scratch.write_config(sink=sink, forwarding_extra=retry)
        daemon = scratch.daemon().start("http outage")
        scratch.cleanups.append(lambda: daemon.kill())
        daemon.wait_healthy(scratch.port)
        answers, stats, stop = {}, collections.Counter(), threading.Event()
        sender = threading.Thread(target=webhook_load, args=(scratch.port, secret, "http", rng, stop, answers, stats), daemon=True)
        sender.start()
        schedule = [("ok", 2), ("refuse", 4), ("ok", 2), ("timeout", 4), ("ok", 2), ("500", 4), ("ok", 2), ("429", 4), ("ok", 1)]
        for mode, secs in schedule:
            receiver.set_mode(mode)
            time.sleep(secs)
        stop.set()
        sender.join(30)
        expected = set(answers.values())
        complete = wait_for(lambda: expected <= receiver.case_ids, 60)
        status = daemon.status() or {}
        daemon.terminate()
        missing = len(expected - receiver.case_ids)
        redelivered = sum(c - 1 for c in receiver.taken.values())
        ok = complete and missing == 0 and status.get("dead_letters") == 0 and receiver.bad_signatures == 0
        seen = ", ".join(f"{m} {receiver.attempts[m]}" for m in ("timeout", "500", "429"))
        line = (f"outage http receiver: refused 4 s, timed out 4 s, 500 for 4 s, 429 for 4 s (attempts seen: {seen}) "
                f"→ {len(expected & receiver.case_ids)}/{len(expected)} events delivered, {missing} missing, "
                f"{redelivered} taken again by key (at-least-once), dead letters {status.get('dead_letters')}  "
                + ("OK" if ok else "FAIL"))
        return {"name": "http", "ok": ok, "line": line, "events": len(expected), "missing": missing,
                "doubled": f"0 ({redelivered} sent again with their key)"}
    finally:
        scratch.remove()


def outage_postgres(args, rng):
    scratch = Scratch(args, "pg")
    try:
        pg = Postgres(scratch.dir)
        scratch.cleanups.append(pg.remove)
        sink = (f"    type: postgres\n    host: 127.0.0.1\n    port: {pg.port}\n    user: postgres\n    database: postgres\n"
                f"    tls: disable\n    table: routing_queue\n    create_table: true\n    batch: true\n"
                f"    timeout_millis: 3000\n    connect_timeout_millis: 1000\n")
        retry = "  retry:\n    initial_backoff_secs: 0.2\n    max_backoff_secs: 2\n    max_attempts: 1000\n    max_age_secs: 3600\n"
        scratch.write_config(sink=sink, forwarding_extra=retry)
        daemon = scratch.daemon().start("postgres outage")
        scratch.cleanups.append(lambda: daemon.kill())
        daemon.wait_healthy(scratch.port)
        secret = read_secret()
        answers, stats, stop = {}, collections.Counter(), threading.Event()
        sender = threading.Thread(target=webhook_load, args=(scratch.port, secret, "pg", rng, stop, answers, stats), daemon=True)
        sender.start()
        time.sleep(3)
        pg.stop("fast")
        time.sleep(5)
        pg.start()
        time.sleep(3)
        pg.stop("immediate")
        time.sleep(4)
        pg.start()
        time.sleep(2)
        stop.set()
        sender.join(30)
        expected = set(answers.values())

        def rows():
            return set(pg.query("SELECT case_id FROM routing_queue"))
        complete = wait_for(lambda: expected <= rows(), 60, 1)
        got = rows()
        count, distinct = pg.query("SELECT count(*), count(DISTINCT idempotency_key) FROM routing_queue")[0].split("|")
        status = daemon.status() or {}
        daemon.terminate()
        missing = len(expected - got)
        ok = complete and missing == 0 and count == distinct and int(count) == len(expected) and status.get("dead_letters") == 0
        line = (f"outage postgres: stopped (fast) 5 s, stopped (immediate) 4 s, mid-stream → {len(expected & got)}/{len(expected)} "
                f"rows, {missing} missing, {int(count) - int(distinct)} keys twice, {int(count) - len(expected & got)} rows not asked for, "
                f"dead letters {status.get('dead_letters')}  " + ("OK" if ok else "FAIL"))
        return {"name": "postgres", "ok": ok, "line": line, "events": len(expected), "missing": missing,
                "doubled": int(count) - int(distinct)}
    finally:
        scratch.remove()


def outage_disk_full(args, rng):
    scratch = Scratch(args, "disk")
    disk = os.path.join(scratch.dir, "disk")
    os.makedirs(disk)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk], capture_output=True, text=True)
    if mount.returncode != 0:
        scratch.remove()
        line = (f"outage disk full: SKIPPED, cannot mount a tmpfs here ({mount.stderr.strip()}); run as root "
                f"with CAP_SYS_ADMIN, or see reliability/README.md")
        return {"name": "disk", "ok": True, "skipped": True, "line": line}
    scratch.cleanups.append(lambda: subprocess.run(["umount", "-l", disk]))
    try:
        scratch.write_config(store_dir=disk)
        daemon = scratch.daemon().start("disk full")
        scratch.cleanups.append(lambda: daemon.kill())
        daemon.wait_healthy(scratch.port)
        secret = read_secret()
        accepted = {}    # ref -> case id
        refused = {}     # ref -> (body, key)
        retry_after = collections.Counter()
        bodies = {}

        def request(n, attachment):
            ref = f"disk-{n}"
            doc = {"ref": ref, "requester": {"phone": phone(80_000_000 + n)},
                   "enterprise": {"name": enterprise_name(rng, 80_000_000 + n)}, "description": demand_text(rng, 80_000_000 + n)}
            if attachment:
                doc["attachments"] = [{"name": f"scan-{n}.bin", "media_type": "application/octet-stream",
                                       "content_base64": base64.b64encode(os.urandom(24 * 1024)).decode()}]
            return ref, json.dumps(doc, ensure_ascii=False).encode()

        n = 0
        for _ in range(20):      # before the disk fills
            n += 1
            ref, body = request(n, attachment=n % 4 == 0)
            status, headers, data = post_signed(scratch.port, secret, "/v1/requests", body, f"k-{ref}")
            if status == 202:
                accepted[ref] = json.loads(data)["cases"][0]["id"]
        before_full = len(accepted)
        # Fill the disk: a filler file until ENOSPC, in 64 KiB and then 512-byte writes.
        filler = os.path.join(disk, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for size in (65536, 512):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)
        blobs_at_fill = sum(len(fs) for dp, _, fs in os.walk(os.path.join(disk, "blobs")) if not dp.endswith("/tmp"))
        # Requests on a full disk: keep sending until 503s come (SQLite may reuse WAL pages for a while).
        full_answers = collections.Counter()
        reasons = collections.Counter()
        for _ in range(400):
            n += 1
            ref, body = request(n, attachment=n % 2 == 0)
            status, headers, data = post_signed(scratch.port, secret, "/v1/requests", body, f"k-{ref}")
            full_answers[status] += 1
            if status == 202:
                accepted[ref] = json.loads(data)["cases"][0]["id"]
            elif status == 503:
                refused[ref] = body
                retry_after[headers.get("retry-after")] += 1
                reasons[json.loads(data).get("message", "?")] += 1
            else:
                say(f"  ! disk full: unexpected answer {status} {data[:200]!r}")
            if len(refused) >= 20:
                break
        alive_while_full = daemon.alive()
        ready = None
        try:
            ready = http_call(scratch.port, "GET", "/readyz", timeout=5)[0]
        except (OSError, http.client.HTTPException):
            pass
        blob_files = lambda: sum(len(fs) for dp, _, fs in os.walk(os.path.join(disk, "blobs")) if not dp.endswith("/tmp"))
        blobs_while_full = blob_files() - blobs_at_fill
        partial_blobs = os.listdir(os.path.join(disk, "blobs", "tmp")) if os.path.isdir(os.path.join(disk, "blobs", "tmp")) else []
        # Free the space; the senders retry with the same keys: each must now be a new case.
        os.unlink(filler)
        time.sleep(2)   # Retry-After
        retried_created = 0
        give_up = give_up_after(90)
        after_freeing = collections.Counter()
        for ref, body in refused.items():
            answer = post_until_accepted(lambda: scratch.port, secret, "/v1/requests", body, f"k-{ref}", give_up, after_freeing)
            if answer is None:
                continue
            case = json.loads(answer[1])["cases"][0]
            accepted[ref] = case["id"]
            if case["status"] == "created":
                retried_created += 1
        for _ in range(10):      # and new ones flow
            n += 1
            ref, body = request(n, attachment=True)
            answer = post_until_accepted(lambda: scratch.port, secret, "/v1/requests", body, f"k-{ref}", give_up, after_freeing)
            if answer is not None:
                accepted[ref] = json.loads(answer[1])["cases"][0]["id"]
        if after_freeing:
            say("  ! disk full: after freeing space: " + ", ".join(f"{k} {v}" for k, v in sorted(after_freeing.items())))
        reader = SinkReader(scratch.outbox)

        def delivered():
            return {(ref, cid) for (_, cid, ch, ref) in reader.scan().values()}
        want = set(accepted.items())
        complete = wait_for(lambda: want <= delivered(), 60)
        got = delivered()
        by_ref = collections.Counter(ref for ref, _ in got)
        doubled = sum(1 for c in by_ref.values() if c > 1)
        status = daemon.status() or {}
        daemon.terminate()
        headers_ok = set(retry_after) == {"2"}
        ok = (complete and len(refused) > 0 and headers_ok and retried_created == len(refused) and not partial_blobs
              and alive_while_full and doubled == 0 and status.get("dead_letters") == 0)
        line = (f"outage disk full (8 MiB tmpfs for store and blobs): {before_full} taken before; once full {full_answers[202]} more fit, "
                f"then {len(refused)} answered 503 with Retry-After {'/'.join(str(k) for k in retry_after)} ("
                + ", ".join(f"{c}× '{m}'" for m, c in reasons.items()) + f"; daemon alive: {alive_while_full}, "
                f"/readyz {ready}); nothing partial: {retried_created}/{len(refused)} retried keys became new cases, "
                f"blobs/tmp {len(partial_blobs)} files, {blobs_while_full} blobs written while refusing; after freeing {len(want & got)}/{len(want)} delivered, {doubled} doubled  "
                + ("OK" if ok else "FAIL"))
        return {"name": "disk", "ok": ok, "line": line, "events": len(want), "missing": len(want - got), "doubled": doubled}
    finally:
        scratch.remove()


# ---------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=int(os.environ.get("TRIALS", 0)) or None,
                        help="SIGKILLs (default 50, 20 with --broken; env TRIALS)")
    parser.add_argument("--broken", action="store_true",
                        help="run the daemon with INTAKE_TEST_ACK_BEFORE_COMMIT=1 (crash trials only); succeeds when losses are found")
    parser.add_argument("--only", choices=["crash", "outages"])
    parser.add_argument("--intake", default=os.environ.get("INTAKE_BINARY", os.path.join(ROOT, ".build/release/intake")))
    parser.add_argument("--max-uptime", type=float, default=3.0, help="longest run before a kill, s")
    parser.add_argument("--drain-secs", type=float, default=240)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 0)) or None)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    args = parser.parse_args()
    args.trials = args.trials or (20 if args.broken else 50)
    seed = args.seed or random.randrange(1, 1_000_000)
    rng = random.Random(seed)
    if not os.access(args.intake, os.X_OK):
        sys.exit(f"no daemon at {args.intake}: build it first (make release)")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.time()
    say(f"intake reliability trials — binary {args.intake}, seed {seed} (SEED={seed} repeats the random choices)")
    results = []
    if args.only != "outages":
        try:
            results.append(crash_trials(args, rng))
        except Exception as e:
            say(f"crash trials: FAIL, {e}")
            results.append({"name": "crash", "ok": False})
    if args.only != "crash" and not args.broken:
        say("\noutage trials:")
        for trial in (outage_http, outage_postgres, outage_disk_full):
            try:
                r = trial(args, rng)
            except Exception as e:
                r = {"name": trial.__name__, "ok": False, "line": f"{trial.__name__}: FAIL, {e}"}
            results.append(r)
            say("  " + r["line"])
    total_secs = time.time() - started

    crash = next((r for r in results if r["name"] == "crash"), None)
    outages = [r for r in results if r["name"] != "crash"]
    fmt = lambda n: f"{n:,}".replace(",", " ")
    say("\n===== summary: paste under \"Guarantees and how we test them\" in README.md =====")
    say("| trial | what happens | inputs / events | lost | doubled | result |")
    say("|---|---|---|---|---|---|")
    if crash and "total" in crash:
        t = crash["total"]
        per = ", ".join(f"{ch} {fmt(crash['rows'][ch]['inputs'])}" for ch in CHANNELS)
        what = (f"{crash['trials']} SIGKILLs at random moments (0.05–{args.max_uptime:g} s after start, "
                f"{crash['mid_file']} inside a hotline file), four channels at once, senders retrying")
        if args.broken:
            what += "; **broken build**: 202 before commit (`INTAKE_TEST_ACK_BEFORE_COMMIT=1`)"
        say(f"| crash | {what} | {fmt(t['inputs'])} ({per}) | {t['lost']} | {t['doubled']} | {'OK' if crash['ok'] else 'FAIL'} |")
    descriptions = {
        "http": "HTTP receiver refuses connections, times out, answers 500, answers 429, 4 s each",
        "postgres": "PostgreSQL stopped (fast) for 5 s, then (immediate) for 4 s, mid-stream",
        "disk": "store and blobs on an 8 MiB tmpfs, filled: 503 + Retry-After, nothing written; space freed, retried",
    }
    for r in outages:
        desc = descriptions.get(r["name"], r["name"])
        if r.get("skipped"):
            say(f"| outage | {desc} | skipped: no tmpfs | | | |")
        else:
            say(f"| outage | {desc} | {fmt(r.get('events', 0))} events | {r.get('missing', '?')} | {r.get('doubled', 0)} | {'OK' if r['ok'] else 'FAIL'} |")
    say(f"\n`make reliability{'-broken' if args.broken else ''}`: {total_secs / 60:.1f} min on this machine, seed {seed}.")
    if args.broken:
        caught = bool(crash and crash.get("total", {}).get("lost", 0) > 0)
        say("broken build    " + ("the check FOUND the losses, as it must: it can fail" if caught
                                  else "NO losses found: the check did not catch the broken build"))
        sys.exit(0 if caught else 1)
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
