#!/usr/bin/env bash
# Image pull and load, end to end: a real registry (docker-registry on 127.0.0.1) holding
# the test image (tests/support/make_test_image.sh: busybox-static, one 1.1 MB gzip layer),
# a real `shoal daemon`, and the `shoal image` CLI.
#
#   bench/image_pull_e2e.sh [BUILD_DIR=build] [RUNS=11]
#
# Per run: `shoal image pull` of the image (download, verify, unpack, index), then
# `shoal image rm` so the next run starts empty; the same for `shoal image load -i` of the
# docker save tar; and a pull of an image already present (manifest round trip only).
# Prints the medians in milliseconds (wall time of the CLI command, including its own
# start). Needs docker-registry and skopeo (scripts/deps.sh).
set -euo pipefail
build_dir=${1:-build}
runs=${2:-11}
bin=$(realpath "$build_dir/shoal")
here=$(cd "$(dirname "$0")" && pwd)
[[ -x "$bin" ]] || { echo "no $bin: build first" >&2; exit 1; }

tmp=$(mktemp -d /tmp/shoal-bench-image.XXXXXX)
registry_pid="" daemon_pid=""
cleanup() {
  [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  [[ -n "$registry_pid" ]] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$here/../tests/support/make_test_image.sh" "$tmp/image" 1 >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$tmp/image/oci:1" "docker://127.0.0.1:$port/busybox:1"

sock="$tmp/shoal.sock"
"$bin" daemon --data-dir "$tmp/data" --socket "$sock" --executor hollow --log-level warn 2>"$tmp/daemon.log" &
daemon_pid=$!
for _ in $(seq 400); do curl -sf --unix-socket "$sock" http://x/_ping >/dev/null && break; sleep 0.05; done

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
image="127.0.0.1:$port/busybox:1"
pulls=() loads=() present=()
for _ in $(seq "$runs"); do
  pulls+=("$(ms "$bin" image -H "$sock" pull -q "$image")")
  present+=("$(ms "$bin" image -H "$sock" pull -q "$image")")
  "$bin" image -H "$sock" rm "$image" >/dev/null
  loads+=("$(ms "$bin" image -H "$sock" load -q -i "$tmp/image/image.tar")")
  "$bin" image -H "$sock" rm busybox:1 >/dev/null
done
echo "runs: $runs; pull ms: ${pulls[*]}"
echo "runs: $runs; load ms: ${loads[*]}"
printf 'median pull (empty store) %s ms, pull (already present) %s ms, load %s ms\n' \
  "$(printf '%s\n' "${pulls[@]}" | median)" "$(printf '%s\n' "${present[@]}" | median)" \
  "$(printf '%s\n' "${loads[@]}" | median)"
