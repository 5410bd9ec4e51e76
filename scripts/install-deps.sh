#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and the benchmark need, if missing.
# Runs as root (CI) or through sudo; does nothing when everything is there.
set -euo pipefail

packages=(
  libsqlite3-dev   # GRDB links the system SQLite
  libcurl4-openssl-dev  # the HTTP sink (and the IMAP channel) go through libcurl
  libphonenumber-dev    # phone numbers: Google's libphonenumber (C++, behind Sources/CPhoneNumber)
  libopencc-dev         # traditional → simplified Chinese for matching (OpenCC's C API)
  pkg-config
  gcc              # bench/loadgen
  openssl          # the README's signed curl example
  curl
  python3          # bench/make_requests.py
  postgresql       # the postgres sink's tests start their own server (initdb, pg_ctl)
  dovecot-imapd    # the email channel's tests start their own IMAP server
  python3-aiosmtpd # the acknowledgement tests start their own SMTP server (Python's aiosmtpd)
  sqlite3          # bench/hotline.sh compares with `sqlite3 .import`
  time             # bench/hotline.sh reads peak RSS from /usr/bin/time -v
  systemd          # systemd-analyze verify/security for deploy/intake.service (no running systemd needed)
  chromium         # the admin console's browser test (Tests/console) drives a headless Chromium
  chromium-driver  # … through chromedriver
  fonts-wqy-zenhei # … and its screenshots need a CJK font, or the Chinese renders as boxes
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python's selenium for the console's browser test, from pip for the python3 on PATH.
if ! python3 -c "import selenium" >/dev/null 2>&1; then
  echo "installing: selenium (pip)"
  python3 -m pip install --quiet selenium
fi

if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
  echo "Swift 6 is needed: install it at /opt/swift (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
