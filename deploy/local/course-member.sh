#!/usr/bin/env bash
# Add a person to a course on the running hub, or remove them, without restarting anything:
#
#   sudo deploy/local/course-member.sh add NAME COURSE [learner|trainer]
#   sudo deploy/local/course-member.sh remove NAME COURSE
#
# See deploy/local/course_member.py. PREFIX and QI_ETC: where install.sh put things.
set -euo pipefail
PREFIX="${PREFIX:-/opt/qi-curriculum}"
QI_ETC="${QI_ETC:-/etc/qi-curriculum}"
QI_HUB_SETTINGS="$QI_ETC/hub.yml" PYTHONPATH="$QI_ETC" \
  exec "$PREFIX/venv/bin/python" "$(dirname "$0")/course_member.py" "$@"
