#!/usr/bin/env python3
"""How long a netns cluster takes to make and to remove.

`shoal cluster create c --nodes N` (bridge, NAT table, N machines each with its namespaces
and `shoal daemon`, swarm init on the first and N-1 joins over gRPC + mutual TLS, each
step waiting for the daemon's API) and `shoal cluster rm c` (every process, namespace,
link, table and directory), timed end to end from the CLI, medians of --runs. Also the
RSS of each machine's idle daemon 1 s after create, and its anonymous part (RSS less the
binary's and libraries' file pages, which all machines share). Needs root.

Usage: bench/cluster_lifecycle.py [--shoal build/shoal] [--nodes 3] [--runs 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from side_by_side import rss_kib  # noqa: E402


def anon_kib(pid):
    """RssAnon: the daemon's own memory, without the binary's and libraries' shared pages."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def daemon_pids(clusters_dir):
    """PIDs of the `shoal daemon` processes whose data dir is under clusters_dir."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if len(cmd) > 1 and cmd[1] == b"daemon" and any(
                a.startswith(b"--data-dir=" + clusters_dir.encode()) for a in cmd):
            pids.append(int(entry))
    return pids


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoal", default=os.path.join(here, "..", "build", "shoal"))
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="shoal-lifecycle-")
    clusters = os.path.join(root, "c")
    env = dict(os.environ, SHOAL_CLUSTERS_DIR=clusters)
    creates, removes, rss, anon = [], [], [], []
    try:
        for run in range(args.runs):
            t0 = time.monotonic()
            subprocess.run([args.shoal, "cluster", "create", "lc", "--nodes", str(args.nodes)],
                           env=env, check=True, capture_output=True)
            t1 = time.monotonic()
            state = json.load(open(os.path.join(clusters, "lc", "state.json")))
            assert len(state["Machines"]) == args.nodes
            time.sleep(1)
            rss += [rss_kib(p) / 1024 for p in daemon_pids(clusters)]
            anon += [anon_kib(p) / 1024 for p in daemon_pids(clusters)]
            t2 = time.monotonic()
            subprocess.run([args.shoal, "cluster", "rm", "lc"], env=env, check=True,
                           capture_output=True)
            t3 = time.monotonic()
            creates.append(t1 - t0)
            removes.append(t3 - t2)
            print(f"run {run + 1}: create {t1 - t0:.3f} s, rm {t3 - t2:.3f} s", flush=True)
        print(f"median of {args.runs} ({args.nodes} machines): create {statistics.median(creates):.3f} s, "
              f"rm {statistics.median(removes):.3f} s, idle daemon RSS {statistics.median(rss):.1f} MiB "
              f"(anonymous {statistics.median(anon):.1f} MiB)")
    finally:
        subprocess.run([args.shoal, "cluster", "rm", "lc"], env=env, check=False,
                       capture_output=True)
        subprocess.run(["rm", "-rf", root], check=False)


if __name__ == "__main__":
    main()
