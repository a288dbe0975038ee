#!/usr/bin/env python3
"""End to end, side by side, in one run: bare `runc run -d`, shoal, and Docker Swarm.

shoal and Docker are driven the same way, through the Docker Engine API on their unix
sockets (shoal speaks it), so one driver measures both:

  - one-replica service create → running
  - 100 replicas create → all running
  - scale 50 → 100
  - rm of 100 → no container left
  - memory per running container (the system's processes' RSS growth / containers)
  - idle daemon RSS (shoal: the daemon; Docker: dockerd + containerd)

"Running" is read by polling the API (GET /services?status=true: ServiceStatus.RunningTasks)
every 10 ms, never the CLI's verify delay. "No container left" is read from the runtime: for
shoal `runc --root <data>/runc list`, for Docker GET /containers/json. Bare runc runs the same
image's rootfs (an overlay mount per container, prepared outside the timed loop) with the
same command, sequentially.

Each measurement runs --repeat times (default 3); medians are reported. Prints a table with
the ratios, writes it as Markdown and an SVG chart into --out (default docs/bench/).

Usage: bench/side_by_side.py [--shoal build/shoal] [--image-tar IMAGE.tar] [--replicas 100]
       [--repeat 3] [--systems runc,shoal,docker] [--out docs/bench]
Everything it starts it stops: dockerd and containerd run on their own data root and
sockets in a temporary directory, removed at the end, with the links and nftables tables
Docker made.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

POLL = 0.01
IMAGE = "busybox:latest"  # tests/support/make_test_image.sh builds it
COMMAND = ["sleep", "1d"]


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=120):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Api:
    """The Docker Engine API on a unix socket (shoal's or dockerd's)."""

    def __init__(self, sock):
        self.sock = sock

    def call(self, method, path, body=None, raw=None, headers=None):
        conn = UnixHTTPConnection(self.sock)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        conn.request(method, "/v1.41" + path, body=data, headers=hdrs)
        resp = conn.getresponse()
        text = resp.read()
        conn.close()
        if resp.status >= 400:
            raise RuntimeError(f"{method} {path}: {resp.status} {text[:300]!r}")
        return json.loads(text) if text and text[:1] in b"[{" else text

    def wait_ready(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                self.call("GET", "/_ping")
                return
            except (OSError, RuntimeError):
                time.sleep(0.05)
        raise RuntimeError(f"no API on {self.sock}")

    def create_service(self, name, replicas):
        spec = {
            "Name": name,
            "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Command": COMMAND},
                             "RestartPolicy": {"Condition": "none"}},
            "Mode": {"Replicated": {"Replicas": replicas}},
        }
        return self.call("POST", "/services/create", spec)["ID"]

    def scale(self, service_id, replicas):
        svc = self.call("GET", f"/services/{service_id}")
        spec = svc["Spec"]
        spec["Mode"] = {"Replicated": {"Replicas": replicas}}
        self.call("POST", f"/services/{service_id}/update?version={svc['Version']['Index']}", spec)

    def running(self, service_id):
        filters = urllib.parse.quote(json.dumps({"id": [service_id]}))
        for svc in self.call("GET", f"/services?status=true&filters={filters}"):
            if svc["ID"] == service_id:
                return svc.get("ServiceStatus", {}).get("RunningTasks", 0)
        return 0

    def wait_running(self, service_id, n, timeout=600):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.running(service_id) >= n:
                return
            time.sleep(POLL)
        raise RuntimeError(f"service {service_id}: {n} tasks not running after {timeout} s")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pids_named(names):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if any(comm.startswith(n) for n in names):
            out.append(int(entry))
    return out


def wait_until(probe, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if probe():
            return
        time.sleep(POLL)
    raise RuntimeError(f"timed out waiting for {what}")


class System:
    """A container system driven through the Docker API: shoal or Docker Swarm."""

    name = ""
    processes = []  # process names whose RSS counts as the system's memory

    def containers(self):
        raise NotImplementedError

    def memory_kib(self):
        return sum(rss_kib(p) for p in pids_named(self.processes))

    def daemon_rss_kib(self):
        raise NotImplementedError

    def measure(self, replicas, repeat):
        api = self.api
        result = {"one": [], "create": [], "scale": [], "rm": [], "per_container_kib": []}
        time.sleep(2)  # idle: in a swarm, nothing running
        result["idle_rss_kib"] = [self.daemon_rss_kib()]
        for run in range(repeat):
            start = time.perf_counter()
            sid = api.create_service(f"one{run}", 1)
            api.wait_running(sid, 1)
            result["one"].append(time.perf_counter() - start)
            self.remove(sid)

            base = self.memory_kib()
            start = time.perf_counter()
            sid = api.create_service(f"many{run}", replicas)
            api.wait_running(sid, replicas)
            result["create"].append(time.perf_counter() - start)
            time.sleep(1)  # let the daemons settle before reading memory
            grown = self.memory_kib() - base
            result["per_container_kib"].append(grown / replicas)
            result["rm"].append(self.remove(sid))

            sid = api.create_service(f"scale{run}", replicas // 2)
            api.wait_running(sid, replicas // 2)
            start = time.perf_counter()
            api.scale(sid, replicas)
            api.wait_running(sid, replicas)
            result["scale"].append(time.perf_counter() - start)
            self.remove(sid)
        return result

    def remove(self, service_id):
        start = time.perf_counter()
        self.api.call("DELETE", f"/services/{service_id}")
        wait_until(lambda: self.containers() == 0, 300, f"{self.name}: containers removed")
        return time.perf_counter() - start


class Shoal(System):
    name = "shoal"
    processes = ["shoal", "shoal-monitor"]

    def __init__(self, binary, workdir, image_tar):
        self.data = os.path.join(workdir, "shoal-data")
        self.sock = os.path.join(workdir, "shoal.sock")
        self.log = open(os.path.join(workdir, "shoal.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "daemon", "--data-dir", self.data, "--socket", self.sock],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.api = Api(self.sock)
        self.api.wait_ready()
        with open(image_tar, "rb") as f:
            self.api.call("POST", "/images/load?quiet=1", raw=f.read(),
                          headers={"Content-Type": "application/x-tar"})
        self.api.call("POST", "/swarm/init", {"ListenAddr": "127.0.0.1:2377",
                                               "AdvertiseAddr": "127.0.0.1"})

    def containers(self):
        out = subprocess.run(["runc", "--root", os.path.join(self.data, "runc"), "list", "-q"],
                             capture_output=True, text=True)
        return len(out.stdout.split())

    def daemon_rss_kib(self):
        return rss_kib(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Docker(System):
    name = "docker"
    processes = ["dockerd", "containerd", "containerd-shim"]

    def __init__(self, workdir, image_tar):
        self.root = os.path.join(workdir, "docker-root")
        self.exec_root = os.path.join(workdir, "docker-exec")
        self.sock = os.path.join(workdir, "docker.sock")
        self.log = open(os.path.join(workdir, "dockerd.log"), "w")
        self.proc = subprocess.Popen(
            ["dockerd", "--data-root", self.root, "--exec-root", self.exec_root,
             "-H", "unix://" + self.sock, "--pidfile", os.path.join(workdir, "dockerd.pid"),
             "--containerd-namespace", "shoal-bench", "--containerd-plugins-namespace",
             "shoal-bench-plugins"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.api = Api(self.sock)
        self.api.wait_ready()
        with open(image_tar, "rb") as f:
            self.api.call("POST", "/images/load?quiet=1", raw=f.read(),
                          headers={"Content-Type": "application/x-tar"})
        self.api.call("POST", "/swarm/init", {"ListenAddr": "127.0.0.1:2377",
                                               "AdvertiseAddr": "127.0.0.1"})

    def containers(self):
        return len(self.api.call("GET", "/containers/json?all=1"))

    def daemon_rss_kib(self):
        return sum(rss_kib(p) for p in pids_named(["dockerd", "containerd"])
                   if not open(f"/proc/{p}/comm").read().startswith("containerd-shim"))

    def stop(self):
        try:
            self.api.call("POST", "/swarm/leave?force=1")
        except (OSError, RuntimeError):
            pass
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in pids_named(["containerd"]):  # shims and a containerd left behind
            try:
                cmdline = open(f"/proc/{pid}/cmdline").read()
            except OSError:
                continue
            if "shoal-bench" in cmdline or self.exec_root in cmdline:
                os.kill(pid, signal.SIGKILL)
        unmount_below(self.root)
        unmount_below(self.exec_root)
        # Links and nftables tables dockerd made (it does not remove them on exit).
        for link in ["docker0", "docker_gwbridge"]:
            subprocess.run(["ip", "link", "del", link], capture_output=True)
        subprocess.run(["nft", "delete", "table", "ip", "filter"], capture_output=True)
        subprocess.run(["nft", "delete", "table", "ip", "nat"], capture_output=True)


def unmount_below(path):
    with open("/proc/self/mounts") as f:
        mounts = [line.split()[1] for line in f]
    for m in sorted((m for m in mounts if m.startswith(path)), key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)


class BareRunc:
    """A sequential loop of `runc run -d` over prepared bundles of the same image."""

    name = "runc"

    def __init__(self, workdir, image_tar):
        self.dir = os.path.join(workdir, "runc")
        self.root = os.path.join(self.dir, "state")
        self.lower = os.path.join(self.dir, "image")
        os.makedirs(self.lower)
        unpack_image(image_tar, self.lower, os.path.join(self.dir, "unpack"))

    def bundles(self, n, tag):
        paths = []
        for i in range(n):
            b = os.path.join(self.dir, f"{tag}-{i}")
            for d in ["upper", "work", "rootfs"]:
                os.makedirs(os.path.join(b, d))
            subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                            f"lowerdir={self.lower},upperdir={b}/upper,workdir={b}/work",
                            f"{b}/rootfs"], check=True)
            subprocess.run(["runc", "spec", "-b", b], check=True)
            with open(f"{b}/config.json") as f:
                config = json.load(f)
            config["process"]["terminal"] = False
            config["process"]["args"] = COMMAND
            config["hostname"] = f"{tag}-{i}"
            with open(f"{b}/config.json", "w") as f:
                json.dump(config, f)
            paths.append(b)
        return paths

    def run_all(self, bundles, tag):
        start = time.perf_counter()
        for i, b in enumerate(bundles):
            subprocess.run(["runc", "--root", self.root, "run", "-d", "-b", b, f"{tag}-{i}"],
                           check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    def remove_all(self, bundles, tag):
        start = time.perf_counter()
        for i in range(len(bundles)):
            subprocess.run(["runc", "--root", self.root, "delete", "-f", f"{tag}-{i}"],
                           check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        for b in bundles:
            subprocess.run(["umount", f"{b}/rootfs"], check=True)
            shutil.rmtree(b)
        return elapsed

    def measure(self, replicas, repeat):
        result = {"one": [], "create": [], "rm": []}
        for run in range(repeat):
            one = self.bundles(1, f"one{run}")
            result["one"].append(self.run_all(one, f"one{run}"))
            self.remove_all(one, f"one{run}")
            many = self.bundles(replicas, f"many{run}")
            result["create"].append(self.run_all(many, f"many{run}"))
            result["rm"].append(self.remove_all(many, f"many{run}"))
        return result

    def stop(self):
        unmount_below(self.dir)


def unpack_image(image_tar, into, scratch):
    """Unpacks a `docker save` archive's layers (in order) into one directory."""
    os.makedirs(scratch)
    subprocess.run(["tar", "-xf", image_tar, "-C", scratch], check=True)
    with open(os.path.join(scratch, "manifest.json")) as f:
        manifest = json.load(f)[0]
    for layer in manifest["Layers"]:
        subprocess.run(["tar", "-xf", os.path.join(scratch, layer), "-C", into], check=True)
    shutil.rmtree(scratch)


