#!/usr/bin/env python3
"""Manager failover: the leader's daemon killed → the first write acknowledged through another
manager, and no acknowledged write lost.

One etcd member (Debian's etcd-server) and N real `shoal daemon`s on 127.0.0.1 sharing it
(--etcd-endpoints; hollow executor, so only the control plane is measured): the first inits
the swarm, the others join it with the manager token. Per run, a writer keeps creating
services through a follower's socket (each create forwarded to the leader); the leader's
daemon is killed with SIGKILL; a probe creates a service through a surviving manager every
10 ms until one is acknowledged:

  - failover: kill → the first acknowledged create through another manager
  - lost:     creates the writer saw acknowledged (201) that are not in the swarm afterwards

The killed daemon is then started again (it comes back as a follower) before the next run.
Reports the median and the 99th percentile (the maximum below 100 runs) of --runs.
Everything it starts it stops.

Usage: bench/manager_failover.py [--shoal build/shoal] [--managers 3] [--runs 10]
                                 [--etcd-heartbeat-ms 100] [--etcd-election-ms 1000]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_down import Node, free_port  # noqa: E402  (a daemon on 127.0.0.1, its API)

PROBE = 0.01


class Etcd:
    def __init__(self, root, heartbeat_ms, election_ms):
        self.dir = os.path.join(root, "etcd")
        self.client = f"http://127.0.0.1:{free_port()}"
        peer = f"http://127.0.0.1:{free_port()}"
        self.log = open(os.path.join(root, "etcd.log"), "ab")
        self.proc = subprocess.Popen(
            ["etcd", "--name", "bench", "--data-dir", self.dir,
             "--listen-client-urls", self.client, "--advertise-client-urls", self.client,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", f"bench={peer}", "--heartbeat-interval", str(heartbeat_ms),
             "--election-timeout", str(election_ms), "--max-txn-ops", "1000000",
             "--max-request-bytes", str(128 << 20), "--quota-backend-bytes", str(8 << 30)],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if subprocess.run(["etcdctl", "--endpoints", self.client, "endpoint", "health"],
                              capture_output=True, env={**os.environ, "ETCDCTL_API": "3"}
                              ).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("etcd did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


class Manager(Node):
    """A shoal daemon keeping its store in the shared etcd."""

    def __init__(self, binary, root, name, etcd):
        super().__init__(binary, root, name,
                         ["--etcd-endpoints", etcd.client.removeprefix("http://")])
        self.id = ""


def service_spec(name):
    return {"Name": name, "TaskTemplate": {"ContainerSpec": {"Image": "busybox"}},
            "Mode": {"Replicated": {"Replicas": 0}}}


def leader_id(api):
    for node in api.call("GET", "/nodes"):
        if node.get("ManagerStatus", {}).get("Leader"):
            return node["ID"]
    return ""


def agreed_leader(managers, timeout=30):
    """The leader's node ID once every manager's store names the same one."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        seen = set()
        for m in managers:
            try:
                seen.add(leader_id(m.api))
            except (OSError, RuntimeError):
                seen.add("")
        if len(seen) == 1 and "" not in seen:
            return seen.pop()
        time.sleep(0.05)
    raise RuntimeError("the managers do not agree on a leader")


class Writer(threading.Thread):
    """Creates services through one manager until stopped; remembers the acknowledged ones."""

    def __init__(self, api, prefix):
        super().__init__(daemon=True)
        self.api = api
        self.prefix = prefix
        self.acked = []
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            n += 1
            try:
                self.acked.append(
                    self.api.call("POST", "/services/create",
                                  service_spec(f"{self.prefix}-{n}"))["ID"])
            except (OSError, RuntimeError):
                time.sleep(PROBE)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoal", default="build/shoal")
    parser.add_argument("--managers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--etcd-heartbeat-ms", type=int, default=100)
    parser.add_argument("--etcd-election-ms", type=int, default=1000)
    args = parser.parse_args()
    binary = os.path.abspath(args.shoal)

    root = tempfile.mkdtemp(prefix="shoal-failover-")
    etcd = None
    managers = []
    try:
        etcd = Etcd(root, args.etcd_heartbeat_ms, args.etcd_election_ms)
        managers = [Manager(binary, root, f"m{i}", etcd) for i in range(args.managers)]
        for m in managers:
            m.start()
        first = managers[0]
        first.api.call("POST", "/swarm/init", {"ListenAddr": f"127.0.0.1:{first.port}",
                                               "AdvertiseAddr": "127.0.0.1"})
        token = first.api.call("GET", "/swarm")["JoinTokens"]["Manager"]
        for m in managers[1:]:
            m.api.call("POST", "/swarm/join", {"ListenAddr": f"127.0.0.1:{m.port}",
                                               "AdvertiseAddr": "127.0.0.1",
                                               "RemoteAddrs": [f"127.0.0.1:{first.port}"],
                                               "JoinToken": token})
        for m in managers:
            m.id = m.api.call("GET", "/info")["Swarm"]["NodeID"]

        failovers, lost = [], 0
        for run in range(args.runs):
            leader_node = agreed_leader(managers)
            leader = next(m for m in managers if m.id == leader_node)
            others = [m for m in managers if m is not leader]
            writer = Writer(others[0].api, f"w{run}")
            writer.start()
            time.sleep(0.5)  # the writer is going through the leader
            killed_at = time.monotonic()
            leader.kill9()
            probe = others[-1]
            n = 0
            while True:
                n += 1
                try:
                    probe.api.call("POST", "/services/create", service_spec(f"p{run}-{n}"))
                    break
                except (OSError, RuntimeError):
                    if time.monotonic() - killed_at > 60:
                        raise RuntimeError("no manager took over within 60 s")
                    time.sleep(PROBE)
            failover = time.monotonic() - killed_at
            time.sleep(0.3)
            writer.stopping.set()
            writer.join()
            missing = 0
            for service_id in writer.acked:
                try:
                    probe.api.call("GET", f"/services/{service_id}")
                except RuntimeError:
                    missing += 1
            lost += missing
            failovers.append(failover)
            print(f"run {run + 1}: failover {failover * 1000:.0f} ms, "
                  f"{len(writer.acked)} creates acknowledged, {missing} lost", flush=True)
            leader.start()  # back as a follower

        print(json.dumps({
            "managers": args.managers, "runs": args.runs,
            "etcd_heartbeat_ms": args.etcd_heartbeat_ms,
            "etcd_election_ms": args.etcd_election_ms,
            "failover_ms_median": round(statistics.median(failovers) * 1000),
            "failover_ms_p99": round(percentile(failovers, 99) * 1000),
            "acknowledged_writes_lost": lost,
            "loadavg": os.getloadavg()[0],
        }, indent=2))
    finally:
        for m in managers:
            m.stop()
        if etcd:
            etcd.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
