#!/usr/bin/env python3
"""Start-to-ready time and idle RSS of the release daemon, as systemd would see them.

Runs BINARY on a scratch copy of deploy/intake.dev.yaml (webhook, hotline spool, visit
drop directory, classification, dedup) with NOTIFY_SOCKET pointing at a datagram socket
this script listens on; measures the time from exec to READY=1, then reads VmRSS after the
daemon has idled for IDLE seconds; stops it with SIGTERM and waits for STOPPING=1 and the
exit. Repeats RUNS times (the first run creates the store; later runs open it) and prints
each run and the median. Targets (issue 8): ready within 0.3 s, idle RSS at most 40 MB.
"""
import os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/intake"
runs = int(os.environ.get("RUNS", "5"))
idle = float(os.environ.get("IDLE", "3"))

work = tempfile.mkdtemp(prefix="intake-startup-")
try:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = open("deploy/intake.dev.yaml", encoding="utf-8").read()
    config = config.replace("./var", f"{work}/var").replace("listen_port: 8080", f"listen_port: {port}")
    path = os.path.join(work, "intake.yaml")
    open(path, "w", encoding="utf-8").write(config)

    ready_times, rss_values = [], []
    for run in range(runs):
        address = os.path.join(work, f"notify-{run}.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(address)
        listener.settimeout(10)
        environment = dict(os.environ, NOTIFY_SOCKET=address)
        started = time.monotonic()
        daemon = subprocess.Popen([binary, "run", "--config", path], env=environment,
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"daemon-{run}.log"), "w"))
        while True:
            message = listener.recv(4096).decode()
            if "READY=1" in message.split("\n"):
                break
        ready = time.monotonic() - started
        time.sleep(idle)
        status = open(f"/proc/{daemon.pid}/status").read()
        rss_kib = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
        daemon.send_signal(signal.SIGTERM)
        stopping = False
        try:
            while not stopping:
                stopping = "STOPPING=1" in listener.recv(4096).decode().split("\n")
        except socket.timeout:
            pass
        code = daemon.wait(timeout=30)
        listener.close()
        ready_times.append(ready)
        rss_values.append(rss_kib / 1024)
        print(f"run {run + 1}: ready after {ready * 1000:.0f} ms, idle RSS {rss_kib / 1024:.1f} MiB, "
              f"STOPPING=1 {'seen' if stopping else 'MISSING'}, exit {code}")
    print(f"start to READY=1: median {statistics.median(ready_times) * 1000:.0f} ms (target 300 ms); "
          f"idle RSS: median {statistics.median(rss_values):.1f} MiB (target 40 MB)")
finally:
    shutil.rmtree(work, ignore_errors=True)
