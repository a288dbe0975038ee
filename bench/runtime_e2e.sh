#!/usr/bin/env bash
# runtime_e2e.sh [BUILD_DIR] [REPEAT] — the container runtime end to end, in one run:
#   - 1 replica create → RUNNING, 100 replicas create → all RUNNING (ServiceStatus polled over
#     the API), scale 50 → 100, service rm of 100 → no container (`runc --root ... list`);
#   - the same image and command as a sequential loop of bare `runc run -d` over equivalent
#     bundles (overlay mounts prepared outside the timed loop);
#   - memory per container (RSS growth of shoal + its monitors / containers), idle daemon RSS,
#     and one monitor's RSS and PSS.
# The measuring is bench/side_by_side.py (systems runc and shoal) through runtime_e2e.py,
# which counts shoal's containers by task dir; medians of REPEAT runs (default 3). Goals (docs/runtime.md): 100 RUNNING ≤ 5 s and ≥ 80 % of bare runc's throughput,
# 1 replica ≤ 150 ms, ≤ 1 MiB per container, rm of 100 ≤ 3 s.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
repeat=${2:-3}
work=$(mktemp -d /tmp/shoal-runtime-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT

bash "$here/../tests/support/make_test_image.sh" "$work/image" latest busybox >/dev/null
python3 "$here/runtime_e2e.py" --shoal "$build/shoal" --image-tar "$work/image/image.tar" \
  --systems runc,shoal --replicas 100 --repeat "$repeat" --out "$work/out"

# One monitor, alone: start a daemon, run one container, read its monitor's RSS and PSS.
data="$work/one"
sock="$work/one.sock"
"$build/shoal" daemon --data-dir "$data" --socket "$sock" >"$work/one.log" 2>&1 &
daemon=$!
cleanup_one() {
  DOCKER_HOST=unix://$sock docker service rm one >/dev/null 2>&1 || true
  for _ in $(seq 100); do [[ -z "$(ls -A "$data/containers" 2>/dev/null)" ]] && break; sleep 0.1; done
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
}
trap 'cleanup_one; rm -rf "$work"' EXIT
for _ in $(seq 100); do [[ -S "$sock" ]] && break; sleep 0.1; done
export DOCKER_HOST=unix://$sock DOCKER_CONFIG=$work/docker
docker load -q -i "$work/image/image.tar" >/dev/null
docker swarm init --advertise-addr 127.0.0.1 >/dev/null
docker service create -q -d --name one busybox:latest sleep 1d >/dev/null
for _ in $(seq 300); do
  pid=$(cat "$data"/containers/*/monitor.pid 2>/dev/null | head -1 || true)
  [[ -n "$pid" ]] && break
  sleep 0.1
done
if [[ -n "${pid:-}" ]]; then
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  echo "one shoal-monitor: RSS ${rss} KiB, PSS ${pss} KiB"
fi
