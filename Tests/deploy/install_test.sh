#!/usr/bin/env bash
# Tests deploy/install.sh and the files it installs, without building and without touching
# the system: everything goes into a temporary DESTDIR (or --root for sysusers/tmpfiles).
#
#   Tests/deploy/install_test.sh            # a dummy binary stands in for intake
#   INTAKE_BINARY=.build/release/intake Tests/deploy/install_test.sh
#
# Checks: every installed file and its mode; a second run keeps an edited intake.yaml and
# channel file (the new ones land beside them as .example); PREFIX reaches the unit's
# ExecStart; `systemd-analyze verify` accepts the unit and rejects broken copies of it;
# `systemd-analyze security --offline` rates it at most 2.0; every credential the example
# configuration names has its LoadCredential= line; the tmpfiles paths are the example's
# spool paths; sysusers and tmpfiles create the user, groups and directories (as root).
# Prints "ok" at the end; the first failure stops it with a message and exit status 1.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
deploy=$repo/deploy
max_exposure=2.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "-- $*"; }

# expect_mode MODE PATH
expect_mode() {
    [[ -e $2 ]] || fail "$2 was not installed"
    local mode
    mode=$(stat -c %a "$2")
    [[ $mode == "$1" ]] || fail "$2 has mode $mode, expected $1"
}

command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed (apt-get install systemd)"

dummy=$work/intake-dummy
printf '#!/bin/sh\necho "intake (dummy for install_test)"\n' >"$dummy"
chmod 0755 "$dummy"
binary=${INTAKE_BINARY:-$dummy}

# --- First install -------------------------------------------------------------------------
step "install into an empty DESTDIR"
dest=$work/dest
DESTDIR=$dest INTAKE_BINARY=$binary "$deploy/install.sh" >"$work/install1.log" 2>&1 \
    || { cat "$work/install1.log" >&2; fail "install.sh failed"; }

