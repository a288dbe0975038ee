#!/usr/bin/env bash
# Daemon start time and idle memory, on an empty data dir.
#
#   bench/daemon_start.sh [BUILD_DIR=build] [RUNS=11]
#
# Per run: a fresh temp data dir and socket; start time = from just before exec of
# `shoal daemon` until GET /_ping on its socket answers 200 OK (polled every 0.5 ms);
# idle RSS = VmRSS from /proc/<pid>/status after 2 s idle; stop time = SIGTERM until exit.
# Prints every run and the medians. Goals: start < 100 ms, idle RSS <= 20 MB.
set -euo pipefail
build_dir=${1:-build}
runs=${2:-11}
bin=$(realpath "$build_dir/shoal")
[[ -x "$bin" ]] || { echo "no $bin: build first" >&2; exit 1; }

exec python3 - "$bin" "$runs" <<'PY'
import os, signal, socket, statistics, subprocess, sys, tempfile, time

binary, runs = sys.argv[1], int(sys.argv[2])

def ping(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(path)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.startswith(b"HTTP/1.1 200") and data.endswith(b"OK")
    except OSError:
        return False
    finally:
        s.close()

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

starts, rsss, stops, threads = [], [], [], []
for i in range(runs):
    with tempfile.TemporaryDirectory(prefix="shoal-bench-") as tmp:
        sock = os.path.join(tmp, "run", "shoal.sock")
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "daemon", "--data-dir", os.path.join(tmp, "data"),
                              "--socket", sock, "--log-level", "warn"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = t0 + 20
        while not ping(sock):
            if p.poll() is not None or time.perf_counter() > deadline:
                p.kill()
                sys.exit(f"run {i}: daemon did not answer /_ping")
            time.sleep(0.0005)
        start_ms = (time.perf_counter() - t0) * 1000
        time.sleep(2)
        rss = rss_kib(p.pid)
        nthreads = len(os.listdir(f"/proc/{p.pid}/task"))
        t1 = time.perf_counter()
        p.send_signal(signal.SIGTERM)
        code = p.wait(timeout=20)
        stop_ms = (time.perf_counter() - t1) * 1000
        if code != 0:
            sys.exit(f"run {i}: exit code {code} after SIGTERM")
        starts.append(start_ms); rsss.append(rss); stops.append(stop_ms); threads.append(nthreads)
        print(f"run {i:2d}: start {start_ms:6.1f} ms  idle RSS {rss/1024:5.1f} MiB  "
              f"threads {nthreads}  stop {stop_ms:6.1f} ms")

print(f"median of {runs}: start {statistics.median(starts):.1f} ms, "
      f"idle RSS {statistics.median(rsss)/1024:.1f} MiB, stop {statistics.median(stops):.1f} ms "
      f"(goals: start < 100 ms, RSS <= 20 MiB)")
PY
