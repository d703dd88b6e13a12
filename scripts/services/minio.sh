#!/usr/bin/env bash
# A throwaway MinIO on 127.0.0.1 for the S3 integration tests (reference: shared/reference/services-s3.md).
#
#   scripts/services/minio.sh install   build the pinned MinIO once (cached under ~/.cache/dagwright/minio/<version>)
#   scripts/services/minio.sh start     install if needed, start, wait until live, create the bucket, print S3_* exports
#   scripts/services/minio.sh stop      stop the server started by `start` (by its pid) and delete its data
#   scripts/services/minio.sh env       print the S3_* exports
#
# Idempotent: `start` on a running server of ours prints the exports again.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"

# The Go module proxy refuses RELEASE tags and bare commits: pin by pseudo-version (= commit 7aac2a2c5, 2026-02-12,
# which has the conditional-put fix #21653).
MINIO_VERSION="${MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dagwright"
MINIO_BIN_DIR="${MINIO_BIN_DIR:-$CACHE/minio/$MINIO_VERSION}"
S3_PORT="${S3_PORT:-9000}"
STATE="${MINIO_STATE_DIR:-${TMPDIR:-/tmp}/dagwright-minio-$S3_PORT}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-AKIAMINIOTEST7EXAMPLE}"  # distinct from every name in the tests
S3_SECRET_KEY="${S3_SECRET_KEY:-wJalrXUtnFEMI-K7MDENG-bPxRfiCYtestKEY}"
S3_BUCKET="${S3_BUCKET:-dagwright-test}"
ENDPOINT="http://127.0.0.1:$S3_PORT"
MINIO="$MINIO_BIN_DIR/minio"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

log() { echo "minio: $*" >&2; }
live() { curl -fsS -o /dev/null --max-time 2 "$ENDPOINT/minio/health/live" 2>/dev/null; }

do_install() {
  if [ -x "$MINIO" ]; then return 0; fi
  [ -x "$GO" ] || { log "Go not found (need Go >= 1.24 to build MinIO); set GO=/path/to/go"; exit 1; }
  mkdir -p "$MINIO_BIN_DIR"
  log "building github.com/minio/minio@$MINIO_VERSION (5 to 8 minutes on a fresh machine, once)"
  local t0=$SECONDS
  GOBIN="$MINIO_BIN_DIR.partial" GOTOOLCHAIN=local GOFLAGS=-mod=mod \
    nice -n 19 "$GO" install "github.com/minio/minio@$MINIO_VERSION"
  mv "$MINIO_BIN_DIR.partial/minio" "$MINIO"
  rmdir "$MINIO_BIN_DIR.partial"
  log "built in $((SECONDS - t0)) s"
}

do_start() {
  do_install
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null && live; then
    do_env
    return 0
  fi
  if live; then log "something else answers on $ENDPOINT; stop it or set S3_PORT"; exit 1; fi
  rm -rf "$STATE/data"
  mkdir -p "$STATE/data"
  MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" \
    MINIO_BROWSER=off MINIO_UPDATE=off MINIO_PROMETHEUS_AUTH_TYPE=public \
    nohup "$MINIO" server "$STATE/data" --quiet \
    --address "127.0.0.1:$S3_PORT" --console-address "127.0.0.1:$((S3_PORT + 1))" \
    >"$STATE/minio.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  # `env` reports the credentials this server runs with, whatever the defaults are by then.
  printf 'S3_ACCESS_KEY=%q\nS3_SECRET_KEY=%q\nS3_BUCKET=%q\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" "$S3_BUCKET" >"$STATE/server.env"
  local t0=$SECONDS
  until live; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "exited during start-up:"
      tail -20 "$STATE/minio.log" >&2
      exit 1
    fi
    if [ $((SECONDS - t0)) -ge 60 ]; then
      log "not live after 60 s"
      do_stop
      exit 1
    fi
    sleep 0.1
  done
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
    --aws-sigv4 "aws:amz:us-east-1:s3" "$ENDPOINT/$S3_BUCKET")
  case "$code" in 200 | 409) ;; *)
    log "creating bucket $S3_BUCKET failed: HTTP $code"
    do_stop
    exit 1
    ;;
  esac
  log "ready on $ENDPOINT (pid $pid), bucket $S3_BUCKET"
  do_env
}

do_stop() {
  stop_pidfile "$STATE/pid" TERM 10
  rm -rf "$STATE/data" "$STATE/server.env"
}

do_env() {
  # shellcheck disable=SC1091
  if [ -f "$STATE/pid" ] && [ -f "$STATE/server.env" ]; then . "$STATE/server.env"; fi
  cat <<ENV
export S3_ENDPOINT=$ENDPOINT
export S3_ACCESS_KEY=$S3_ACCESS_KEY
export S3_SECRET_KEY=$S3_SECRET_KEY
export S3_BUCKET=$S3_BUCKET
export S3_REGION=us-east-1
export MINIO_PID=$(cat "$STATE/pid" 2>/dev/null || true)
# The same server for the AWS SDK's standard environment (what dagwright reads).
export AWS_ENDPOINT_URL_S3=$ENDPOINT
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_REGION=us-east-1
ENV
}

service_main "$@"