expect_mode 755 "$dest/usr/local/bin/intake"
cmp -s "$binary" "$dest/usr/local/bin/intake" || fail "the installed binary is not INTAKE_BINARY"
unit=$dest/etc/systemd/system/intake.service
expect_mode 644 "$unit"
expect_mode 644 "$dest/usr/lib/sysusers.d/intake.conf"
expect_mode 644 "$dest/usr/lib/tmpfiles.d/intake.conf"
cmp -s "$deploy/intake.sysusers.conf" "$dest/usr/lib/sysusers.d/intake.conf" || fail "sysusers.d file differs from deploy/"
cmp -s "$deploy/intake.tmpfiles.conf" "$dest/usr/lib/tmpfiles.d/intake.conf" || fail "tmpfiles.d file differs from deploy/"
expect_mode 755 "$dest/etc/intake"
expect_mode 640 "$dest/etc/intake/intake.yaml"
cmp -s "$deploy/intake.example.yaml" "$dest/etc/intake/intake.yaml" || fail "intake.yaml is not deploy/intake.example.yaml"
expect_mode 755 "$dest/etc/intake/channels"
for file in "$repo"/channels/*.yaml "$repo"/channels/*.tsv "$repo"/channels/*.txt; do
    expect_mode 640 "$dest/etc/intake/channels/$(basename "$file")"
done
expect_mode 700 "$dest/etc/intake/credentials"
[[ -z $(ls -A "$dest/etc/intake/credentials") ]] || fail "the credentials directory is not empty"
grep -qx 'ExecStart=/usr/local/bin/intake run --config /etc/intake/intake.yaml' "$unit" \
    || fail "ExecStart in the installed unit: $(grep ExecStart= "$unit")"

# --- Second install: configuration kept ------------------------------------------------------
step "a second install keeps an edited intake.yaml and channel file"
echo "# edited by the site" >>"$dest/etc/intake/intake.yaml"
echo "# edited by the site" >>"$dest/etc/intake/channels/hotline.yaml"
cp "$dest/etc/intake/intake.yaml" "$work/intake.yaml.edited"
cp "$dest/etc/intake/channels/hotline.yaml" "$work/hotline.yaml.edited"
dummy2=$work/intake-dummy-2
printf '#!/bin/sh\necho "intake (second dummy)"\n' >"$dummy2"
chmod 0755 "$dummy2"
DESTDIR=$dest INTAKE_BINARY=$dummy2 "$deploy/install.sh" >"$work/install2.log" 2>&1 \
    || { cat "$work/install2.log" >&2; fail "second install.sh failed"; }
cmp -s "$work/intake.yaml.edited" "$dest/etc/intake/intake.yaml" || fail "the second install overwrote intake.yaml"
cmp -s "$work/hotline.yaml.edited" "$dest/etc/intake/channels/hotline.yaml" || fail "the second install overwrote channels/hotline.yaml"
expect_mode 640 "$dest/etc/intake/intake.yaml.example"
cmp -s "$deploy/intake.example.yaml" "$dest/etc/intake/intake.yaml.example" || fail "intake.yaml.example is not the shipped example"
expect_mode 640 "$dest/etc/intake/channels/hotline.yaml.example"
grep -q 'intake.yaml (kept' "$work/install2.log" || fail "the second install did not say it kept intake.yaml"
cmp -s "$dummy2" "$dest/usr/local/bin/intake" || fail "the second install did not replace the binary"
expect_mode 755 "$dest/usr/local/bin/intake"

# --- PREFIX and arguments ------------------------------------------------------------------
step "PREFIX reaches the binary's place and ExecStart"
DESTDIR=$work/dest-opt PREFIX=/opt/intake INTAKE_BINARY=$dummy "$deploy/install.sh" >"$work/install3.log" 2>&1 \
    || { cat "$work/install3.log" >&2; fail "install.sh with PREFIX failed"; }
expect_mode 755 "$work/dest-opt/opt/intake/bin/intake"
grep -qx 'ExecStart=/opt/intake/bin/intake run --config /etc/intake/intake.yaml' "$work/dest-opt/etc/systemd/system/intake.service" \
    || fail "PREFIX=/opt/intake did not reach ExecStart"
if DESTDIR=$work/dest-bad INTAKE_BINARY=$dummy "$deploy/install.sh" --bogus >/dev/null 2>&1; then
    fail "install.sh accepted an unknown argument"
fi
if DESTDIR=$work/dest-bad INTAKE_BINARY=$work/missing "$deploy/install.sh" >/dev/null 2>&1; then
    fail "install.sh accepted a missing INTAKE_BINARY"
fi
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
    # Not root, no DESTDIR: refused before anything is built or written.
    chmod o+rx "$work" "$dummy"
    if setpriv --reuid=65534 --regid=65534 --clear-groups env -u DESTDIR INTAKE_BINARY="$dummy" "$deploy/install.sh" >"$work/nonroot.log" 2>&1; then
        fail "install.sh ran into / as a user other than root"
    fi
    grep -q 'needs root' "$work/nonroot.log" || fail "install.sh as non-root: $(cat "$work/nonroot.log")"
fi

# --- systemd-analyze verify ----------------------------------------------------------------
# verify insists that ExecStart's binary exists on this machine, and with --root it wants a
# whole systemd tree there. So the installed unit is checked as a copy whose ExecStart names
# the binary inside DESTDIR; nothing else changes. verify exits 0 on unknown keys and bad
# values (it only warns), so any message about the unit counts as a failure.
verify_unit() { # FILE (named intake.service) -> 0 when clean; the messages on stdout
    local output status=0
    output=$(systemd-analyze verify "$1" 2>&1) || status=$?
    local about
    about=$(grep -F 'intake.service' <<<"$output" || true)
    if ((status != 0)) || [[ -n $about ]]; then
        printf '%s\n' "${about:-$output}"
        return 1
    fi
}
step "systemd-analyze verify accepts the installed unit"
mkdir -p "$work/verify"
sed "s|^ExecStart=/usr/local/bin/intake |ExecStart=$dest/usr/local/bin/intake |" "$unit" >"$work/verify/intake.service"
grep -q "^ExecStart=$dest/usr/local/bin/intake " "$work/verify/intake.service" || fail "could not point ExecStart at the staged binary"
messages=$(verify_unit "$work/verify/intake.service") || fail "systemd-analyze verify: $messages"

step "systemd-analyze verify rejects broken units"
broken() { # NAME SED-EXPRESSION
    mkdir -p "$work/broken-$1"
    sed "$2" "$work/verify/intake.service" >"$work/broken-$1/intake.service"
    cmp -s "$work/verify/intake.service" "$work/broken-$1/intake.service" && fail "broken unit $1: the edit changed nothing"
    if messages=$(verify_unit "$work/broken-$1/intake.service"); then
        fail "systemd-analyze verify accepted a broken unit ($1)"
    fi
    echo "   $1: $(head -n1 <<<"$messages")"
}
broken misspelt-key 's/^ProtectSystem=strict/ProtectSytem=strict/'
broken bad-value 's/^Type=notify/Type=notifyy/'
broken missing-binary "s|^ExecStart=[^ ]*|ExecStart=$work/no-such-binary|"
broken no-service-section 's/^\[Service\]/[Servise]/'

step "the nightly backup units are installed and systemd-analyze verify accepts them"
backup_unit=$dest/etc/systemd/system/intake-backup.service
expect_mode 644 "$backup_unit"
expect_mode 644 "$dest/etc/systemd/system/intake-backup.timer"
grep -q "intake backup --config /etc/intake/intake.yaml" "$backup_unit" || fail "intake-backup.service does not run intake backup"
grep -q "/usr/local/bin/intake backup" "$backup_unit" || fail "intake-backup.service does not name the installed binary"
mkdir -p "$work/verify-backup"
sed "s|/usr/local/bin/intake |$dest/usr/local/bin/intake |" "$backup_unit" >"$work/verify-backup/intake-backup.service"
cp "$dest/etc/systemd/system/intake-backup.timer" "$work/verify-backup/"
output=$(cd "$work/verify-backup" && systemd-analyze verify intake-backup.timer intake-backup.service 2>&1) \
    || fail "systemd-analyze verify (backup units): $output"
about=$(grep -F 'intake-backup' <<<"$output" || true)
[[ -z $about ]] || fail "systemd-analyze verify (backup units): $about"
grep -q '^d *\/var\/backups\/intake ' "$dest/usr/lib/tmpfiles.d/intake.conf" || fail "tmpfiles.d does not create /var/backups/intake"

# --- systemd-analyze security --------------------------------------------------------------
step "systemd-analyze security --offline=yes: exposure at most $max_exposure"
security=$(systemd-analyze security --offline=yes "$unit" 2>&1) || true
exposure=$(sed -n 's/.*Overall exposure level for intake.service: \([0-9.]*\).*/\1/p' <<<"$security")
[[ -n $exposure ]] || { echo "$security" >&2; fail "no exposure figure from systemd-analyze security"; }
echo "   exposure $exposure"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' \
    || { grep '✗' <<<"$security" >&2; fail "exposure $exposure is above $max_exposure"; }

