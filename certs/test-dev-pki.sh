#!/usr/bin/env bash
# Integration test of certs/make-dev-pki.sh: builds PKIs in a temporary directory and checks
# them with the openssl CLI (chains, CRL, subjects, SANs, key modes and curves, idempotence,
# regeneration of missing files, --add-kiosk, --revoke-kiosk, --kiosks, --force, errors).
# Prints every failed check and exits 1 if there was one; always removes its directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/.." && pwd)"
SCRIPT="$HERE/make-dev-pki.sh"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
trap 'echo "FAIL: test-dev-pki.sh stopped on an unexpected error at line $LINENO" >&2' ERR
PKI="$TMP/pki"
LAST_OUTPUT=""

CHECKS=0
FAILURES=0

pass() { CHECKS=$((CHECKS + 1)); }
fail() {
  CHECKS=$((CHECKS + 1))
  FAILURES=$((FAILURES + 1))
  echo "FAIL: $*"
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then pass; else fail "$description"; fi
}

# check_not DESCRIPTION COMMAND...: the command fails.
check_not() {
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then fail "$description"; else pass; fi
}

# check_eq DESCRIPTION ACTUAL EXPECTED
check_eq() {
  if [[ $2 == "$3" ]]; then pass; else fail "$1: got '$2', expected '$3'"; fi
}

# check_has DESCRIPTION HAYSTACK NEEDLE (a failure shows the haystack's first lines)
check_has() {
  if [[ $2 == *"$3"* ]]; then
    pass
  else
    fail "$1: '$3' not in: $(head -n 4 <<<"$2")"
  fi
}

# run_pki ARGS...: runs the script, keeping its output in LAST_OUTPUT; returns its status.
run_pki() {
  local status=0
  LAST_OUTPUT="$(bash "$SCRIPT" "$@" 2>&1)" || status=$?
  return "$status"
}

# must_run DESCRIPTION ARGS...: the script succeeds; otherwise its output is shown.
must_run() {
  local description="$1"
  shift
  if run_pki "$@"; then
    pass
  else
    fail "$description: make-dev-pki.sh $* failed:"
    printf '    %s\n' "$LAST_OUTPUT"
  fi
}

subject() { openssl x509 -in "$1" -noout -subject -nameopt compat; }
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
file_hash() { sha256sum "$1" | cut -d' ' -f1; }
verify_crl() { openssl verify -crl_check -CAfile "$PKI/ca.crt" -CRLfile "$PKI/ca.crl" "$1" 2>&1; }
key_matches() {
  [[ "$(openssl x509 -in "$1" -noout -pubkey)" == "$(openssl pkey -in "$2" -pubout)" ]]
}
validity_days() {
  local start end
  start="$(openssl x509 -in "$1" -noout -startdate)"
  end="$(openssl x509 -in "$1" -noout -enddate)"
  echo $((($(date -d "${end#notAfter=}" +%s) - $(date -d "${start#notBefore=}" +%s)) / 86400))
}
# snapshot DIR: path, mtime, mode and content hash of every file under DIR.
snapshot() {
  (cd "$1" && find . -type f -printf '%p %T@ %m ' -exec sha256sum {} \; | sort)
}

# check_unchanged DESCRIPTION DIR BEFORE: DIR's snapshot still equals BEFORE; shows the diff.
check_unchanged() {
  local after
  after="$(snapshot "$2")"
  if [[ $after == "$3" ]]; then
    pass
  else
    fail "$1; changed files:"
    diff <(echo "$3") <(echo "$after") | grep '^[<>]' | sed 's/^/    /' || true
  fi
}

PARTNERS=(registry seal bank tax people-data sms)
KIOSKS=(QD-SN-0001:BOCQD QD-SN-0002:BOCQD QD-LS-0001:ICBCQD)

# ---------------------------------------------------------------- first run

if ! run_pki --out "$PKI"; then
  echo "FAIL: first run of make-dev-pki.sh failed:"
  echo "$LAST_OUTPUT"
  exit 1
fi
check_has "first run summary" "$LAST_OUTPUT" "PKI ready in $PKI"

leaves=(orchestrator/server orchestrator/client kiosks/QD-SN-9999/client)
for partner in "${PARTNERS[@]}"; do
  leaves+=("partners/$partner/client" "partners/$partner/server")
done
for entry in "${KIOSKS[@]}"; do
  leaves+=("kiosks/${entry%%:*}/client")
done

for path in ca.crt ca.crl ca/ca.key ca/index.txt test/other-ca.crt test/stranger/client.crt \
  test/stranger/client.key keys/orchestrator.key keys/agent.key; do
  check "$path exists" test -s "$PKI/$path"
