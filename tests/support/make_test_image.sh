#!/usr/bin/env bash
# make_test_image.sh OUT_DIR [TAG] [NAME]
#
# Builds a one-layer test image from Debian's busybox-static: /bin/busybox with a symlink
# per applet (sh, sleep, httpd, cat, echo, true, false, ls, wget, nc, env, id, hostname, ...),
# /etc/passwd and /etc/group (root, nobody), /tmp (1777), /www/index.html; config Cmd ["sh"],
# Env PATH, os linux, the host's architecture. Writes
#   OUT_DIR/oci/        an OCI image layout (oci-layout, index.json whose manifest carries
#                       org.opencontainers.image.ref.name=TAG and
#                       io.containerd.image.name=docker.io/library/NAME:TAG; gzip layer), usable
#                       as `skopeo copy oci:OUT_DIR/oci:TAG docker://...`;
#   OUT_DIR/image.tar   the `docker save` format (manifest.json with RepoTags ["NAME:TAG"],
#                       repositories, <config>.json, <layer>/layer.tar uncompressed), usable
#                       as `docker load -i` / `shoal image load -i`.
# TAG defaults to "latest", NAME to "busybox". Prints the image ID (sha256:<config digest>).
# EXTRA_BINS (space-separated host paths of static executables) are copied into /bin too,
# e.g. the tests' syscall_probe built with `gcc -static tests/support/syscall_probe.c`.
#
# Reproducible (fixed mtimes, owners and modes: same busybox → same digests) and fast (one
# process per step, no loop of forks). Needs bash, coreutils, tar, gzip and sha256sum only.
set -euo pipefail

out=${1:?usage: make_test_image.sh OUT_DIR [TAG] [NAME]}
tag=${2:-latest}
name=${3:-busybox}
busybox=${BUSYBOX:-/bin/busybox}
created="2024-01-01T00:00:00Z"
epoch="@1704067200"

[[ -x "$busybox" ]] || { echo "make_test_image: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { echo "make_test_image: bad tag '$tag'" >&2; exit 1; }

arch=$(dpkg --print-architecture 2>/dev/null || true)
if [[ -z "$arch" ]]; then
  case "$(uname -m)" in
    x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; armv7l) arch=arm ;; i?86) arch=386 ;;
    *) arch=$(uname -m) ;;
  esac
fi

mkdir -p "$out"
work=$(mktemp -d "${out%/}/.make_test_image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

# The root file system. `busybox --install -s` makes every applet link in one process; the
# links point at busybox's own absolute path, rewritten to "busybox" when archived.
mkdir -p "$root"/{bin,dev,etc,proc,root,sys,tmp,www}
"$busybox" --install -s "$root/bin"
rm -f "$root/bin/busybox"
cp "$busybox" "$root/bin/busybox"
for extra in ${EXTRA_BINS:-}; do
  [[ -x "$extra" ]] || { echo "make_test_image: $extra is not an executable" >&2; exit 1; }
  cp "$extra" "$root/bin/" && chmod 0755 "$root/bin/$(basename "$extra")"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
  >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
printf '<!DOCTYPE html>\n<html><body><h1>shoal test image</h1></body></html>\n' \
  >"$root/www/index.html"
chmod 0755 "$root" "$root"/{bin,dev,etc,proc,sys,www} "$root/bin/busybox"
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/www/index.html"

tar_fixed=(--sort=name --mtime="$epoch" --owner=0 --group=0 --numeric-owner --format=gnu)
(cd "$root" && LC_ALL=C tar "${tar_fixed[@]}" --transform='flags=s;s|^/.*busybox$|busybox|' \
  -cf "$work/layer.tar" bin dev etc proc root sys tmp www)
gzip -n -1 -c "$work/layer.tar" >"$work/layer.tar.gz"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
diff_id=$(sha "$work/layer.tar")

printf '%s' "{\"architecture\":\"$arch\",\"os\":\"linux\",\"created\":\"$created\",\
\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\
\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff_id\"]},\
\"history\":[{\"created\":\"$created\",\"created_by\":\"tests/support/make_test_image.sh\"}]}" \
  >"$work/config.json"
config_id=$(sha "$work/config.json")

# OCI image layout.
oci="$work/oci"
mkdir -p "$oci/blobs/sha256"
layer_gz=$(sha "$work/layer.tar.gz")
cp "$work/layer.tar.gz" "$oci/blobs/sha256/$layer_gz"
cp "$work/config.json" "$oci/blobs/sha256/$config_id"
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\
\"digest\":\"sha256:$config_id\",\"size\":$(size "$work/config.json")},\
\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\
\"digest\":\"sha256:$layer_gz\",\"size\":$(size "$work/layer.tar.gz")}]}" >"$work/manifest.json"
manifest=$(sha "$work/manifest.json")
cp "$work/manifest.json" "$oci/blobs/sha256/$manifest"
printf '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\
\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\
\"digest\":\"sha256:$manifest\",\"size\":$(size "$work/manifest.json"),\
\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/$name:$tag\",\
\"org.opencontainers.image.ref.name\":\"$tag\"},\
\"platform\":{\"architecture\":\"$arch\",\"os\":\"linux\"}}]}" >"$oci/index.json"

# docker save format (legacy layout: <config>.json, <layer>/layer.tar).
save="$work/save"
mkdir -p "$save/$diff_id"
cp "$work/layer.tar" "$save/$diff_id/layer.tar"
printf '1.0' >"$save/$diff_id/VERSION"
printf '%s' "{\"id\":\"$diff_id\",\"created\":\"$created\",\"os\":\"linux\"}" >"$save/$diff_id/json"
cp "$work/config.json" "$save/$config_id.json"
printf '%s' "[{\"Config\":\"$config_id.json\",\"RepoTags\":[\"$name:$tag\"],\
\"Layers\":[\"$diff_id/layer.tar\"]}]" >"$save/manifest.json"
printf '%s' "{\"$name\":{\"$tag\":\"$diff_id\"}}" >"$save/repositories"
(cd "$save" && LC_ALL=C tar "${tar_fixed[@]}" -cf "$work/image.tar" \
  "$config_id.json" "$diff_id" manifest.json repositories)

rm -rf "$out/oci" "$out/image.tar"
mv "$oci" "$out/oci"
mv "$work/image.tar" "$out/image.tar"
echo "sha256:$config_id"
