#!/usr/bin/env bash
# Debian packages the grader needs: bubblewrap (the sandbox) and util-linux's setpriv
# and prlimit; and chromium, the browser the test suite drives through Playwright
# (tests/test_browser_xss.py). Installs what is missing when run as root (refreshing
# the package lists first, which a fresh machine needs); otherwise says what to do.
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
{ command -v setpriv >/dev/null 2>&1 && command -v prlimit >/dev/null 2>&1; } || missing+=(util-linux)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system packages missing: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
