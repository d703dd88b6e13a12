#!/usr/bin/env bash
# A pipeline image without a registry: a root file system made from this machine's files and
# `docker import`ed, for the tasks the docker executor runs as `dag exec-task` (config `pipeline`).
#
#   scripts/pipeline-image.sh <project-dir> <tag>
#
# The image holds this machine's node (with the shared libraries ldd lists), busybox for /bin/sh
# and friends, dagwright at /opt/dagwright (package.json, dist/ without maps and declarations, the
# production node_modules named by package-lock.json), `dag` on PATH, and the project at /app
# (WORKDIR), whose node_modules/dagwright is /opt/dagwright. dist/ must be built.
# Left out of /app: .git, .dagwright, node_modules/dagwright, node_modules/.cache, and the
# patterns of the project's .dockerignore (read as tar --exclude patterns).
#
# Cache: the image is labelled with a hash of what went into it (this script, node, dagwright's
# package files and dist, the project's files); when an image with that label exists it is
# tagged instead of built again.
set -euo pipefail

log() { echo "pipeline-image: $*" >&2; }

[ $# -eq 2 ] || {
  echo "usage: $0 <project-dir> <tag>" >&2
  exit 2
}
PROJECT=$(cd "$1" && pwd)
TAG=$2
SCRIPT=$(readlink -f "$0")
DAGWRIGHT=$(cd "$(dirname "$SCRIPT")/.." && pwd)
NODE=$(readlink -f "${NODE_BINARY:-$(command -v node)}")
BUSYBOX=${BUSYBOX:-/bin/busybox}
LABEL=dagwright.content-hash

[ -f "$DAGWRIGHT/dist/cli/bin.js" ] || {
  log "$DAGWRIGHT/dist is not built: run npm run build first"
  exit 1
}
[ -x "$BUSYBOX" ] || {
  log "no busybox at $BUSYBOX: apt-get install busybox-static (scripts/services/docker.sh install)"
  exit 1
}

# Deterministic archives: the same files give the same bytes, so their hash is the cache key.
archive() { tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner "$@" -cf - .; }
dist_tar() { archive -C "$DAGWRIGHT/dist" --exclude='*.map' --exclude='*.d.ts'; }
project_tar() {
  local excludes=(--exclude=./.git --exclude=./.dagwright --exclude=./node_modules/dagwright
    --exclude=./node_modules/.cache)
  [ -f "$PROJECT/.dockerignore" ] && excludes+=(--exclude-from="$PROJECT/.dockerignore")
  archive -C "$PROJECT" "${excludes[@]}"
}

hash=$(
  {
    cat "$SCRIPT"
    "$NODE" --version
    stat -c '%s %Y' "$NODE" "$BUSYBOX"
    cat "$DAGWRIGHT/package.json" "$DAGWRIGHT/package-lock.json"
    dist_tar
    project_tar
  } | sha256sum | cut -c1-32
)

# Images built FROM this one inherit its label: only an imported image (one layer) is it.
existing=""
for candidate in $(docker images -q --filter "label=$LABEL=$hash"); do
  if [ "$(docker image inspect -f '{{len .RootFS.Layers}}' "$candidate")" = 1 ]; then
    existing=$candidate
    break
  fi
done
if [ -n "$existing" ]; then
  docker tag "$existing" "$TAG"
  log "$TAG is up to date ($LABEL=$hash)"
  exit 0
fi

# The image this tag names now; once the tag moves it is removed, unless still in use.
previous=$(docker images -q --filter "label=$LABEL" "$TAG" | head -n 1)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,usr/bin,usr/local/bin,etc,root,tmp,opt/dagwright,app/node_modules}
chmod 1777 "$root/tmp"

# node and the libraries it links, at their own paths.
cp --parents "$NODE" "$root"
for lib in $(ldd "$NODE" | grep -o '/[^ ]*'); do cp -L --parents "$lib" "$root"; done

# busybox: /bin/sh and the usual tools; /usr/bin/env for `#!/usr/bin/env node`.
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -s /bin/busybox "$root/usr/bin/env"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# dagwright: package.json, dist, and the installed production packages the lockfile names.
cp "$DAGWRIGHT/package.json" "$root/opt/dagwright/"
mkdir "$root/opt/dagwright/dist"
dist_tar | tar -C "$root/opt/dagwright/dist" -xf -
mapfile -t packages < <(cd "$DAGWRIGHT" && "$NODE" -e '
  const { existsSync } = require("node:fs");
  const lock = require("./package-lock.json");
  for (const [path, entry] of Object.entries(lock.packages))
    // Top-level only: a package is copied with the packages nested in it.
    if (/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev && existsSync(path))
      console.log(path);
')
tar -C "$DAGWRIGHT" -cf - "${packages[@]}" | tar -C "$root/opt/dagwright" -xf -
ln -s /opt/dagwright/dist/cli/bin.js "$root/usr/local/bin/dag"

# The project, with dagwright as if installed; dag writes its task logs under .dagwright, which
# any user may write (containers run as the calling user).
project_tar | tar -C "$root/app" -xf -
ln -s /opt/dagwright "$root/app/node_modules/dagwright"
mkdir -p "$root/app/.dagwright/logs"
chmod 1777 "$root/app/.dagwright" "$root/app/.dagwright/logs"

tar -C "$root" --owner=0 --group=0 --numeric-owner -cf - . |
  docker import \
    -c 'WORKDIR /app' \
    -c "ENV PATH=/usr/local/bin:/usr/bin:/bin:$(dirname "$NODE")" \
    -c "LABEL $LABEL=$hash" \
    -c 'CMD ["dag", "--help"]' \
    - "$TAG" >/dev/null
[ -z "$previous" ] || docker rmi "$previous" >/dev/null 2>&1 || true
log "built $TAG ($LABEL=$hash)"