# --- The unit against the example configuration --------------------------------------------
step "every credential the example names has a LoadCredential= line"
# Names used by active lines must be loaded; names in commented-out lines must be offered
# as commented-out LoadCredential= lines (the unit cannot start with a missing file).
while read -r name; do
    grep -qx "LoadCredential=$name:/etc/intake/credentials/$name" "$unit" || fail "no LoadCredential= for $name"
done < <(grep -v '^[[:space:]]*#' "$deploy/intake.example.yaml" | grep -o 'CREDENTIALS_DIRECTORY}/[A-Za-z0-9._-]*' | sed 's|.*}/||' | sort -u)
while read -r name; do
    grep -qx "#\{0,1\}LoadCredential=$name:/etc/intake/credentials/$name" "$unit" || fail "no (commented) LoadCredential= for $name"
done < <(grep '^[[:space:]]*#' "$deploy/intake.example.yaml" | grep -o 'CREDENTIALS_DIRECTORY}/[A-Za-z0-9._-]*' | sed 's|.*}/||' | sort -u)

step "the tmpfiles paths are the example's spool paths"
spools=$(grep -E '^[[:space:]]*(spool_dir|archive_dir|quarantine_dir):' "$deploy/intake.example.yaml" | awk '{print $2}')
[[ -n $spools ]] || fail "no spool paths found in intake.example.yaml"
for path in $spools; do
    grep -qE "^d[[:space:]]+$path[[:space:]]" "$deploy/intake.tmpfiles.conf" || fail "tmpfiles does not create $path"
    [[ $path == /var/spool/intake/* ]] || fail "$path is outside ReadWritePaths=/var/spool/intake"
done
grep -qx 'ReadWritePaths=/var/spool/intake' "$unit" || fail "ReadWritePaths= is not /var/spool/intake"

# --- sysusers and tmpfiles into a scratch root ----------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
    echo "-- SKIP sysusers/tmpfiles --root (needs root to set owners)"
else
    step "systemd-sysusers and systemd-tmpfiles --create in a scratch root"
    sysroot=$work/sysroot
    mkdir -p "$sysroot/etc"
    systemd-sysusers --root="$sysroot" "$dest/usr/lib/sysusers.d/intake.conf" >"$work/sysusers.log" 2>&1 \
        || { cat "$work/sysusers.log" >&2; fail "systemd-sysusers failed"; }
    passwd=$(grep '^intake:' "$sysroot/etc/passwd") || fail "sysusers created no user intake"
    [[ $(cut -d: -f6 <<<"$passwd") == /var/lib/intake ]] || fail "intake's home: $passwd"
    [[ $(cut -d: -f7 <<<"$passwd") == */nologin ]] || fail "intake's shell: $passwd"
    uid=$(cut -d: -f3 <<<"$passwd")
    gid=$(grep '^intake:' "$sysroot/etc/group" | cut -d: -f3)
    drop=$(grep '^intake-drop:' "$sysroot/etc/group") || fail "sysusers created no group intake-drop"
    [[ $(cut -d: -f4 <<<"$drop") == intake ]] || fail "intake is not a member of intake-drop: $drop"
    drop_gid=$(cut -d: -f3 <<<"$drop")
    systemd-tmpfiles --create --root="$sysroot" "$dest/usr/lib/tmpfiles.d/intake.conf" >"$work/tmpfiles.log" 2>&1 \
        || { cat "$work/tmpfiles.log" >&2; fail "systemd-tmpfiles --create failed"; }
    expect_owner() { # MODE UID GID PATH
        [[ -d $sysroot$4 ]] || fail "tmpfiles did not create $4"
        local got
        got=$(stat -c '%a %u %g' "$sysroot$4")
        [[ $got == "$1 $2 $3" ]] || fail "$4 is '$got' (mode uid gid), expected '$1 $2 $3'"
    }
    expect_owner 750 "$uid" "$drop_gid" /var/spool/intake
    for channel in hotline visits; do
        expect_owner 2770 "$uid" "$drop_gid" /var/spool/intake/$channel
        expect_owner 2750 "$uid" "$drop_gid" /var/spool/intake/$channel/archive
        expect_owner 2750 "$uid" "$drop_gid" /var/spool/intake/$channel/quarantine
    done
    expect_owner 750 "$uid" "$gid" /var/lib/intake
fi

echo ok
