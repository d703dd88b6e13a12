#!/usr/bin/env bash
# A throwaway HDFS (Hadoop 3.4.3 MiniDFSCluster: one NameNode, one DataNode, WebHDFS on) on 127.0.0.1
# for the integration tests (reference: shared/reference/services-hdfs.md).
#
#   scripts/services/hdfs.sh install   compile the launcher, resolve its classpath from Maven Central (cached in ~/.m2)
#   scripts/services/hdfs.sh start     install if needed, start, wait for READY (writable), print WEBHDFS_* exports
#   scripts/services/hdfs.sh stop      stop it by its pid and delete its data
#   scripts/services/hdfs.sh env       print the WEBHDFS_* exports
#
# Needs Java 17 and Maven >= 3.8 (apt-get install -y openjdk-17-jdk-headless maven).
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")/minihdfs" && pwd)
HTTP_PORT="${WEBHDFS_PORT:-9870}"
RPC_PORT="${HDFS_RPC_PORT:-8020}"
STATE="${MINIHDFS_STATE_DIR:-${TMPDIR:-/tmp}/dagwright-hdfs-$HTTP_PORT}"
BUILD="${XDG_CACHE_HOME:-$HOME/.cache}/dagwright/minihdfs"

log() { echo "hdfs: $*" >&2; }

do_install() {
  local stamp="$BUILD/stamp"
  local want
  want=$(cat "$HERE/pom.xml" "$HERE/src/main/java/MiniHdfs.java" "$HERE/src/main/resources/log4j.properties" | sha256sum | cut -c1-16)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$BUILD/cp.txt" ]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven not found: apt-get install -y maven openjdk-17-jdk-headless"; exit 1; }
  mkdir -p "$BUILD"
  log "compiling the launcher and resolving Hadoop 3.4.3 from Maven Central (about 100 MB, once)"
  if ! (cd "$HERE" && nice -n 19 mvn -B -q -Dstyle.color=never \
    -DbuildDirectory="$BUILD/target" compile dependency:build-classpath \
    -Dmdep.outputFile="$BUILD/cp.txt") >"$BUILD/build.log" 2>&1; then
    tail -40 "$BUILD/build.log" >&2
    exit 1
  fi
  rm -rf "$BUILD/classes"
  cp -r "$HERE/target/classes" "$BUILD/classes"
  rm -rf "$HERE/target"
  echo "$want" >"$stamp"
}

ready_line() { grep -m1 '^READY' "$STATE/out.log" 2>/dev/null || true; }

do_start() {
  do_install
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null && [ -n "$(ready_line)" ]; then
    do_env
    return 0
  fi
  rm -rf "$STATE"
  mkdir -p "$STATE/data"
  java -Xmx512m -XX:TieredStopAtLevel=1 -XX:+IgnoreUnrecognizedVMOptions \
    --add-opens=java.base/java.lang=ALL-UNNAMED \
    -cp "$BUILD/classes:$(cat "$BUILD/cp.txt")" MiniHdfs --dir "$STATE/data" \
    --http-port "$HTTP_PORT" --rpc-port "$RPC_PORT" \
    </dev/null >"$STATE/out.log" 2>"$STATE/err.log" &
  local pid=$!
  echo "$pid" >"$STATE/pid"
  for _ in $(seq 1 900); do # up to 180 s
    if [ -n "$(ready_line)" ]; then
      log "$(ready_line) (pid $pid)"
      do_env
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "exited during start-up:"
      tail -40 "$STATE/err.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  log "not READY after 180 s"
  do_stop
  exit 1
}

do_stop() {
  stop_pidfile "$STATE/pid" TERM 60
  rm -rf "$STATE"
}

do_env() {
  local port
  port=$(ready_line | sed -n 's/^READY http=127\.0\.0\.1:\([0-9]*\).*/\1/p')
  cat <<ENV
export WEBHDFS_URL=http://127.0.0.1:${port:-$HTTP_PORT}
export HDFS_USER=dagwright
export HDFS_PID=$(cat "$STATE/pid" 2>/dev/null || true)
ENV
}

service_main "$@"
