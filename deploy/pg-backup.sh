#!/usr/bin/env bash
# Backs up onsite's PostgreSQL database while the service runs: pg_dump's
# custom format (one consistent snapshot), named by UTC time, read back by
# pg_restore --list before it is given its name.
#
#   deploy/pg-backup.sh DATABASE_URL [DIR]      e.g. postgres://onsite@db/onsite /var/backups/onsite
#
# Keep the audit chain's key (ONSITE_DATABASE__AUDIT_KEY, shared by every
# instance) apart from the dumps: a restore is verified with it. Evidence
# files of several instances live in an S3 bucket: back it up with the
# bucket's own versioning or replication.
set -euo pipefail
url=${1:?usage: pg-backup.sh DATABASE_URL [DIR]}
dir=${2:-.}
mkdir -p "$dir"
name="onsite-pg-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --no-privileges --file "$partial" "$url"
pg_restore --list "$partial" > /dev/null
mv "$partial" "$dir/$name"
echo "$dir/$name"
