#!/usr/bin/env bash
# Add a learner or trainer as a unix user whose home only they can read.
#
#   sudo deploy/local/add-user.sh NAME learner|trainer
#
# The home is made with mode 0700 (Debian's default would let other users read it), so
# learners cannot read each other's work or a trainer's sources and hidden tests.
# No password is set: with the default PAM sign-in run `passwd NAME` and tell the person
# themselves; with an organisation's login (OAuth) they never need one.
# QI_HOME_BASE changes where homes go (default /home) and QI_GROUP_PREFIX the unix groups'
# prefix (default qi: qi-learners, qi-trainers); the tests use both.
set -euo pipefail
if [ "$#" -ne 2 ] || [[ ! "$2" =~ ^(learner|trainer)$ ]]; then
  echo "usage: $0 NAME learner|trainer" >&2
  exit 2
fi
name="$1"
group="${QI_GROUP_PREFIX:-qi}-${2}s"
if [[ ! "$name" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then
  echo "$name: a unix name is lower case letters, digits, - or _ (at most 32)" >&2
  exit 2
fi
getent group "$group" >/dev/null || groupadd --system "$group"
if id "$name" >/dev/null 2>&1; then
  echo "$name exists already: adding to $group and making the home private"
  usermod -a -G "$group" "$name"
else
  useradd --create-home --base-dir "${QI_HOME_BASE:-/home}" --shell /bin/bash \
    -K HOME_MODE=0700 -G "$group" "$name"
fi
chmod 0700 "$(getent passwd "$name" | cut -d: -f6)"
