#!/usr/bin/env python3
"""A dead worker's tasks, rescheduled: heartbeat deadline → all tasks running elsewhere.

Two real `shoal daemon`s on 127.0.0.1 (hollow executor, so only the control plane and the
gRPC + mutual TLS transport are measured): the first inits the swarm with a 1 s dispatcher
heartbeat, the second joins it as a worker. A service spreads its replicas over both; the
worker's daemon is killed with SIGKILL; the script polls the manager's API (GET /nodes and
/tasks every 10 ms) and reports, per run:

  - down:        kill → the manager shows the worker's node as "down"
  - rescheduled: kill → every replica RUNNING on the manager again

The worker is then started again (it rejoins as the same node) and the service reset, so
each run starts from the same spread. Medians of --runs. Everything it starts it stops.

With --netns, the two nodes are machines of a netns cluster (`shoal cluster create`, the
runc executor: real containers, each daemon in its own namespaces on its own IP) and the
kill is `shoal machine kill` — a power cut that takes the worker's containers with it; the
worker comes back with `shoal machine start`. Needs root.

Usage: bench/node_down.py [--shoal build/shoal] [--replicas 6] [--runs 5] [--heartbeat-s 1]
                          [--restart-delay-s 0] [--netns]
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from side_by_side import Api  # noqa: E402  (the same Docker API client)

POLL = 0.01


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, binary, root, name, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.dir = os.path.join(root, name)
        self.sock = os.path.join(self.dir, "shoal.sock")
        self.port = free_port()
        self.proc = None
        os.makedirs(self.dir, exist_ok=True)
        self.api = Api(self.sock)

    def start(self):
        log = open(os.path.join(self.dir, "daemon.log"), "ab")
        self.proc = subprocess.Popen(
            [self.binary, "daemon", "--data-dir", os.path.join(self.dir, "data"), "--socket",
             self.sock, "--executor", "hollow", "--listen-addr", f"127.0.0.1:{self.port}",
             "--advertise-addr", "127.0.0.1"] + self.extra_args,
            stdout=log, stderr=log)
        self.api.wait_ready()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class NetnsMachine:
    """A machine of a netns cluster, with Node's start/kill9/stop."""

    def __init__(self, binary, clusters_dir, cluster, name):
        self.run = lambda *a: subprocess.run(
            [binary, *a], env=dict(os.environ, SHOAL_CLUSTERS_DIR=clusters_dir),
            check=True, capture_output=True, text=True)
        self.cluster, self.name = cluster, name
        state = json.load(open(os.path.join(clusters_dir, cluster, "state.json")))
        machine = next(m for m in state["Machines"] if m["Name"] == name)
        self.ip = machine["IP"]
        self.api = Api(machine["Socket"])

    def start(self):
        self.run("machine", "start", self.cluster, self.name)

    def kill9(self):
        self.run("machine", "kill", self.cluster, self.name)

    def stop(self):
        pass  # `shoal cluster rm` removes the machines


def netns_cluster(binary, root):
    """Makes a two-machine netns cluster with the test image on both; returns its machines."""
    here = os.path.dirname(os.path.abspath(__file__))
    clusters = os.path.join(root, "c")
    env = dict(os.environ, SHOAL_CLUSTERS_DIR=clusters)
    subprocess.run([binary, "cluster", "create", "nd", "--nodes", "2"], env=env, check=True,
                   capture_output=True)
    subprocess.run(["bash", os.path.join(here, "..", "tests", "support", "make_test_image.sh"),
                    os.path.join(root, "image")], check=True, capture_output=True)
    tar = open(os.path.join(root, "image", "image.tar"), "rb").read()
    machines = [NetnsMachine(binary, clusters, "nd", m) for m in ("m1", "m2")]
    for m in machines:
        m.api.call("POST", "/images/load?quiet=1", raw=tar,
                   headers={"Content-Type": "application/x-tar"})
    return machines


def remove_netns_cluster(binary, root):
    subprocess.run([binary, "cluster", "rm", "nd"], check=False, capture_output=True,
                   env=dict(os.environ, SHOAL_CLUSTERS_DIR=os.path.join(root, "c")))


