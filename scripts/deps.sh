#!/usr/bin/env bash
# Installs every Debian package shoal needs to build, run and test. Idempotent: when all
# packages are present it only checks them (well under a second).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang-format clang lld libclang-rt-14-dev
  libboost-dev libboost-system-dev libssl-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libabsl-dev libsqlite3-dev sqlite3 libre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libnl-3-dev libnl-route-3-dev libnftables-dev
  libarchive-dev libcurl4-openssl-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libjemalloc-dev
  # etcd's .proto files (the client is generated from them) and what they import
  golang-etcd-server-dev golang-github-gogo-protobuf-dev
  golang-github-grpc-ecosystem-grpc-gateway-dev
  # run
  runc tini iproute2 nftables
  # the HA managers' datastore (an etcd member per manager)
  etcd-server
  # test
  curl jq busybox-static docker-registry skopeo openssl
  # benchmarks
  python3
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian's etcd-server starts a system etcd on localhost:2379; shoal runs its own members.
  if [[ " ${missing[*]} " == *" etcd-server "* && -d /run/systemd/system ]]; then
    systemctl disable --now etcd.service >/dev/null 2>&1 || true
  fi
fi

# The docker CLI drives shoal in the integration tests. These machines have it at
# /usr/local/bin/docker; elsewhere Debian's docker.io package provides one.
if ! command -v docker >/dev/null 2>&1; then
  echo "deps: installing the docker CLI (docker.io)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends docker.io
  systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
fi
