# Shared shell functions: make sure PostgreSQL and RabbitMQ answer on
# 127.0.0.1, starting them where they are installed. Source this file.

hap_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

hap_wait_port() {
  local port=$1 seconds=$2
  for _ in $(seq "$seconds"); do
    hap_port_open "$port" && return 0
    sleep 1
  done
  return 1
}

hap_ensure_postgres() {
  hap_port_open 5432 && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  if ! hap_wait_port 5432 30; then
    echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started." >&2
    echo "Install it (Debian: apt-get install postgresql) with trust authentication for user postgres on 127.0.0.1, or start it." >&2
    return 1
  fi
}

hap_ensure_rabbitmq() {
  hap_port_open 5672 && return 0
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting RabbitMQ"
    rabbitmq-server -detached || true
  fi
  if ! hap_wait_port 5672 60; then
    echo "RabbitMQ is not reachable on 127.0.0.1:5672 and could not be started." >&2
    echo "Install it (Debian: apt-get install rabbitmq-server) with the default guest account, or start it." >&2
    return 1
  fi
}
