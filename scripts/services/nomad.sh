#!/usr/bin/env bash
# A Nomad dev agent on 127.0.0.1 for the executor tests (reference: shared/reference/services-nomad.md).
#
#   scripts/services/nomad.sh install   build Nomad from the Go module proxy once (6 to 11 minutes on a fresh
#                                       machine; cached under ~/.cache/dagwright/nomad-<version>)
#   scripts/services/nomad.sh start     install if needed, start `nomad agent -dev` with raw_exec and docker,
#                                       wait until the node is ready, print NOMAD_* exports
#   scripts/services/nomad.sh stop      stop the agent started by `start` (by its pid) and remove its state
#   scripts/services/nomad.sh env       print the NOMAD_* exports
#
# Nomad is BUSL-1.1: the binary is a test dependency only and is never committed.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"

NOMAD_VERSION="${NOMAD_VERSION:-v1.11.2}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dagwright"
PREFIX="$CACHE/nomad-$NOMAD_VERSION"
BUILD_CACHE="$CACHE/nomad-build"
NOMAD="$PREFIX/nomad"
PORT="${NOMAD_HTTP_PORT:-4646}"
STATE="${NOMAD_STATE_DIR:-${TMPDIR:-/tmp}/dagwright-nomad-$PORT}"
ADDR="http://127.0.0.1:$PORT"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

log() { echo "nomad: $*" >&2; }

do_install() {
  if [ -x "$NOMAD" ]; then
    local have
    have=$("$NOMAD" version 2>/dev/null || true)
    if [ "${have%%$'\n'*}" = "Nomad $NOMAD_VERSION" ]; then return 0; fi
  fi
  command -v gcc >/dev/null || { log "gcc is needed (cgo): apt-get install -y gcc libc6-dev"; exit 1; }
  [ -x "$GO" ] || { log "Go not found; set GO=/path/to/go"; exit 1; }
  log "building Nomad $NOMAD_VERSION from the Go module proxy (6 to 11 minutes, 3.2 GB peak, once)"
  local t0=$SECONDS
  export GOMODCACHE="$BUILD_CACHE/mod" GOCACHE="$BUILD_CACHE/build"
  export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local CGO_ENABLED=1
  mkdir -p "$GOMODCACHE" "$GOCACHE" "$PREFIX"
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  cd "$tmp"
  "$GO" mod download "github.com/hashicorp/nomad@$NOMAD_VERSION"
  local src ts hash
  IFS='|' read -r src ts hash < <("$GO" list -m \
    -f '{{.Dir}}|{{.Time.UTC.Format "20060102150405"}}|{{with .Origin}}{{.Hash}}{{end}}' \
    "github.com/hashicorp/nomad@$NOMAD_VERSION")
  [ -n "$src" ] && [ -n "$ts" ] && [ -n "$hash" ] || { log "could not resolve nomad@$NOMAD_VERSION"; exit 1; }
  # The nested api module is not in the module zip; the proxy serves it only by pseudo-version.
  local api_version="v0.0.0-$ts-${hash:0:12}" api
  "$GO" mod download "github.com/hashicorp/nomad/api@$api_version"
  api=$("$GO" list -m -f '{{.Dir}}' "github.com/hashicorp/nomad/api@$api_version")
  local work="$BUILD_CACHE/src-$NOMAD_VERSION"
  rm -rf "$work"
  cp -r "$src" "$work" && chmod -R u+w "$work"
  rm -rf "$work/api" && cp -r "$api" "$work/api" && chmod -R u+w "$work/api"
  cd "$work"
  nice -n 19 "$GO" build -trimpath \
    -ldflags "-s -w -X github.com/hashicorp/nomad/version.GitCommit=${hash:0:8}" -o "$NOMAD.partial" .
  mv "$NOMAD.partial" "$NOMAD"
  cd / && rm -rf "$work"
  log "built in $((SECONDS - t0)) s"
}

# The node is ready, and so is its docker driver when dockerd runs: the driver turns healthy a
# moment after the node, and a job placed before that fails with "missing drivers".
ready() {
  local need_docker=0
  if curl -fsS --max-time 2 --unix-socket /var/run/docker.sock http://docker/_ping >/dev/null 2>&1; then
    need_docker=1
  fi
  curl -fsS --max-time 2 "$ADDR/v1/nodes" 2>/dev/null | NEED_DOCKER=$need_docker python3 -c '
import json, os, sys
nodes = [n for n in json.load(sys.stdin) if n.get("Status") == "ready"]
docker = lambda n: ((n.get("Drivers") or {}).get("docker") or {}).get("Healthy")
ok = nodes and (os.environ["NEED_DOCKER"] == "0" or any(docker(n) for n in nodes))
sys.exit(0 if ok else 1)'
}

do_start() {
  do_install
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null && ready; then
    do_env
    return 0
  fi
  if curl -fsS -o /dev/null --max-time 2 "$ADDR/v1/agent/self" 2>/dev/null; then
    log "something else answers on $ADDR; stop it or set NOMAD_HTTP_PORT"
    exit 1
  fi
  rm -rf "$STATE"
  mkdir -p "$STATE/tmp"
  cat >"$STATE/agent.hcl" <<HCL
ports {
  http = $PORT
  rpc  = $((PORT + 1))
  serf = $((PORT + 2))
}
client {
  options = {
    # v1.11 aborts at start-up while AWS_CA_BUNDLE is set unless the cloud fingerprinters are off.
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
  }
}
plugin "raw_exec" {
  config {
    enabled = true
  }
}
plugin "docker" {
  config {
    volumes {
      enabled = true
    }
    # Test images are imported locally and cannot be pulled again.
    gc {
      image = false
    }
  }
}
HCL
  # -dev keeps its state in TMPDIR and leaves it behind: contain it.
  TMPDIR="$STATE/tmp" nohup "$NOMAD" agent -dev -bind=127.0.0.1 -config="$STATE/agent.hcl" \
    >"$STATE/agent.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  for _ in $(seq 1 300); do # up to 30 s; measured 1.2 to 2.8 s
    if ready; then
      log "ready on $ADDR (pid $pid)"
      do_env
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "exited during start-up:"
      tail -20 "$STATE/agent.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  log "node not ready after 30 s"
  do_stop
  exit 1
}

do_stop() {
  stop_pidfile "$STATE/pid" INT 10
  rm -rf "$STATE"
}

do_env() {
  cat <<ENV
export NOMAD_ADDR=$ADDR
export NOMAD_PID=$(cat "$STATE/pid" 2>/dev/null || true)
ENV
}

service_main "$@"
