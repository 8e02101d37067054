#!/usr/bin/env bash
# Builds a local image of the CNCF distribution registry (the same program as `registry:2`)
# from Debian's docker-registry package, for machines that cannot pull from a public registry.
# Usage: scripts/build-registry-image.sh [image-name]   (default: ecr-workbook/registry:local)
set -euo pipefail
image="${1:-ecr-workbook/registry:local}"
bin=/usr/bin/docker-registry
if [ ! -x "$bin" ]; then
  echo "build-registry-image: $bin not found; install it with: apt-get install -y docker-registry" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc/docker/registry" "$root/var/lib/registry" "$root/tmp"
cp "$bin" "$root/bin/registry"
# The binary is dynamically linked against glibc: copy each library and the loader at its own path.
ldd "$bin" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cat > "$root/etc/docker/registry/config.yml" <<'YML'
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  relativeurls: true
  headers:
    X-Content-Type-Options: [nosniff]
YML
tar -C "$root" -cf "$root.tar" .
previous=$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
docker import \
  --change 'ENTRYPOINT ["/bin/registry"]' \
  --change 'CMD ["serve", "/etc/docker/registry/config.yml"]' \
  --change 'EXPOSE 5000' \
  --change 'VOLUME ["/var/lib/registry"]' \
  "$root.tar" "$image" >/dev/null
rm -f "$root.tar"
# The image the name meant before, now nameless: removed unless something still uses it.
if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$image")" ]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi
echo "$image"
