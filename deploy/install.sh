#!/bin/sh
# Installs intake as a systemd service.
#
#   deploy/install.sh [--no-build]
#
#   PREFIX=/usr/local    the binary goes to $PREFIX/bin/intake (the unit's ExecStart follows)
#   DESTDIR=             staging root for packaging; nothing outside it is touched
#   INTAKE_BINARY=PATH   install this binary instead of building one
#   --no-build           install .build/release/intake as it is
#
# Without INTAKE_BINARY or --no-build it runs `swift build -c release --static-swift-stdlib
# --product intake` into .build-static/: the Swift runtime and Foundation are linked in, so
# the server needs no Swift toolchain (and the idle RSS is ~3 MiB lower).
# The configuration (intake.yaml, channels/*.yaml) is never overwritten: when a file is
# already there the new one is installed beside it as NAME.example. The binary, the unit,
# sysusers.d and tmpfiles.d files are replaced (site changes go in `systemctl edit intake`).
# As root with an empty DESTDIR it also creates the user and directories and reloads systemd.
set -eu

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

build=yes
for argument in "$@"; do
    case $argument in
        --no-build) build=no ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument: $argument" >&2; usage >&2; exit 2 ;;
    esac
done

DESTDIR=${DESTDIR-}
PREFIX=${PREFIX:-/usr/local}
case $PREFIX in
    /*) ;;
    *) echo "install.sh: PREFIX must be an absolute path: $PREFIX" >&2; exit 2 ;;
esac
case $PREFIX in
    *'|'*|*'&'*|*'\'*) echo "install.sh: PREFIX may not contain | & or \\: $PREFIX" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

live=no    # installing onto this very system, with the rights to finish the job
if [ -z "$DESTDIR" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: installing into / needs root (or set DESTDIR to stage the files)" >&2
        exit 1
    fi
    live=yes
fi

# --- The binary -----------------------------------------------------------------------------
if [ -n "${INTAKE_BINARY-}" ]; then
    binary=$INTAKE_BINARY
elif [ "$build" = yes ]; then
    SWIFT=${SWIFT:-swift}
    if ! command -v "$SWIFT" >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        SWIFT=/opt/swift/usr/bin/swift
    fi
    echo "building: $SWIFT build -c release --static-swift-stdlib --scratch-path .build-static --product intake (several minutes)"
    (cd "$root" && "$SWIFT" build -c release --static-swift-stdlib --scratch-path "$root/.build-static" --product intake)
    binary=$(cd "$root" && "$SWIFT" build -c release --static-swift-stdlib --scratch-path "$root/.build-static" --show-bin-path)/intake
else
    binary=$root/.build/release/intake
fi
if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
    echo "install.sh: no executable at $binary" >&2
    exit 1
fi

installed=""
note() { installed="$installed
  $1"; }

# install_file MODE SOURCE TARGET: creates the parent directories (0755) and replaces TARGET.
install_file() {
    mkdir -p "$(dirname "$3")"
    install -m "$1" "$2" "$3"
    note "$3"
}

# install_config MODE SOURCE TARGET: never replaces TARGET; the new one goes to TARGET.example.
kept=""
install_config() {
    mkdir -p "$(dirname "$3")"
    if [ -e "$3" ] && cmp -s "$2" "$3"; then
        return 0   # already the shipped version
    elif [ -e "$3" ]; then
        install -m "$1" "$2" "$3.example"
        kept="$kept
  $3 (kept; the shipped version is $3.example)"
    else
        install -m "$1" "$2" "$3"
        note "$3"
        if [ "$live" = yes ] && getent group intake >/dev/null 2>&1; then
            chown root:intake "$3"
        fi
    fi
}

install_file 0755 "$binary" "$DESTDIR$PREFIX/bin/intake"

# The unit names the binary by its installed path.
unit_tmp=$(mktemp)
trap 'rm -f "$unit_tmp"' EXIT
sed "s|^ExecStart=/usr/local/bin/intake |ExecStart=$PREFIX/bin/intake |" "$here/intake.service" >"$unit_tmp"
install_file 0644 "$unit_tmp" "$DESTDIR/etc/systemd/system/intake.service"
sed "s|/usr/local/bin/intake |$PREFIX/bin/intake |" "$here/intake-backup.service" >"$unit_tmp"
install_file 0644 "$unit_tmp" "$DESTDIR/etc/systemd/system/intake-backup.service"
install_file 0644 "$here/intake-backup.timer" "$DESTDIR/etc/systemd/system/intake-backup.timer"
install_file 0644 "$here/intake.sysusers.conf" "$DESTDIR/usr/lib/sysusers.d/intake.conf"
install_file 0644 "$here/intake.tmpfiles.conf" "$DESTDIR/usr/lib/tmpfiles.d/intake.conf"

# The user and group first, so that the configuration can be given to the group intake.
if [ "$live" = yes ]; then
    if command -v systemd-sysusers >/dev/null 2>&1; then
        systemd-sysusers /usr/lib/sysusers.d/intake.conf
    else
        echo "install.sh: systemd-sysusers not found: create the user intake and the group intake-drop yourself" >&2
    fi
fi

mkdir -p "$DESTDIR/etc/intake"
chmod 0755 "$DESTDIR/etc/intake"
install_config 0640 "$here/intake.example.yaml" "$DESTDIR/etc/intake/intake.yaml"
mkdir -p "$DESTDIR/etc/intake/channels"
chmod 0755 "$DESTDIR/etc/intake/channels"
for file in "$root"/channels/*.yaml "$root"/channels/*.tsv "$root"/channels/*.txt; do
    install_config 0640 "$file" "$DESTDIR/etc/intake/channels/$(basename "$file")"
done
# Secrets, read by systemd (LoadCredential=) as root, never by the service directly.
mkdir -p "$DESTDIR/etc/intake/credentials"
chmod 0700 "$DESTDIR/etc/intake/credentials"
note "$DESTDIR/etc/intake/credentials/"

echo "installed:$installed"
if [ -n "$kept" ]; then
    echo "not overwritten:$kept"
fi

if [ "$live" = no ]; then
    echo "staged under $DESTDIR: run systemd-sysusers, systemd-tmpfiles --create and systemctl daemon-reload on the target."
    exit 0
fi

if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create /usr/lib/tmpfiles.d/intake.conf
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
else
    echo "install.sh: systemd is not running here: no daemon-reload" >&2
fi

cat <<EOF

Next steps:
  1. Put each secret in its own file (root, 0600) in /etc/intake/credentials/:
     webhook-portal webhook-miniprogram webhook-partner-park imap-password routing-signing
     (drop the LoadCredential= line of any the configuration does not use: systemctl edit intake)
  2. Edit /etc/intake/intake.yaml (and mail-ca.pem or other CA files it names), then
     CREDENTIALS_DIRECTORY=/etc/intake/credentials $PREFIX/bin/intake check --config /etc/intake/intake.yaml
  3. Let operators drop files: usermod -aG intake-drop NAME
  4. systemctl enable --now intake && systemctl status intake
EOF
