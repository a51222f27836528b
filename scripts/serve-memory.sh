#!/bin/bash
# serve-memory.sh DB — the memory of `linedesk serve` over a copy of the
# SQLite database DB (for instance the 1,000,000-ticket corpus that
# `go run ./cmd/linedesk-corpus` writes): resident memory when idle, and
# after 3,600 API requests, eight at a time (ticket list pages, single
# tickets, searches), on 127.0.0.1:18080.
set -euo pipefail
src=${1:?usage: scripts/serve-memory.sh path/to/linedesk.db}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/linedesk" ./cmd/linedesk
cp "$src" "$work/desk.db"
export LINEDESK_DATABASE_URL="sqlite:$work/desk.db" LINEDESK_DATA_DIR="$work/data" LINEDESK_HTTP_ADDR=127.0.0.1:18080
"$work/linedesk" admin create --email memory@desk.example --name Memory --password 'memory-password-1' >/dev/null
token=$("$work/linedesk" token create --email memory@desk.example | tail -1)
"$work/linedesk" serve >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
grep -E 'VmRSS' "/proc/$pid/status" | sed 's/^/idle: /'
tickets=$(curl -sf -H "Authorization: Bearer $token" 'http://127.0.0.1:18080/api/v1/tickets?per_page=1' | sed 's/.*"total":\([0-9]*\).*/\1/')
urls() {
	for i in $(seq 400); do
		echo "http://127.0.0.1:18080/api/v1/tickets?per_page=50&page=$((i % 20 + 1))"
		echo "http://127.0.0.1:18080/api/v1/tickets/$((i * 2311 % tickets + 1))"
		for q in printer vpn %D0%BF%D1%80%D0%B8%D0%BD%D1%82%D0%B5%D1%80 parole outlook 0x80070005 '%22account+is+locked%22'; do
			echo "http://127.0.0.1:18080/api/v1/search?q=$q&page=$((i % 3 + 1))"
		done
	done
}
start=$(date +%s)
urls | xargs -P 8 -I{} curl -s -o /dev/null -H "Authorization: Bearer $token" -w '%{http_code}\n' {} | sort | uniq -c
echo "3600 requests over $tickets tickets in $(($(date +%s) - start)) s"
grep -E 'VmRSS|VmHWM' "/proc/$pid/status" | sed 's/^/after the requests: /'
