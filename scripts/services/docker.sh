#!/usr/bin/env bash
# dockerd on this machine for the executor tests, and the local test images (no registry is reachable).
# Reference: shared/reference/protocols.md section 4.
#
#   scripts/services/docker.sh install   apt-get install docker.io and busybox-static if missing
#   scripts/services/docker.sh start     install if needed, start dockerd unless one answers, import the test image
#   scripts/services/docker.sh stop      stop the dockerd started by `start` (by its pid)
#   scripts/services/docker.sh env       print the DOCKER_* exports
#
# Test image: local/busybox:test (a 2 MB busybox root file system, `docker import`ed). Never tag test images
# `latest`: Nomad's docker driver would try to pull them.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"

STATE="${DOCKERD_STATE_DIR:-${TMPDIR:-/tmp}/dagwright-dockerd}"
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
IMAGE="local/busybox:test"

log() { echo "docker: $*" >&2; }

do_install() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  [ -x /bin/busybox ] || need+=(busybox-static)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

answers() { curl -fsS --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1; }

import_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/out"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh echo cat sleep env ls mkdir rm cp head tail dd true false wc sha256sum; do
    ln -s busybox "$root/bin/$applet"
  done
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
  log "imported $IMAGE"
}

do_start() {
  do_install
  if ! answers; then
    mkdir -p "$STATE"
    nohup dockerd --host "unix://$SOCKET" --pidfile "$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 </dev/null &
    echo $! >"$STATE/pid"
    for _ in $(seq 1 300); do # up to 60 s
      answers && break
      if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
        log "dockerd exited during start-up:"
        tail -20 "$STATE/dockerd.log" >&2
        exit 1
      fi
      sleep 0.2
    done
    answers || { log "dockerd not answering on $SOCKET after 60 s"; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
    log "dockerd ready (pid $(cat "$STATE/pid"))"
  fi
  import_image
  do_env
}

do_stop() {
  stop_pidfile "$STATE/pid" TERM 30
}

do_env() {
  cat <<ENV
export DOCKER_HOST=unix://$SOCKET
export DOCKERD_PID=$(cat "$STATE/pid" 2>/dev/null || true)
export DOCKER_TEST_IMAGE=$IMAGE
ENV
}

service_main "$@"