done
for leaf in "${leaves[@]}"; do
  check "$leaf.crt exists" test -s "$PKI/$leaf.crt"
  check "$leaf.key exists" test -s "$PKI/$leaf.key"
  check "$leaf.crt certifies $leaf.key" key_matches "$PKI/$leaf.crt" "$PKI/$leaf.key"
done
check_not "no console certificate (the console reuses the orchestrator's)" test -e "$PKI/console"

# ---------------------------------------------------------------- the CA and validity

check_eq "CA subject" "$(subject "$PKI/ca.crt")" \
  "subject=/C=CN/O=Kaiban Development/OU=dev-pki/CN=Kaiban Dev Root CA"
check_has "CA is a CA" "$(openssl x509 -in "$PKI/ca.crt" -noout -ext basicConstraints)" "CA:TRUE"
check_eq "CA validity (days)" "$(validity_days "$PKI/ca.crt")" 3650
check_eq "leaf validity (days)" "$(validity_days "$PKI/kiosks/QD-SN-0001/client.crt")" 825
check_eq "server validity (days)" "$(validity_days "$PKI/orchestrator/server.crt")" 825

serials="$(for leaf in "${leaves[@]}"; do openssl x509 -in "$PKI/$leaf.crt" -noout -serial; done)"
check_eq "serials are distinct" "$(sort -u <<<"$serials" | wc -l)" "${#leaves[@]}"
while read -r serial; do
  serial="${serial#serial=}"
  if ((${#serial} >= 32)); then pass; else fail "serial $serial is too short to be random"; fi
done <<<"$serials"

# ---------------------------------------------------------------- chains and purposes

for leaf in "${leaves[@]}"; do
  purpose=sslclient
  [[ $leaf == */server ]] && purpose=sslserver
  check "$leaf verifies against ca.crt for $purpose" \
    openssl verify -CAfile "$PKI/ca.crt" -purpose "$purpose" "$PKI/$leaf.crt"
done
check_not "a kiosk certificate is not a server certificate" \
  openssl verify -CAfile "$PKI/ca.crt" -purpose sslserver "$PKI/kiosks/QD-SN-0001/client.crt"
check_not "a server certificate is not a client certificate" \
  openssl verify -CAfile "$PKI/ca.crt" -purpose sslclient "$PKI/orchestrator/server.crt"

# ---------------------------------------------------------------- CRL

check_has "ca.crl is signed by the CA" \
  "$(openssl crl -in "$PKI/ca.crl" -CAfile "$PKI/ca.crt" -noout 2>&1)" "verify OK"
for entry in "${KIOSKS[@]}"; do
  id="${entry%%:*}"
  check "kiosk $id passes the CRL check" verify_crl "$PKI/kiosks/$id/client.crt"
done
check "orchestrator client passes the CRL check" verify_crl "$PKI/orchestrator/client.crt"
check_not "kiosk QD-SN-9999 fails the CRL check" verify_crl "$PKI/kiosks/QD-SN-9999/client.crt"
check_has "kiosk QD-SN-9999 fails because it is revoked" \
  "$(verify_crl "$PKI/kiosks/QD-SN-9999/client.crt" || true)" "certificate revoked"
revoked_serial="$(openssl x509 -in "$PKI/kiosks/QD-SN-9999/client.crt" -noout -serial)"
check_has "the CRL lists QD-SN-9999's serial" \
  "$(openssl crl -in "$PKI/ca.crl" -noout -text)" "Serial Number: ${revoked_serial#serial=}"

# ---------------------------------------------------------------- subjects and SANs

for entry in "${KIOSKS[@]}" QD-SN-9999:BOCQD; do
  id="${entry%%:*}"
  check_eq "kiosk $id subject" "$(subject "$PKI/kiosks/$id/client.crt")" \
    "subject=/C=CN/O=${entry#*:}/OU=kiosk/CN=$id"
done
check_eq "orchestrator client subject" "$(subject "$PKI/orchestrator/client.crt")" \
  "subject=/C=CN/O=Kaiban/OU=orchestrator/CN=kaiban-orchestrator"
check_eq "registry client subject" "$(subject "$PKI/partners/registry/client.crt")" \
  "subject=/C=CN/O=Qingdao AMR/OU=partner/CN=registry"
for partner in "${PARTNERS[@]}"; do
  partner_subject="$(subject "$PKI/partners/$partner/client.crt")"
  check_has "$partner client CN" "$partner_subject" "/OU=partner/CN=$partner"
done

servers=(orchestrator/server)
for partner in "${PARTNERS[@]}"; do servers+=("partners/$partner/server"); done
for server in "${servers[@]}"; do
  sans="$(openssl x509 -in "$PKI/$server.crt" -noout -ext subjectAltName)"
  check_has "$server SAN" "$sans" "DNS:localhost"
  check_has "$server SAN" "$sans" "IP Address:127.0.0.1"
  check_has "$server SAN" "$sans" "IP Address:0:0:0:0:0:0:0:1"
  check_has "$server EKU" "$(openssl x509 -in "$PKI/$server.crt" -noout -ext extendedKeyUsage)" \
    "TLS Web Server Authentication"
done
check_has "kiosk EKU" \
  "$(openssl x509 -in "$PKI/kiosks/QD-SN-0001/client.crt" -noout -ext extendedKeyUsage)" \
  "TLS Web Client Authentication"

# ---------------------------------------------------------------- keys

key_count=0
while IFS= read -r key; do
  key_count=$((key_count + 1))
  check_eq "mode of ${key#"$PKI/"}" "$(stat -c %a "$key")" 600
  case "$key" in
    "$PKI"/keys/*) ;;
    *) check_has "curve of ${key#"$PKI/"}" "$(openssl pkey -in "$key" -noout -text_pub 2>&1)" \
      "ASN1 OID: prime256v1" ;;
  esac
done < <(find "$PKI" -name '*.key')
# CA, orchestrator x2, partners x12, kiosks x4, other CA, stranger, data keys x2.
check_eq "number of private keys" "$key_count" 23
check_has "certificates carry P-256 keys" \
  "$(openssl x509 -in "$PKI/kiosks/QD-SN-0001/client.crt" -noout -text)" "ASN1 OID: prime256v1"
check_eq "keys/ is private" "$(stat -c %a "$PKI/keys")" 700
check_eq "ca/ is private" "$(stat -c %a "$PKI/ca")" 700

# The format of core/crypto/key_ring.h: one key set, key_id=1.
for data_key in orchestrator agent; do
  mapfile -t lines <"$PKI/keys/$data_key.key"
  check_eq "$data_key.key line count" "${#lines[@]}" 4
  check_has "$data_key.key starts with a comment" "${lines[0]:-}" "# Kaiban data keys"
  check_eq "$data_key.key key id" "${lines[1]:-}" "key_id=1"
  if [[ ${lines[2]:-} =~ ^enc=[0-9a-f]{64}$ && ${lines[3]:-} =~ ^mac=[0-9a-f]{64}$ ]]; then
    pass
  else
    fail "$data_key.key has no enc=<64 hex> / mac=<64 hex> lines"
  fi
  check_not "$data_key.key enc and mac differ" test "${lines[2]#enc=}" = "${lines[3]#mac=}"
done
check_not "orchestrator and agent data keys differ" \
  cmp -s "$PKI/keys/orchestrator.key" "$PKI/keys/agent.key"

if git -C "$REPO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  check "git ignores var/pki (keys are never committed)" \
    git -C "$REPO_ROOT" check-ignore -q var/pki/ca/ca.key
fi

# ---------------------------------------------------------------- the stranger

check_eq "stranger impersonates a real kiosk" "$(subject "$PKI/test/stranger/client.crt")" \
  "$(subject "$PKI/kiosks/QD-SN-0001/client.crt")"
check_not "stranger fails against ca.crt" \
  openssl verify -CAfile "$PKI/ca.crt" "$PKI/test/stranger/client.crt"
check "stranger verifies against its own CA" \
  openssl verify -CAfile "$PKI/test/other-ca.crt" -purpose sslclient \
  "$PKI/test/stranger/client.crt"
check_not "other CA is not the dev CA" cmp -s "$PKI/test/other-ca.crt" "$PKI/ca.crt"

# ---------------------------------------------------------------- idempotence

before="$(snapshot "$PKI")"
must_run "second run" --out "$PKI"
check_has "second run says so" "$LAST_OUTPUT" "PKI already present in $PKI"
check_unchanged "second run changed nothing" "$PKI" "$before"

# ---------------------------------------------------------------- missing files

ca_key_hash="$(file_hash "$PKI/ca/ca.key")"
ca_pubkey="$(openssl x509 -in "$PKI/ca.crt" -noout -pubkey)"
kiosk2_key_hash="$(file_hash "$PKI/kiosks/QD-SN-0002/client.key")"
kiosk1_snapshot="$(snapshot "$PKI/kiosks/QD-SN-0001")"
rm "$PKI/ca.crt" "$PKI/ca.crl" "$PKI/kiosks/QD-SN-0002/client.crt" \
  "$PKI/orchestrator/server.key" "$PKI/keys/agent.key"
rm -r "$PKI/kiosks/QD-SN-9999"
chmod 644 "$PKI/partners/sms/client.key"
must_run "run after deleting files" --out "$PKI"
check_eq "CA key reused" "$(file_hash "$PKI/ca/ca.key")" "$ca_key_hash"
check_eq "ca.crt remade from the same key" "$(openssl x509 -in "$PKI/ca.crt" -noout -pubkey)" \
  "$ca_pubkey"
check_unchanged "untouched kiosk kept" "$PKI/kiosks/QD-SN-0001" "$kiosk1_snapshot"
check "untouched kiosk verifies against the remade ca.crt" \
  verify_crl "$PKI/kiosks/QD-SN-0001/client.crt"
check_eq "QD-SN-0002 key reused" "$(file_hash "$PKI/kiosks/QD-SN-0002/client.key")" \
  "$kiosk2_key_hash"
check "QD-SN-0002 reissued" verify_crl "$PKI/kiosks/QD-SN-0002/client.crt"
check "QD-SN-0002 certifies its key" key_matches "$PKI/kiosks/QD-SN-0002/client.crt" \
  "$PKI/kiosks/QD-SN-0002/client.key"
check "orchestrator server cert matches its new key" key_matches \
  "$PKI/orchestrator/server.crt" "$PKI/orchestrator/server.key"
check_eq "new orchestrator key is 0600" "$(stat -c %a "$PKI/orchestrator/server.key")" 600
check_eq "loose key mode repaired" "$(stat -c %a "$PKI/partners/sms/client.key")" 600
check "agent data key remade" test -s "$PKI/keys/agent.key"
check_has "reissued QD-SN-9999 is revoked again" \
  "$(verify_crl "$PKI/kiosks/QD-SN-9999/client.crt" || true)" "certificate revoked"
# A rotated key file (a second key set appended by hand) is left alone.
printf '\nkey_id=2\nenc=%s\nmac=%s\n' "$(openssl rand -hex 32)" "$(openssl rand -hex 32)" \
  >>"$PKI/keys/agent.key"
before="$(snapshot "$PKI")"
must_run "run after repair" --out "$PKI"
check_unchanged "run after repair changed nothing" "$PKI" "$before"
cp -p "$PKI/keys/orchestrator.key" "$TMP/orchestrator.key"
printf 'enc=not-a-key\n' >>"$PKI/keys/orchestrator.key"
before="$(snapshot "$PKI")"
check_not "a malformed data key stops the script" run_pki --out "$PKI"
check_has "the refusal names the file" "$LAST_OUTPUT" "keys/orchestrator.key is not a data key"
check_unchanged "a malformed data key is not replaced" "$PKI" "$before"
cp -p "$TMP/orchestrator.key" "$PKI/keys/orchestrator.key"

# ---------------------------------------------------------------- --add-kiosk, --revoke-kiosk

must_run "--add-kiosk" --out "$PKI" --add-kiosk QD-HD-0042 CCBQD
added="$PKI/kiosks/QD-HD-0042/client.crt"
check "added kiosk passes the CRL check" verify_crl "$added"
check_eq "added kiosk subject" "$(subject "$added")" "subject=/C=CN/O=CCBQD/OU=kiosk/CN=QD-HD-0042"
check_eq "added kiosk key mode" "$(stat -c %a "$PKI/kiosks/QD-HD-0042/client.key")" 600
before="$(snapshot "$PKI")"
must_run "--add-kiosk again" --out "$PKI" --add-kiosk QD-HD-0042 CCBQD
check_unchanged "--add-kiosk again changed nothing" "$PKI" "$before"
check_not "--add-kiosk with another bank needs --force" \
  run_pki --out "$PKI" --add-kiosk QD-HD-0042 BOCQD
check_unchanged "refused --add-kiosk changed nothing" "$PKI" "$before"

crl_entries() { openssl crl -in "$PKI/ca.crl" -noout -text | grep -c 'Serial Number:'; }
entries_before="$(crl_entries)"
cp "$PKI/ca.crl" "$TMP/stale.crl"
must_run "--revoke-kiosk" --out "$PKI" --revoke-kiosk QD-HD-0042
check_has "revoked kiosk fails the CRL check" "$(verify_crl "$added" || true)" \
  "certificate revoked"
check "other kiosks still pass" verify_crl "$PKI/kiosks/QD-SN-0001/client.crt"
check_eq "CRL gained one entry" "$(crl_entries)" $((entries_before + 1))
before="$(snapshot "$PKI")"
must_run "--revoke-kiosk again" --out "$PKI" --revoke-kiosk QD-HD-0042
check_has "second revoke says so" "$LAST_OUTPUT" "already revoked"
check_unchanged "second revoke changed nothing" "$PKI" "$before"
must_run "third run keeps the revocation" --out "$PKI"
check_has "revocation survives a normal run" "$(verify_crl "$added" || true)" "certificate revoked"
cp -p "$TMP/stale.crl" "$PKI/ca.crl"
must_run "run with a CRL that misses a revocation" --out "$PKI"
check_has "a stale CRL is replaced" "$(verify_crl "$added" || true)" "certificate revoked"

check_not "re-adding a revoked kiosk needs --force" \
  run_pki --out "$PKI" --add-kiosk QD-HD-0042 CCBQD
old_key_hash="$(file_hash "$PKI/kiosks/QD-HD-0042/client.key")"
must_run "--add-kiosk --force replaces a revoked kiosk" --out "$PKI" --force \
  --add-kiosk QD-HD-0042 CCBQD
check "replaced kiosk passes the CRL check" verify_crl "$added"
check_not "replaced kiosk has a new key" \
  test "$(file_hash "$PKI/kiosks/QD-HD-0042/client.key")" = "$old_key_hash"
check_has "QD-SN-9999 is still revoked" \
  "$(verify_crl "$PKI/kiosks/QD-SN-9999/client.crt" || true)" "certificate revoked"

# ---------------------------------------------------------------- errors

check_not "bad kiosk id is refused" run_pki --out "$PKI" --add-kiosk "../evil" BOCQD
check_not "bad bank code is refused" run_pki --out "$PKI" --add-kiosk QD-SN-0100 "bank of"
check_not "revoking an unknown kiosk fails" run_pki --out "$PKI" --revoke-kiosk QD-SN-0100
check_not "unknown option fails" run_pki --out "$PKI" --frobnicate
check_not "--add-kiosk needs an existing PKI" \
  run_pki --out "$TMP/absent" --add-kiosk QD-SN-0100 BOCQD
check_not "--add-kiosk did not create a PKI" test -e "$TMP/absent"
check_not "the revoked fixture id is reserved" \
  run_pki --out "$TMP/reserved" --kiosks "QD-SN-9999:BOCQD"

# ---------------------------------------------------------------- --kiosks and default --out

must_run "--kiosks" --out "$TMP/custom" --kiosks "QD-XX-0001:ABCQD QD-XX-0002:ABCQD"
check_eq "custom kiosk subject" "$(subject "$TMP/custom/kiosks/QD-XX-0002/client.crt")" \
  "subject=/C=CN/O=ABCQD/OU=kiosk/CN=QD-XX-0002"
check "revoked fixture is always made" test -s "$TMP/custom/kiosks/QD-SN-9999/client.crt"
check_not "default kiosks are not made with --kiosks" test -e "$TMP/custom/kiosks/QD-SN-0001"

mkdir -p "$TMP/repo/certs" "$TMP/elsewhere"
cp "$SCRIPT" "$TMP/repo/certs/"
if (cd "$TMP/elsewhere" && bash "$TMP/repo/certs/make-dev-pki.sh" >/dev/null 2>&1); then
  pass
else
  fail "run without --out"
fi
check "default --out is var/pki in the repository" test -s "$TMP/repo/var/pki/ca.crt"
check_not "nothing is written in the working directory" test -e "$TMP/elsewhere/var"

# ---------------------------------------------------------------- --force

old_fingerprint="$(fingerprint "$PKI/ca.crt")"
data_key_hash="$(file_hash "$PKI/keys/orchestrator.key")"
must_run "--force" --out "$PKI" --force
check_not "--force makes a new CA" test "$(fingerprint "$PKI/ca.crt")" = "$old_fingerprint"
check_eq "--force keeps the data keys" "$(file_hash "$PKI/keys/orchestrator.key")" \
  "$data_key_hash"
check "leaves chain to the new CA" verify_crl "$PKI/kiosks/QD-SN-0001/client.crt"
check_has "QD-SN-9999 revoked under the new CA" \
  "$(verify_crl "$PKI/kiosks/QD-SN-9999/client.crt" || true)" "certificate revoked"
check_not "--force drops kiosks added by hand" test -e "$PKI/kiosks/QD-HD-0042"

trap - ERR
echo "pki_dev_script: $CHECKS checks, $FAILURES failed"
if ((FAILURES > 0)); then
  exit 1
fi
