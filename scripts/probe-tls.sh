#!/usr/bin/env bash
# Probes a running coordinator with TLS clients nobody here wrote (OpenSSL's s_client, sslscan)
# and checks that it offers TLS 1.3 only and requires a client certificate from the fleet CA.
#
#   scripts/probe-tls.sh            # builds `tributary` (debug) if needed
#   TRIBUTARY_BIN=path/to/tributary scripts/probe-tls.sh
#
# Starts `tributary coordinator serve` with fresh certificates (`tributary certs`) on
# 127.0.0.1 and an ephemeral port, then checks:
#   1. s_client -tls1_3 with a fleet client certificate: handshake completes in TLSv1.3 and the
#      coordinator's Welcome frame arrives;
#   2. s_client -tls1_3 without a client certificate: refused with the TLS 1.3
#      "certificate required" alert;
#   3. s_client -tls1_2 (with a certificate): refused, no TLS 1.2 session;
#   4. s_client -tls1_3 with a certificate from another CA: refused;
#   5. sslscan: SSLv2, SSLv3, TLSv1.0, TLSv1.1 and TLSv1.2 disabled, TLSv1.3 enabled.
# Exits non-zero naming the first check that failed. Installs openssl and sslscan with
# apt-get when they are missing (CI runs as root).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v sslscan >/dev/null || need+=(sslscan)
if ((${#need[@]})); then
  echo "probe: installing ${need[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >&2
fi

bin="${TRIBUTARY_BIN:-$root/.build/debug/tributary}"
if [[ ! -x "$bin" ]]; then
  (cd "$root" && swift build --product tributary >&2)
fi

work="$(mktemp -d)"
coordinator_pid=""
cleanup() {
  if [[ -n "$coordinator_pid" ]]; then kill "$coordinator_pid" 2>/dev/null || true; wait "$coordinator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "probe-tls: FAIL: $*" >&2; exit 1; }
pass() { echo "probe-tls: ok: $*"; }

fleet="$work/fleet"
"$bin" certs init --dir "$fleet" >/dev/null
"$bin" certs issue --dir "$fleet" --server localhost --ip 127.0.0.1 >/dev/null
"$bin" certs issue --dir "$fleet" --client probe-1 >/dev/null
"$bin" certs init --dir "$work/other" --name other >/dev/null
"$bin" certs issue --dir "$work/other" --client probe-1 >/dev/null
"$bin" init --out "$work/model.ckpt" --inputs 4 --hidden 4 --outputs 2 >/dev/null

# Rounds start only by hand, so none starts: the probe only needs the handshake and Welcome.
cat >"$work/coordinator.yaml" <<YAML
listen: 127.0.0.1:0
tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem, deny_list: fleet/revoked.txt}
registry: {directory: registry}
model: {initial_checkpoint: model.ckpt}
rounds: {trigger: manual}
admin: {enabled: false}
YAML
"$bin" coordinator serve --config "$work/coordinator.yaml" >"$work/coordinator.out" 2>"$work/coordinator.err" &
coordinator_pid=$!
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/coordinator.out" | head -n1)"
  [[ -n "$port" ]] && break
  kill -0 "$coordinator_pid" 2>/dev/null || fail "coordinator exited: $(cat "$work/coordinator.err")"
  sleep 0.1
done
[[ -n "$port" ]] || fail "coordinator did not report its port within 30 s"
echo "probe-tls: coordinator on 127.0.0.1:$port"

# s_client NAME ARGS...: runs s_client, keeping stdin open 2 s so it reads the server's first
# frame or alert; output (stdout+stderr) in $work/NAME.txt.
s_client() {
  local name="$1"; shift
  (sleep 2) | timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost \
    -CAfile "$fleet/ca.pem" -verify_return_error "$@" >"$work/$name.txt" 2>&1 || true
}

s_client good -tls1_3 -cert "$fleet/probe-1.pem" -key "$fleet/probe-1-key.pem"
grep -q "Protocol  *: TLSv1.3\|New, TLSv1.3" "$work/good.txt" || fail "TLS 1.3 with a fleet certificate did not complete:
$(cat "$work/good.txt")"
grep -q "Verify return code: 0" "$work/good.txt" || fail "the coordinator's certificate did not verify against the fleet CA"
grep -qi "alert" "$work/good.txt" && fail "a fleet client certificate was refused:
$(grep -i alert "$work/good.txt")"
grep "TLS handshake completed" "$work/coordinator.err" | grep "client.id=probe-1" | grep -q "tls.version=tlsv13" \
  || fail "the coordinator did not log an accepted TLS 1.3 client probe-1:
$(cat "$work/coordinator.err")"
pass "TLS 1.3 with a fleet client certificate completes (coordinator: client probe-1, tlsv13; no alert)"

s_client nocert -tls1_3
grep -qi "certificate required" "$work/nocert.txt" || fail "a client without a certificate was not refused with 'certificate required':
$(cat "$work/nocert.txt")"
grep -q "refusal.code=certificateRequired" "$work/coordinator.err" || fail "the coordinator did not report certificateRequired"
pass "no client certificate: refused with the TLS 1.3 'certificate required' alert (coordinator: certificateRequired)"

s_client tls12 -tls1_2 -cert "$fleet/probe-1.pem" -key "$fleet/probe-1-key.pem"
if grep -q "Protocol  *: TLSv1.2" "$work/tls12.txt" && ! grep -q "Cipher is (NONE)" "$work/tls12.txt"; then
  fail "a TLS 1.2 session was established:
$(cat "$work/tls12.txt")"
fi
grep -qi "alert protocol version\|unsupported protocol\|no protocols available\|wrong version number" "$work/tls12.txt" \
  || fail "TLS 1.2 was not refused with a protocol-version error:
$(cat "$work/tls12.txt")"
grep -q "refusal.code=unsupportedTLSVersion" "$work/coordinator.err" || fail "the coordinator did not report unsupportedTLSVersion"
pass "TLS 1.2 refused (protocol version; coordinator: unsupportedTLSVersion)"

s_client otherca -tls1_3 -cert "$work/other/probe-1.pem" -key "$work/other/probe-1-key.pem"
grep -qi "alert" "$work/otherca.txt" || fail "a certificate from another CA was not refused:
$(cat "$work/otherca.txt")"
grep -q "refusal.code=untrustedCertificate" "$work/coordinator.err" || fail "the coordinator did not report untrustedCertificate"
pass "a client certificate from another CA is refused (coordinator: untrustedCertificate) ($(grep -io 'alert [a-z ]*' "$work/otherca.txt" | head -n1))"

timeout 120 sslscan --no-colour --no-fallback --no-renegotiation --no-compression --no-heartbleed \
  --no-ciphersuites --no-groups --no-check-certificate "127.0.0.1:$port" >"$work/sslscan.txt" 2>&1 || true
for protocol in SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2; do
  grep -Eq "^$protocol +disabled" "$work/sslscan.txt" || fail "sslscan does not report $protocol disabled:
$(cat "$work/sslscan.txt")"
done
grep -Eq "^TLSv1.3 +enabled" "$work/sslscan.txt" || fail "sslscan does not report TLSv1.3 enabled:
$(cat "$work/sslscan.txt")"
pass "sslscan: only TLSv1.3 enabled"

echo "probe-tls: all checks passed"