def median(values):
    return statistics.median(values) if values else None


def report(results, replicas, out_dir):
    rows = [
        ("one replica → running (s)", "one", 1),
        (f"{replicas} replicas → all running (s)", "create", 1),
        (f"scale {replicas // 2} → {replicas} (s)", "scale", 1),
        (f"rm of {replicas} (s)", "rm", 1),
        ("memory per container (MiB)", "per_container_kib", 1 / 1024),
        ("idle daemon RSS (MiB)", "idle_rss_kib", 1 / 1024),
    ]
    systems = [s for s in ["runc", "shoal", "docker"] if s in results]
    lines = ["| | " + " | ".join(systems) + " | docker / shoal | shoal vs runc |",
             "|---|" + "---:|" * (len(systems) + 2)]
    for label, key, scale in rows:
        vals = {s: median(results[s].get(key, [])) for s in systems}
        cells = [f"{vals[s] * scale:.3f}" if vals[s] is not None else "—" for s in systems]
        ratio = "—"
        if vals.get("docker") is not None and vals.get("shoal"):
            ratio = f"{vals['docker'] / vals['shoal']:.1f}×"
        vs_runc = "—"
        if key in ("create", "one") and vals.get("runc") and vals.get("shoal"):
            vs_runc = f"{100 * vals['runc'] / vals['shoal']:.0f} % of runc's throughput"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio} | {vs_runc} |")
    table = "\n".join(lines)
    print(table)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "side_by_side.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(out_dir, "side_by_side.json"), "w") as f:
        json.dump(results, f, indent=1)
    write_svg(results, systems, replicas, os.path.join(out_dir, "side_by_side.svg"))


