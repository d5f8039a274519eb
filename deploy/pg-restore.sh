#!/usr/bin/env bash
# Restores a dump of deploy/pg-backup.sh into an empty PostgreSQL database
# (refusing one that already holds onsite's tables), in one transaction:
# a failure leaves the database as empty as it was. Then verify the audit
# chain with the deployment's key before starting onsite on it:
#
#   deploy/pg-restore.sh FILE DATABASE_URL
#   ONSITE_DATABASE__URL=DATABASE_URL onsite admin verify-audit
set -euo pipefail
file=${1:?usage: pg-restore.sh FILE DATABASE_URL}
url=${2:?usage: pg-restore.sh FILE DATABASE_URL}
if [ "$(psql "$url" -Atc "SELECT to_regclass('public.notices') IS NOT NULL")" = "t" ]; then
  echo "refused: the database already holds onsite's tables; restore only into an empty database" >&2
  echo "拒绝：该数据库已有 onsite 的数据表，只能恢复到空数据库" >&2
  exit 1
fi
pg_restore --exit-on-error --single-transaction --no-owner --no-privileges --dbname "$url" "$file"
echo "restored $file into the database / 已恢复"
