#!/usr/bin/env bash
# Install the curriculum, qilab and the hub on one machine (run as root, from the repository):
#
#   sudo deploy/local/install.sh
#
# What it does (each step is safe to repeat):
#   1. copies the curriculum (this repository, without build output) to $PREFIX/curriculum;
#   2. makes the learners' Python environment $PREFIX/venv from requirements.txt (the one
#      tested, pinned set) and installs qilab into it (from the copy in step 1); every user can
#      read and run it;
#   3. Jupyter settings for everyone: nbgrader's (deploy/local/nbgrader_config.py and the
#      submit step it names, qi_exchange.py), MyST pages
#      open as notebooks (lab-overrides.json), trainer tools off and Voila's settings for the
#      exercises' apps (jupyter/learner/) with the dashboards' Voila template; and the
#      trainers' settings in $PREFIX/trainer-jupyter (jupyter/trainer/);
#   4. installs configurable-http-proxy from npm into $PREFIX/npm (needs Node.js 20);
#   5. makes the unix groups qi-learners and qi-trainers and the grader account qi-grader (a
#      system user with a private home; it releases, collects and grades);
#   6. makes the nbgrader exchange (mode 1777, as nbgrader needs) and the courses folder;
#   7. puts the hub's files in /etc/qi-curriculum (jupyterhub_config.py and the modules it
#      imports; hub.yml from hub.example.yml, readable by root only, only if there is none),
#      makes the hub's state folder /srv/jupyterhub (0700) and installs the systemd unit
#      jupyterhub.service.
# Then edit hub.yml, add people with deploy/local/add-user.sh and start the hub (deploy/README.md).
#
# Where things go (set any of these to install elsewhere; the tests do):
#   PYTHON       the interpreter for the environment (default python3). Every user must be able
#                to run it: not a pyenv Python under /root; use Debian's /usr/bin/python3.
#   PREFIX       /opt/qi-curriculum          QI_ETC      /etc/qi-curriculum
#   QI_STATE     /srv/jupyterhub             EXCHANGE    /srv/nbgrader/exchange
#   QI_COURSES   /srv/qi-courses             QI_GRADER   qi-grader (the grader account)
#   QI_GROUP_PREFIX  qi (groups qi-learners, qi-trainers)
#   SYSTEMD_DIR  /etc/systemd/system
# A non-default place is written into the hub.yml and systemd unit this script makes.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
PREFIX="${PREFIX:-/opt/qi-curriculum}"
QI_ETC="${QI_ETC:-/etc/qi-curriculum}"
QI_STATE="${QI_STATE:-/srv/jupyterhub}"
EXCHANGE="${EXCHANGE:-/srv/nbgrader/exchange}"
QI_COURSES="${QI_COURSES:-/srv/qi-courses}"
QI_GRADER="${QI_GRADER:-qi-grader}"
QI_GROUP_PREFIX="${QI_GROUP_PREFIX:-qi}"
SYSTEMD_DIR="${SYSTEMD_DIR:-/etc/systemd/system}"
CHP_VERSION=5.3.0

if [ "$(id -u)" != 0 ]; then
  echo "install.sh must run as root (it makes users' groups, /opt and /srv folders)" >&2
  exit 1
fi
PYTHON="$(command -v "$PYTHON")"
if ! command -v git >/dev/null; then
  echo "git is needed: the book's exercise links pull the curriculum with it (apt-get install git)" >&2
  exit 1
fi
if ! runuser -u nobody -- "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "$PYTHON is not a Python 3.11+ that every user can run (try PYTHON=/usr/bin/python3)" >&2
  exit 1
fi
umask 022

# The defaults in hub.example.yml and jupyterhub.service, replaced by the places chosen above.
render() {
  sed -e "s|/opt/qi-curriculum|$PREFIX|g" -e "s|/etc/qi-curriculum|$QI_ETC|g" \
      -e "s|/srv/jupyterhub|$QI_STATE|g" -e "s|/srv/nbgrader/exchange|$EXCHANGE|g" \
      -e "s|/srv/qi-courses|$QI_COURSES|g" -e "s|qi-grader|$QI_GRADER|g" \
      -e "s|qi-learners|$QI_GROUP_PREFIX-learners|g" -e "s|qi-trainers|$QI_GROUP_PREFIX-trainers|g" \
      "$1"
}

echo "1/7 curriculum -> $PREFIX/curriculum"
mkdir -p "$PREFIX/curriculum"
tar -C "$REPO" --exclude=./.venv --exclude=./.git --exclude=./_build --exclude=./node_modules \
    --exclude=./.pytest_cache --exclude=./.hypothesis --exclude=./book/vendor -cf - . \
  | tar -C "$PREFIX/curriculum" -xf -

