#!/bin/sh
# deps.sh: make sure the Debian packages aimci needs are installed.
# As root, installs what is missing with apt-get; otherwise prints the one line to run, and fails.
# Usage: tools/deps.sh PACKAGE...
missing=""
for p in "$@"; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$s" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "aimci: installing missing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || exit 1
    apt-get install -y -qq --no-install-recommends $missing || exit 1
    exit 0
fi
echo "aimci: missing Debian packages. Install them with:" >&2
echo "    sudo apt-get install$missing" >&2
exit 1
