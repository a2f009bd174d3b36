#!/bin/sh
# Container entry point. Compose healthchecks order the start-up (PostgreSQL, Redis and MinIO
# are healthy before this runs), so nothing here waits or retries.
set -eu

if [ -z "${APP_KEY:-}" ]; then
  echo "athera: APP_KEY is empty. Set it in .env (generate one with: openssl rand -base64 32)." >&2
  exit 1
fi

# A command given to the container (docker compose run app node ace ...) runs instead of
# the server, without migrating.
if [ "$#" -gt 0 ]; then
  exec "$@"
fi

# Only processes that serve the web migrate: one migrator per deployment, and a GPU worker
# on another host needs no schema rights to do its work.
roles=$(printf '%s' "${ATHERA_ROLES:-web,worker}" | tr -d ' ')
case ",$roles," in
  *,web,*) node ace migration:run --force ;;
esac

# bin/server.js reads ATHERA_ROLES itself and starts the HTTP server, the worker, or both.
exec node bin/server.js
