#!/usr/bin/env bash
# Load benchmark of the HTTP layer with wrk: status polls and photo uploads against a release
# build serving on a free port with its own data folder. Prints wrk's latency distribution
# (p50/p75/p90/p99) and throughput; results go in docs/PERFORMANCE.md ("Service").
#
#   scripts/bench_server.sh [duration_seconds=20] [connections=32] [threads=2]
#   I2V_BIN=.build/debug/i2v scripts/bench_server.sh    # measure an existing binary instead of a release build
#
# The server runs with workers=0 (jobs are accepted and stored but not rendered) so the numbers
# measure the API, the store and the upload path, not the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20}
CONNECTIONS=${2:-32}
THREADS=${3:-2}
command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
BIN=${I2V_BIN:-}
if [[ -z "$BIN" ]]; then
  swift build -c release --product i2v >/dev/null
  BIN=.build/release/i2v
fi
echo "== binary: $BIN"
WORK=$(mktemp -d /tmp/i2v-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
I2V_HOST=127.0.0.1 I2V_PORT=$PORT I2V_WORKERS=0 I2V_DATA_DIR=$WORK/data I2V_OUTPUTS_DIR=$WORK/outputs I2V_LOG_LEVEL=warning \
  $BIN serve > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
URL=http://127.0.0.1:$PORT
IMAGE=Tests/ServerTests/Fixtures/mug.jpg

# A job to poll.
JOB=$(curl -sf "$URL/api/v1/jobs" -F image=@$IMAGE -F title="bench mug" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== status polls: GET /api/v1/jobs/{id} (${DURATION}s, $CONNECTIONS connections, $THREADS threads)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL/api/v1/jobs/$JOB"

# Uploads: multipart with the 56 KB JPEG; each request has its own title so each creates a job.
LUA=$WORK/upload.lua
python3 - "$IMAGE" "$LUA" <<'PY'
import sys
image = open(sys.argv[1], "rb").read()
boundary = "----i2vbench"
head = ('--%s\r\nContent-Disposition: form-data; name="image"; filename="mug.jpg"\r\nContent-Type: image/jpeg\r\n\r\n' % boundary).encode()
def lua_bytes(b):
    return "".join("\\%d" % c for c in b)
with open(sys.argv[2], "w") as f:
    f.write('local head = "%s"\n' % lua_bytes(head))
    f.write('local image = "%s"\n' % lua_bytes(image))
    f.write('local counter = 0\nlocal threads = 0\n')
    f.write('setup = function(thread) threads = threads + 1; thread:set("tid", threads) end\n')
    f.write('wrk.method = "POST"\n')
    f.write('wrk.headers["Content-Type"] = "multipart/form-data; boundary=%s"\n' % boundary)
    f.write('request = function()\n  counter = counter + 1\n')
    f.write('  local title = "\\r\\n--%s\\r\\nContent-Disposition: form-data; name=\\"title\\"\\r\\n\\r\\nbench " .. tostring(tid) .. "-" .. tostring(counter)\n' % boundary)
    f.write('  local body = head .. image .. title .. "\\r\\n--%s--\\r\\n"\n' % boundary)
    f.write('  return wrk.format(nil, "/api/v1/jobs", nil, body)\nend\n')
    f.write('local statuses = {}\nresponse = function(status) statuses[status] = (statuses[status] or 0) + 1 end\n')
    f.write('done = function() end\n')
PY
echo "== uploads: POST /api/v1/jobs multipart 56 KB JPEG (${DURATION}s, 8 connections, $THREADS threads)"
wrk -t"$THREADS" -c8 -d"${DURATION}s" --latency -s "$LUA" "$URL"
echo "== jobs stored: $(curl -sf "$URL/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue"])')"
