#!/usr/bin/env bash
# Start a trial hub on this machine, on 127.0.0.1 only (run as root after install.sh):
#
#   sudo deploy/local/trial-hub.sh          # or: sudo make hub
#
# It uses the real configuration (jupyterhub_config.py) with the installed environment, PAM
# sign-in and a throw-away state folder, and listens on http://127.0.0.1:${PORT:-8000}.
# Sign in as a unix user you made with add-user.sh and gave a password with `passwd`; nobody
# else can (there is no default user or password). To reach it from another machine use an SSH
# tunnel (ssh -L 8000:127.0.0.1:8000 server), never an open port without HTTPS. Ctrl-C stops it
# and every learner server it started.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${PREFIX:-/opt/qi-curriculum}"
PORT="${PORT:-8000}"
if [ "$(id -u)" != 0 ]; then
  echo "The hub must run as root to start each learner's server as their own unix user." >&2
  exit 1
fi
if [ ! -x "$PREFIX/venv/bin/jupyterhub" ]; then
  echo "No environment at $PREFIX/venv: run deploy/local/install.sh first." >&2
  exit 1
fi
STATE="$(mktemp -d /tmp/qi-trial-hub.XXXXXX)"
chmod 0700 "$STATE"
cat > "$STATE/hub.yml" <<YAML
hub:
  bind_url: http://127.0.0.1:$PORT
  state_dir: $STATE
environment:
  venv: $PREFIX/venv
  proxy_command: $PREFIX/npm/node_modules/.bin/configurable-http-proxy
nbgrader:
  exchange_root: ${EXCHANGE:-/srv/nbgrader/exchange}
YAML
echo "Trial hub on http://127.0.0.1:$PORT (state in $STATE; Ctrl-C to stop)"
cd "$STATE"
PATH="$PREFIX/venv/bin:$PATH" QI_HUB_SETTINGS="$STATE/hub.yml" \
  exec "$PREFIX/venv/bin/jupyterhub" -f "$HERE/jupyterhub_config.py"