def write_svg(results, systems, replicas, path):
    """A grouped bar chart of the timed measurements (seconds, log-free, per group scaled)."""
    groups = [("one replica", "one"), (f"{replicas} replicas", "create"),
              (f"scale to {replicas}", "scale"), (f"rm {replicas}", "rm")]
    colors = {"runc": "#888888", "shoal": "#1f77b4", "docker": "#d62728"}
    width, height, top, bottom = 760, 320, 40, 60
    group_w = (width - 80) / len(groups)
    bar_w = group_w / (len(systems) + 1)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
           'shoal, Docker Swarm and bare runc: seconds, medians (lower is better)</text>']
    peak = max((median(results[s].get(k, [])) or 0) for s in systems for _, k in groups) or 1
    for gi, (label, key) in enumerate(groups):
        x0 = 60 + gi * group_w
        for si, s in enumerate(systems):
            v = median(results[s].get(key, []))
            if v is None:
                continue
            h = (height - top - bottom) * v / peak
            x = x0 + si * bar_w
            y = height - bottom - h
            svg.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                       f'fill="{colors[s]}"/>')
            svg.append(f'<text x="{x + bar_w / 2 - 2:.1f}" y="{y - 4:.1f}" '
                       f'text-anchor="middle">{v:.2f}</text>')
        svg.append(f'<text x="{x0 + group_w / 2 - bar_w / 2:.1f}" y="{height - bottom + 18}" '
                   f'text-anchor="middle">{label}</text>')
    for si, s in enumerate(systems):
        svg.append(f'<rect x="{60 + si * 110}" y="{height - 22}" width="12" height="12" '
                   f'fill="{colors[s]}"/><text x="{76 + si * 110}" y="{height - 12}">{s}</text>')
    svg.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shoal", default="build/shoal")
    parser.add_argument("--image-tar", help="a `docker save` archive of busybox:latest "
                        "(default: built with tests/support/make_test_image.sh)")
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--systems", default="runc,shoal,docker")
    parser.add_argument("--out", default="docs/bench")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("side_by_side: run as root (containers, mounts)")

    workdir = tempfile.mkdtemp(prefix="shoal-side-by-side-")
    results = {}
    try:
        if not args.image_tar:
            script = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "tests",
                                  "support", "make_test_image.sh")
            subprocess.run([script, os.path.join(workdir, "image")], check=True,
                           stdout=subprocess.DEVNULL)
            args.image_tar = os.path.join(workdir, "image", "image.tar")
        for name in args.systems.split(","):
            print(f"--- {name}", flush=True)
            if name == "runc":
                system = BareRunc(workdir, args.image_tar)
            elif name == "shoal":
                system = Shoal(os.path.realpath(args.shoal), workdir, args.image_tar)
            elif name == "docker":
                system = Docker(workdir, args.image_tar)
            else:
                sys.exit(f"side_by_side: unknown system {name!r} (runc, shoal, docker)")
            try:
                results[name] = system.measure(args.replicas, args.repeat)
                print(json.dumps(results[name]), flush=True)
            finally:
                system.stop()
        report(results, args.replicas, args.out)
    finally:
        unmount_below(workdir)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
