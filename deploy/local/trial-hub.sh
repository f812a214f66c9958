#!/usr/bin/env bash
# Start a trial hub on this machine, on 127.0.0.1 only (run as root after install.sh):
#
#   sudo deploy/local/trial-hub.sh          # or: sudo make hub
#
# It runs the installed hub (/etc/qi-curriculum/jupyterhub_config.py) with the real settings
# (/etc/qi-curriculum/hub.yml: courses, people, limits, sign-in) and only two changes: it
# listens on http://127.0.0.1:${PORT:-8000} and keeps its state (database, cookie secret) in a
# throw-away folder, so a trial never touches the real hub's state. Sign in as a unix user you
# made with add-user.sh; there is no default user or password. To reach it from another
# machine use an SSH tunnel (ssh -L 8000:127.0.0.1:8000 server), never an open port without
# HTTPS. Ctrl-C stops it and every server it started.
# PREFIX and QI_ETC: where install.sh put things (defaults /opt/qi-curriculum, /etc/qi-curriculum).
set -euo pipefail
PREFIX="${PREFIX:-/opt/qi-curriculum}"
QI_ETC="${QI_ETC:-/etc/qi-curriculum}"
PORT="${PORT:-8000}"
if [ "$(id -u)" != 0 ]; then
  echo "The hub must run as root to start each learner's server as their own unix user." >&2
  exit 1
fi
if [ ! -x "$PREFIX/venv/bin/jupyterhub" ] || [ ! -f "$QI_ETC/jupyterhub_config.py" ]; then
  echo "No hub installed at $PREFIX and $QI_ETC: run deploy/local/install.sh first." >&2
  exit 1
fi
STATE="$(mktemp -d /tmp/qi-trial-hub.XXXXXX)"
chmod 0700 "$STATE"
# The real settings, checked as the hub checks them, with the address and state folder changed.
"$PREFIX/venv/bin/python" - "$QI_ETC" "$STATE" "$PORT" <<'PY'
import sys
from pathlib import Path

import yaml

etc, state, port = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, etc)
from qi_hub_settings import load_settings  # noqa: E402

settings = load_settings(Path(etc) / "hub.yml")
settings["hub"]["bind_url"] = f"http://127.0.0.1:{port}"
settings["hub"]["state_dir"] = state
path = Path(state) / "hub.yml"
path.write_text(yaml.safe_dump(settings))
path.chmod(0o600)
print(f"Trial hub with {etc}/hub.yml: courses {', '.join(settings['courses']) or 'none'}")
PY
echo "Trial hub on http://127.0.0.1:$PORT (state in $STATE; Ctrl-C to stop)"
cd "$STATE"
PATH="$PREFIX/venv/bin:$PATH" QI_HUB_SETTINGS="$STATE/hub.yml" \
  exec "$PREFIX/venv/bin/jupyterhub" -f "$QI_ETC/jupyterhub_config.py"
