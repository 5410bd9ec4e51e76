#!/usr/bin/env bash
# Email benchmark: a real dovecot on loopback with a mailbox of COUNT messages (mixed
# UTF-8 and GB2312, some multipart with an attachment), and the release daemon taking it in
# one go: messages/s from start-up until every message is a forwarded case.
#
#   COUNT=5000 bench/email.sh
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-5000}
BIN=${BIN:-.build/release/intake}
work=$(mktemp -d /tmp/intake-email-bench.XXXXXX)
chmod 755 "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
imap_port=$(free_port)
http_port=$(free_port)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  [ -f "$work/dovecot.pid" ] && kill -9 -- "-$(cat "$work/dovecot.pid")" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# dovecot refuses root as a mail user: as root the mail belongs to nobody.
if [ "$(id -u)" -eq 0 ]; then owner_uid=65534; owner_gid=65534; user_lines=""; else
  owner_uid=$(id -u); owner_gid=$(id -g)
  user_lines="default_login_user = $(id -un)
default_internal_user = $(id -un)
default_internal_group = $(id -gn)"
fi
mkdir -p "$work/run" "$work/state" "$work/mail/intake"
echo "intake:{PLAIN}bench-password" > "$work/passwd"
cat > "$work/dovecot.conf" <<CONF
base_dir = $work/run
state_dir = $work/state
instance_name = intake-bench-$$
log_path = $work/dovecot.log
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8
first_valid_uid = $owner_uid
first_valid_gid = $owner_gid
mail_location = maildir:$work/mail/%u
mail_fsync = never
ssl = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $work/passwd
}
userdb {
  driver = static
  args = uid=$owner_uid gid=$owner_gid home=$work/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
$user_lines
CONF

echo "writing $COUNT messages into the maildir ..."
python3 bench/make_mailbox.py --count "$COUNT" --maildir "$work/mail/intake"
chown -R "$owner_uid:$owner_gid" "$work/mail"
setsid /usr/sbin/dovecot -F -c "$work/dovecot.conf" > "$work/dovecot.out" 2>&1 &
echo $! > "$work/dovecot.pid"
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$imap_port") 2>/dev/null && break; sleep 0.1; done

printf 'bench-password' > "$work/imap.password"
sed -e "s#\./var#$work/var#g" -e "s#listen_port: 8080#listen_port: $http_port#" -e "s#level: info#level: warning#" -e "/^admin:/,/^[^ ]/ s#enabled: true#enabled: false#" \
  -e "s#enabled: false#enabled: true#" -e "s#imap://127.0.0.1:1143#imap://127.0.0.1:$imap_port#" \
  -e "s#deploy/dev/imap.password#$work/imap.password#" -e "s#poll_interval_secs: 5#poll_interval_secs: 1#" \
  deploy/intake.dev.yaml > "$work/intake.yaml"

start=$(date +%s.%N)
"$BIN" run --config "$work/intake.yaml" 2> "$work/daemon.log" &
pid=$!
while true; do
  # Events delivered to the sink, from the store (reading the sink's files would cost the
  # machine more than the daemon's own work as they pile up).
  n=$(sqlite3 -readonly "$work/var/intake.sqlite" "SELECT count(*) FROM outbox WHERE state = 'delivered'" 2>/dev/null || echo 0)
  n=${n:-0}
  [ "$n" -ge "$COUNT" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "daemon died:"; tail -20 "$work/daemon.log"; exit 1; }
  sleep 0.1
done
end=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print(f'email: {n} messages taken from dovecot on loopback and forwarded in {t:.2f} s: {n/t:.0f} messages/s')" "$COUNT" "$start" "$end"