echo "2/7 learners' environment -> $PREFIX/venv"
[ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REPO/requirements.txt"
# Editable, so qilab finds the curriculum's exercises/ and grading/ next to it (qilab cohort init).
"$PREFIX/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$PREFIX/curriculum"

echo "3/7 Jupyter settings: everyone's in $PREFIX/venv/etc/jupyter, trainers' in $PREFIX/trainer-jupyter"
mkdir -p "$PREFIX/venv/etc/jupyter/labconfig" "$PREFIX/trainer-jupyter/labconfig"
install -m 0644 "$REPO/deploy/local/nbgrader_config.py" "$PREFIX/venv/etc/jupyter/nbgrader_config.py"
install -m 0644 "$REPO/deploy/local/qi_exchange.py" \
  "$("$PREFIX/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/qi_exchange.py"
install -m 0644 "$REPO/deploy/local/jupyter/learner/jupyter_server_config.json" \
  "$PREFIX/venv/etc/jupyter/jupyter_server_config.json"
install -m 0644 "$REPO/deploy/local/jupyter/learner/labconfig/page_config.json" \
  "$PREFIX/venv/etc/jupyter/labconfig/page_config.json"
install -m 0644 "$REPO/deploy/local/jupyter/trainer/jupyter_server_config.json" \
  "$PREFIX/trainer-jupyter/jupyter_server_config.json"
install -m 0644 "$REPO/deploy/local/jupyter/trainer/labconfig/page_config.json" \
  "$PREFIX/trainer-jupyter/labconfig/page_config.json"
# The book's launch links open MyST pages (.md) as notebooks (jupytext), not as text.
mkdir -p "$PREFIX/venv/share/jupyter/lab/settings"
install -m 0644 "$REPO/deploy/local/lab-overrides.json" "$PREFIX/venv/share/jupyter/lab/settings/overrides.json"
# The exercises' apps and the dashboards open in Voila with the offline, accessible template
# (jupyter_server_config.json above chooses it).
mkdir -p "$PREFIX/venv/share/jupyter/voila/templates"
rm -rf "$PREFIX/venv/share/jupyter/voila/templates/qilab"
cp -R "$REPO/dashboards/share/jupyter/voila/templates/qilab" "$PREFIX/venv/share/jupyter/voila/templates/qilab"

echo "4/7 configurable-http-proxy $CHP_VERSION -> $PREFIX/npm"
npm install --silent --no-audit --no-fund --prefix "$PREFIX/npm" "configurable-http-proxy@$CHP_VERSION"

echo "5/7 unix groups $QI_GROUP_PREFIX-learners, $QI_GROUP_PREFIX-trainers and the grader account $QI_GRADER"
getent group "$QI_GROUP_PREFIX-learners" >/dev/null || groupadd --system "$QI_GROUP_PREFIX-learners"
getent group "$QI_GROUP_PREFIX-trainers" >/dev/null || groupadd --system "$QI_GROUP_PREFIX-trainers"
# The grader is in the trainers' group, to read what trainers write in the course folders.
if ! id "$QI_GRADER" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "/var/lib/$QI_GRADER" --shell /usr/sbin/nologin \
    --user-group -G "$QI_GROUP_PREFIX-trainers" "$QI_GRADER"
fi
usermod -a -G "$QI_GROUP_PREFIX-trainers" "$QI_GRADER"
chmod 0700 "$(getent passwd "$QI_GRADER" | cut -d: -f6)"

echo "6/7 nbgrader exchange -> $EXCHANGE (1777); courses -> $QI_COURSES"
mkdir -p "$EXCHANGE" "$QI_COURSES"
chown root:root "$QI_COURSES"
chown "$QI_GRADER:$QI_GRADER" "$EXCHANGE"   # the grader releases into it
chmod 1777 "$EXCHANGE"
chmod 0755 "$QI_COURSES"

echo "7/7 the hub's files -> $QI_ETC, state -> $QI_STATE, unit -> $SYSTEMD_DIR/jupyterhub.service"
mkdir -p "$QI_ETC" "$QI_STATE" "$SYSTEMD_DIR"
chmod 0755 "$QI_ETC"
chmod 0700 "$QI_STATE"
for file in jupyterhub_config.py qi_hub_settings.py qi_spawner.py qi_cgroups.py qi_courses.py \
            qi_grading_service.py; do
  install -m 0644 "$REPO/deploy/local/$file" "$QI_ETC/$file"
done
if [ ! -f "$QI_ETC/hub.yml" ]; then
  render "$REPO/deploy/local/hub.example.yml" > "$QI_ETC/hub.yml"
  chmod 0600 "$QI_ETC/hub.yml"
fi
render "$REPO/deploy/local/jupyterhub.service" > "$SYSTEMD_DIR/jupyterhub.service"
chmod -R a+rX "$PREFIX"

runuser -u nobody -- "$PREFIX/venv/bin/python" -c 'import qilab, nbgrader, jupyterhub, nbgitpuller, voila'
echo "Installed. Next: edit $QI_ETC/hub.yml, add people with deploy/local/add-user.sh,"
echo "then start the hub: see deploy/README.md."
