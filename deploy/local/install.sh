#!/usr/bin/env bash
# Install the curriculum, qilab and the hub on one machine (run as root, from the repository):
#
#   sudo deploy/local/install.sh
#
# What it does (each step is safe to repeat):
#   1. copies the curriculum (this repository, without build output) to $PREFIX/curriculum;
#   2. makes the learners' Python environment $PREFIX/venv from requirements.txt (the one
#      tested, pinned set) and installs qilab into it; every user can read and run it;
#   3. puts deploy/local/nbgrader_config.py where every user's nbgrader finds it, and makes
#      JupyterLab open the curriculum's MyST pages as notebooks (lab-overrides.json);
#   4. installs configurable-http-proxy from npm into $PREFIX/npm (needs Node.js 20);
#   5. makes the nbgrader exchange /srv/nbgrader/exchange (mode 1777, as nbgrader documents);
#   6. makes the unix groups qi-learners and qi-trainers and /etc/qi-curriculum/hub.yml (from
#      hub.example.yml, only if there is none).
# Then add people with deploy/local/add-user.sh and start the hub (deploy/README.md).
#
# PYTHON chooses the interpreter (default: python3). It must be runnable by every user: a
# Python under root's home (pyenv) is not, so use Debian's /usr/bin/python3 or one in /opt.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="${PREFIX:-/opt/qi-curriculum}"
PYTHON="${PYTHON:-python3}"
EXCHANGE="${EXCHANGE:-/srv/nbgrader/exchange}"
CHP_VERSION=5.3.0

if [ "$(id -u)" != 0 ]; then
  echo "install.sh must run as root (it makes users' groups, /opt and /srv folders)" >&2
  exit 1
fi
PYTHON="$(command -v "$PYTHON")"
if ! runuser -u nobody -- "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "$PYTHON is not a Python 3.11+ that every user can run (try PYTHON=/usr/bin/python3)" >&2
  exit 1
fi
umask 022

echo "1/6 curriculum -> $PREFIX/curriculum"
mkdir -p "$PREFIX/curriculum"
tar -C "$REPO" --exclude=./.venv --exclude=./.git --exclude=./_build --exclude=./node_modules \
    --exclude=./.pytest_cache --exclude=./.hypothesis --exclude=./book/vendor -cf - . \
  | tar -C "$PREFIX/curriculum" -xf -

echo "2/6 learners' environment -> $PREFIX/venv"
[ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REPO/requirements.txt"
"$PREFIX/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$PREFIX/curriculum"

echo "3/6 nbgrader settings for every user"
mkdir -p "$PREFIX/venv/etc/jupyter"
install -m 0644 "$REPO/deploy/local/nbgrader_config.py" "$PREFIX/venv/etc/jupyter/nbgrader_config.py"
# The book's launch links open MyST pages (.md) as notebooks (jupytext), not as text.
mkdir -p "$PREFIX/venv/share/jupyter/lab/settings"
install -m 0644 "$REPO/deploy/local/lab-overrides.json" "$PREFIX/venv/share/jupyter/lab/settings/overrides.json"

echo "4/6 configurable-http-proxy $CHP_VERSION -> $PREFIX/npm"
npm install --silent --no-audit --no-fund --prefix "$PREFIX/npm" "configurable-http-proxy@$CHP_VERSION"

echo "5/6 nbgrader exchange -> $EXCHANGE (1777)"
mkdir -p "$EXCHANGE"
chown root:root "$EXCHANGE"
chmod 1777 "$EXCHANGE"

echo "6/6 groups and settings"
getent group qi-learners >/dev/null || groupadd --system qi-learners
getent group qi-trainers >/dev/null || groupadd --system qi-trainers
mkdir -p /etc/qi-curriculum
[ -f /etc/qi-curriculum/hub.yml ] || install -m 0600 "$REPO/deploy/local/hub.example.yml" /etc/qi-curriculum/hub.yml
chmod -R a+rX "$PREFIX"

runuser -u nobody -- "$PREFIX/venv/bin/python" -c 'import qilab, nbgrader, jupyterhub, nbgitpuller'
echo "Installed. Next: edit /etc/qi-curriculum/hub.yml, add people with deploy/local/add-user.sh,"
echo "then start the hub: see deploy/README.md (a systemd unit is in deploy/local/jupyterhub.service)."
