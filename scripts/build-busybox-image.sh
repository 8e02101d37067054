#!/usr/bin/env bash
# Builds a small base image from Debian's busybox-static (one static binary: a shell, the usual
# tools and `httpd`), for running the demo app where Docker Hub (nginx:alpine) is out of reach:
# lessons 14-15 build lessons/assets/demo-app/Dockerfile.busybox on top of it.
# Usage: scripts/build-busybox-image.sh [image-name]   (default: ecr-workbook/busybox:local;
# CONTAINER_CLIENT=podman imports it into podman instead of docker)
set -euo pipefail
image="${1:-ecr-workbook/busybox:local}"
bin=/bin/busybox
if [ ! -x "$bin" ] || ! "$bin" --list 2>/dev/null | grep -qx httpd; then
  echo "build-busybox-image: $bin (with httpd) not found; install it with: sudo apt-get install -y busybox-static" >&2
  exit 1
fi
if ldd "$bin" >/dev/null 2>&1; then
  echo "build-busybox-image: $bin is dynamically linked; the image needs the static one: sudo apt-get install -y busybox-static" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root" "$root.tar"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/www" "$root/root"
chmod 1777 "$root/tmp"
cp "$bin" "$root/bin/busybox"
# Every applet as a link to the one binary, as `busybox --install` would make them.
for applet in $("$bin" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
tar -C "$root" -cf "$root.tar" .
client="${CONTAINER_CLIENT:-docker}"
previous=$("$client" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
"$client" import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["sh"]' \
  "$root.tar" "$image" >/dev/null
# The image the name meant before, now nameless: removed unless something still uses it.
if [ -n "$previous" ] && [ "$previous" != "$("$client" image inspect --format '{{.Id}}' "$image")" ]; then
  "$client" rmi "$previous" >/dev/null 2>&1 || true
fi
echo "$image"
