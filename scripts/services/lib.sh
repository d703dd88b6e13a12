# Shared by the service scripts in this folder (sourced, not run).

# stop_pidfile FILE SIGNAL SECONDS: stops the process whose pid FILE holds with SIGNAL, waits up
# to SECONDS for it to exit, then SIGKILLs it; removes FILE. A missing file or a dead pid is fine.
stop_pidfile() {
  local file=$1 signal=$2 seconds=$3 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((seconds * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# service_main COMMAND: runs do_install, do_start, do_stop or do_env, as the script's argument says.
service_main() {
  case "${1:-}" in
    install) do_install ;;
    start) do_start ;;
    stop) do_stop ;;
    env) do_env ;;
    *)
      echo "usage: $0 install|start|stop|env" >&2
      exit 2
      ;;
  esac
}