def wait_for(probe, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return time.monotonic()
        time.sleep(POLL)
    raise RuntimeError(f"timed out after {timeout} s: {what}")


def node_state(api, node_id):
    return api.call("GET", f"/nodes/{node_id}")["Status"]["State"]


def running_by_node(api, service_id):
    filters = urllib.parse.quote(json.dumps({"service": [service_id],
                                             "desired-state": ["running"]}))
    out = {}
    for t in api.call("GET", f"/tasks?filters={filters}"):
        if t["Status"]["State"] == "running":
            out[t["NodeID"]] = out.get(t["NodeID"], 0) + 1
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--shoal", default=os.path.join(here, "..", "build", "shoal"))
    parser.add_argument("--replicas", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heartbeat-s", type=int, default=1)
    # RestartPolicy.Delay of the service: swarmkit (and shoal) wait it before starting a
    # replacement, also for tasks of a node that went down (default 5 s).
    parser.add_argument("--restart-delay-s", type=float, default=0)
    parser.add_argument("--netns", action="store_true",
                        help="netns machines with real containers instead of two local daemons")
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="shoal-node-down-")
    downs, rescheduled = [], []
    manager = worker = None
    try:
        if args.netns:
            manager, worker = netns_cluster(args.shoal, root)
        else:
            manager, worker = Node(args.shoal, root, "manager"), Node(args.shoal, root, "worker")
            manager.start()
            manager.api.call("POST", "/swarm/init", {"ListenAddr": f"127.0.0.1:{manager.port}",
                                                      "AdvertiseAddr": "127.0.0.1"})
        swarm = manager.api.call("GET", "/swarm")
        spec = swarm["Spec"]
        spec["Dispatcher"] = {"HeartbeatPeriod": args.heartbeat_s * 1_000_000_000}
        manager.api.call("POST", f"/swarm/update?version={swarm['Version']['Index']}", spec)
        manager_id = manager.api.call("GET", "/info")["Swarm"]["NodeID"]

        if not args.netns:
            worker.start()
            worker.api.call("POST", "/swarm/join", {
                "ListenAddr": f"127.0.0.1:{worker.port}", "AdvertiseAddr": "127.0.0.1",
                "RemoteAddrs": [f"127.0.0.1:{manager.port}"],
                "JoinToken": swarm["JoinTokens"]["Worker"]})
        worker_id = worker.api.call("GET", "/info")["Swarm"]["NodeID"]
        wait_for(lambda: node_state(manager.api, worker_id) == "ready", 30, "worker ready")
        if args.netns:
            # The machines joined before the update: the worker learns the new period from
            # its next heartbeat answer, up to one default period (5 s) away.
            time.sleep(6)

        service = manager.api.call("POST", "/services/create", {
            "Name": "down", "Mode": {"Replicated": {"Replicas": args.replicas}},
            "TaskTemplate": {"ContainerSpec": {"Image": "busybox", "Command": ["sleep", "1d"]},
                             "RestartPolicy": {"Delay": int(args.restart_delay_s * 1e9)}},
        })["ID"]
        for run in range(args.runs):
            half = args.replicas // 2
            want = {manager_id: args.replicas - half, worker_id: half}
            wait_for(lambda: running_by_node(manager.api, service) == want, 60,
                     f"spread {want}")
            killed = time.monotonic()
            worker.kill9()
            down = wait_for(lambda: node_state(manager.api, worker_id) == "down", 60,
                            "worker down")
            done = wait_for(lambda: running_by_node(manager.api, service) ==
                            {manager_id: args.replicas}, 60, "all on the manager")
            downs.append(down - killed)
            rescheduled.append(done - killed)
            print(f"run {run + 1}: down after {down - killed:.2f} s, all running on the manager "
                  f"after {done - killed:.2f} s", flush=True)
            # Back to the spread: the worker returns and a forced update re-places the tasks.
            worker.start()
            wait_for(lambda: node_state(manager.api, worker_id) == "ready", 60, "worker back")
            svc = manager.api.call("GET", f"/services/{service}")
            spec = svc["Spec"]
            spec["TaskTemplate"]["ForceUpdate"] = spec["TaskTemplate"].get("ForceUpdate", 0) + 1
            manager.api.call("POST", f"/services/{service}/update?version={svc['Version']['Index']}",
                             spec)
        print(f"median of {args.runs} ({'netns machines, runc' if args.netns else 'local daemons, hollow'}, "
              f"heartbeat {args.heartbeat_s} s, restart delay "
              f"{args.restart_delay_s:g} s, {args.replicas} replicas): "
              f"down {statistics.median(downs):.2f} s, "
              f"rescheduled {statistics.median(rescheduled):.2f} s")
    finally:
        for node in (worker, manager):
            if node:
                node.stop()
        if args.netns:
            remove_netns_cluster(args.shoal, root)
        subprocess.run(["rm", "-rf", root], check=False)


if __name__ == "__main__":
    main()
