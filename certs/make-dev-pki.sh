#!/usr/bin/env bash
# Creates Kaiban's development PKI with the openssl CLI: a root CA with a real CA database and
# CRL, server and client certificates for the orchestrator, the partner systems and their
# simulators, kiosk client certificates, an unrelated CA for negative tests, and the data
# encryption key files. certs/README.md says what every file is for.
#
# Idempotent: a file that is present and valid is kept; a missing or invalid one is made again,
# reusing the CA key (and a leaf's key) when it exists. Private keys are born 0600.
# Run with --help for the options.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly REPO_ROOT

readonly CA_DAYS=3650
readonly LEAF_DAYS=825
readonly CRL_DAYS=365
# A certificate or CRL this close to its end is treated as missing and made again.
readonly RENEW_DAYS=30

readonly CA_SUBJECT="/C=CN/O=Kaiban Development/OU=dev-pki/CN=Kaiban Dev Root CA"
readonly OTHER_CA_SUBJECT="/C=CN/O=Unrelated Test Organisation/OU=test-only/CN=Kaiban Test Other CA"
readonly SERVER_CN="localhost"

readonly DEFAULT_KIOSKS="QD-SN-0001:BOCQD QD-SN-0002:BOCQD QD-LS-0001:ICBCQD"
# The kiosk kept revoked so that tests can prove the CRL is enforced.
readonly REVOKED_KIOSK="QD-SN-9999"
readonly REVOKED_KIOSK_BANK="BOCQD"
# The stranger impersonates a real kiosk id: only the issuing CA tells it apart.
readonly STRANGER_SUBJECT="/C=CN/O=BOCQD/OU=kiosk/CN=QD-SN-0001"

readonly PARTNERS=(registry seal bank tax people-data sms)
declare -rA PARTNER_OWNER=(
  [registry]="Qingdao AMR"
  [seal]="Qingdao Public Security Bureau"
  [bank]="Bank of China Qingdao Branch"
  [tax]="Qingdao Municipal Tax Service"
  [people-data]="Qingdao Big Data Bureau"
  [sms]="Qingdao SMS Gateway"
)

usage() {
  cat <<EOF
Usage: certs/make-dev-pki.sh [--out DIR] [--kiosks "ID:BANK ..."] [--force]
       certs/make-dev-pki.sh [--out DIR] --add-kiosk ID BANK [--force]
       certs/make-dev-pki.sh [--out DIR] --revoke-kiosk ID

Creates or completes the development PKI (see certs/README.md). Safe to re-run: what is
present and valid is kept.

  --out DIR            where the PKI lives (default: var/pki in the repository; a relative
                       DIR is taken from the current directory)
  --kiosks "ID:BANK .."
                       kiosks to issue client certificates for
                       (default: "$DEFAULT_KIOSKS");
                       $REVOKED_KIOSK ($REVOKED_KIOSK_BANK) is always added and kept revoked
  --force              discard and rebuild the whole PKI, CA included; keys/ is kept
  --add-kiosk ID BANK  issue a client certificate for one more kiosk in an existing PKI;
                       with --force, replace a revoked or different-bank one
  --revoke-kiosk ID    revoke a kiosk's certificate and publish a new CRL
  -h, --help           this text
EOF
}

die() {
  echo "make-dev-pki: error: $*" >&2
  exit 1
}

# ---------------------------------------------------------------- progress

ISSUED=0
KEPT=0
CHANGES=0

# note LABEL TEXT: one line of progress for something that was written.
note() {
  printf '  %-32s %s\n' "$1" "$2"
  CHANGES=$((CHANGES + 1))
}

rel() { echo "${1#"$OUT/"}"; }

# ---------------------------------------------------------------- openssl plumbing

# ossl ARGS...: runs openssl quietly; on failure shows its output and stops.
ossl() {
  local output
  if ! output="$(openssl "$@" 2>&1)"; then
    echo "$output" >&2
    die "openssl $1 failed (arguments: ${*:2})"
  fi
}

# new_key PATH: a fresh P-256 private key, created 0600 and moved into place in one step.
new_key() {
  local path="$1" tmp="$1.tmp.$$"
  (umask 077 && ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp")
  mv -f "$tmp" "$path"
}

# key_ok PATH: the file holds a P-256 private key.
key_ok() {
  local text
  text="$(openssl pkey -in "$1" -noout -text_pub 2>/dev/null)" || return 1
  [[ $text == *"ASN1 OID: prime256v1"* ]]
}

# private_mode PATH: a private file that exists keeps mode 0600 (repairs a looser mode).
private_mode() {
  if [[ "$(stat -c %a "$1")" != 600 ]]; then
    chmod 600 "$1"
    note "$(rel "$1")" "mode set to 0600"
  fi
}

# prepare_key PATH: keeps a valid existing key (repairing its mode), else makes a new one.
# Returns 0 if the key was kept, 1 if it is new (certificates for the old one are then stale).
prepare_key() {
  local key="$1"
  if [[ -e $key ]]; then
    private_mode "$key"
    if key_ok "$key"; then
      return 0
    fi
    note "$(rel "$key")" "was not a P-256 key: replaced"
  fi
  new_key "$key"
  return 1
}

# cert_ok CRT KEY CAFILE PURPOSE SUBJECT: the certificate chains to CAFILE for PURPOSE, is not
# near its end, has exactly SUBJECT, and certifies KEY. Revocation is not considered here.
cert_ok() {
  local crt="$1" key="$2" ca="$3" purpose="$4" subject="$5"
  [[ -s $crt && -s $key ]] || return 1
  openssl verify -CAfile "$ca" -purpose "$purpose" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend $((RENEW_DAYS * 86400)) >/dev/null 2>&1 || return 1
  [[ "$(openssl x509 -in "$crt" -noout -subject -nameopt compat)" == "subject=$subject" ]] ||
    return 1
  [[ "$(openssl x509 -in "$crt" -noout -pubkey)" == "$(openssl pkey -in "$key" -pubout)" ]]
}

cert_serial() {
  local serial
  serial="$(openssl x509 -in "$1" -noout -serial)" || die "cannot read $1"
  echo "${serial#serial=}"
}

# ---------------------------------------------------------------- the CA

ca_config() {
  cat <<EOF
# Written by certs/make-dev-pki.sh; openssl ca runs with this directory as its working
# directory. Rewritten when the script's version differs.
[ca]
default_ca = kaiban_dev_ca

[kaiban_dev_ca]
dir = .
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = \$dir/../ca.crt
private_key = \$dir/ca.key
crlnumber = \$dir/crlnumber
serial = \$dir/serial
rand_serial = yes
default_md = sha256
default_days = $LEAF_DAYS
default_crl_days = $CRL_DAYS
crl_extensions = crl_ext
policy = policy_any
unique_subject = no
copy_extensions = none
preserve = yes
email_in_dn = no

[policy_any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[req]
distinguished_name = req_dn
prompt = no

[req_dn]

[root_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_cert]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[client_cert]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

# write_public PATH CONTENT: writes a non-secret file only when its content differs.
write_public() {
  if [[ -f $1 && "$(cat "$1")" == "$2" ]]; then
    return 0
  fi
  printf '%s\n' "$2" >"$1.tmp.$$"
  mv -f "$1.tmp.$$" "$1"
  note "$(rel "$1")" "written"
}

# self_sign KEY CRT SUBJECT LABEL: a root certificate for KEY.
self_sign() {
  local key="$1" crt="$2" subject="$3"
  ossl req -x509 -new -key "$key" -subj "$subject" -days "$CA_DAYS" -sha256 \
    -config "$CA_DIR/openssl.cnf" -extensions root_ca -out "$crt.tmp.$$"
  mv -f "$crt.tmp.$$" "$crt"
}

# root_ok CRT KEY SUBJECT: a self-signed root for KEY with SUBJECT, not near its end.
root_ok() {
  local crt="$1" key="$2" subject="$3"
  [[ -s $crt ]] || return 1
  openssl verify -CAfile "$crt" "$crt" >/dev/null 2>&1 || return 1
  openssl x509 -in "$crt" -noout -checkend $((RENEW_DAYS * 86400)) >/dev/null 2>&1 || return 1
  [[ "$(openssl x509 -in "$crt" -noout -subject -nameopt compat)" == "subject=$subject" ]] ||
    return 1
  [[ "$(openssl x509 -in "$crt" -noout -pubkey)" == "$(openssl pkey -in "$key" -pubout)" ]]
}

ensure_ca() {
  mkdir -p "$CA_DIR/newcerts"
  chmod 700 "$CA_DIR"
  write_public "$CA_DIR/openssl.cnf" "$(ca_config)"
  local key="$CA_DIR/ca.key"
  if [[ -e $key ]]; then
    private_mode "$key"
    key_ok "$key" || die "$key is not a P-256 private key. Restore it, or rebuild the whole" \
      "PKI with --force."
  else
    # A new CA key is a new CA: its database starts empty and every leaf will be reissued.
    rm -f "$CA_DIR"/index.txt* "$CA_DIR"/crlnumber* "$CA_DIR"/serial* "$CA_DIR"/newcerts/*.pem
    rm -f "$OUT/ca.crl"
    new_key "$key"
    note "ca/ca.key" "new root CA key (every certificate will be issued anew)"
  fi
  [[ -f "$CA_DIR/index.txt" ]] || : >"$CA_DIR/index.txt"
  [[ -f "$CA_DIR/crlnumber" ]] || echo 01 >"$CA_DIR/crlnumber"
  if root_ok "$OUT/ca.crt" "$key" "$CA_SUBJECT"; then
    return 0
  fi
  self_sign "$key" "$OUT/ca.crt" "$CA_SUBJECT"
  note "ca.crt" "root CA \"Kaiban Dev Root CA\" (P-256, $CA_DAYS days)"
}

require_ca() {
  [[ -s "$OUT/ca.crt" && -s "$CA_DIR/ca.key" && -f "$CA_DIR/index.txt" ]] ||
    die "no development PKI in $OUT; create it first with certs/make-dev-pki.sh --out $OUT"
  key_ok "$CA_DIR/ca.key" || die "$CA_DIR/ca.key is not a P-256 private key"
  # Keeps the CA configuration current so that issuing below uses this script's profiles.
  write_public "$CA_DIR/openssl.cnf" "$(ca_config)"
}

# ---------------------------------------------------------------- leaves

# issue_by_dev_ca KEY CRT PROFILE SUBJECT: signs through `openssl ca`, so the index knows it.
issue_by_dev_ca() {
  local key="$1" crt="$2" profile="$3" subject="$4"
  ossl req -new -key "$key" -subj "$subject" -config "$CA_DIR/openssl.cnf" -out "$WORK/req.csr"
  (cd "$CA_DIR" && ossl ca -batch -config openssl.cnf -extensions "$profile" -notext \
    -in "$WORK/req.csr" -out "$crt.tmp.$$")
  mv -f "$crt.tmp.$$" "$crt"
}

# issue_by_other_ca KEY CRT PROFILE SUBJECT: the unrelated test CA has no database.
issue_by_other_ca() {
  local key="$1" crt="$2" profile="$3" subject="$4"
  ossl req -new -key "$key" -subj "$subject" -config "$CA_DIR/openssl.cnf" -out "$WORK/req.csr"
  ossl x509 -req -in "$WORK/req.csr" -CA "$OTHER_CA_CRT" -CAkey "$OTHER_CA_KEY" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$LEAF_DAYS" -sha256 \
    -extfile "$CA_DIR/openssl.cnf" -extensions "$profile" -out "$crt.tmp.$$"
  mv -f "$crt.tmp.$$" "$crt"
}

# ensure_leaf DIR NAME server|client SUBJECT [dev|other]: DIR/NAME.key and DIR/NAME.crt exist,
# match, and are signed for that use by the dev CA (or the unrelated test CA).
ensure_leaf() {
  local dir="$1" name="$2" use="$3" subject="$4" issuer="${5:-dev}"
  local key="$dir/$name.key" crt="$dir/$name.crt" ca="$OUT/ca.crt"
  [[ $issuer == dev ]] || ca="$OTHER_CA_CRT"
  mkdir -p "$dir"
  local purpose="ssl$use"
  if prepare_key "$key" && cert_ok "$crt" "$key" "$ca" "$purpose" "$subject"; then
    KEPT=$((KEPT + 1))
    return 0
  fi
  if [[ $issuer == dev ]]; then
    issue_by_dev_ca "$key" "$crt" "${use}_cert" "$subject"
  else
    issue_by_other_ca "$key" "$crt" "${use}_cert" "$subject"
  fi
  ISSUED=$((ISSUED + 1))
  local sans=""
  [[ $use == server ]] && sans=", SAN localhost 127.0.0.1 ::1"
  note "$(rel "$crt")" "${subject#/C=CN/} (${use}Auth$sans)"
}

ensure_server() { ensure_leaf "$1" server server "$2"; }
ensure_client() { ensure_leaf "$1" client client "$2"; }

kiosk_subject() { echo "/C=CN/O=$2/OU=kiosk/CN=$1"; }

ensure_kiosk() { ensure_client "$OUT/kiosks/$1" "$(kiosk_subject "$1" "$2")"; }

# ---------------------------------------------------------------- revocation and CRL

# is_revoked CRT: the CA database marks this certificate revoked.
is_revoked() {
  local serial
  serial="$(cert_serial "$1")"
  awk -F'\t' -v serial="$serial" '$1 == "R" && $4 == serial { found = 1 } END { exit !found }' \
    "$CA_DIR/index.txt"
}

# revoke CRT REASON: marks the certificate revoked in the CA database (not yet published).
revoke() {
  local crt="$1" reason="$2"
  (cd "$CA_DIR" && ossl ca -batch -config openssl.cnf -revoke "$crt" -crl_reason "$reason")
  note "$(rel "$crt")" "revoked ($reason)"
}

# crl_fresh: ca.crl is signed by ca.crt, lists exactly the certificates the CA database marks
# revoked, and is not near its next update.
crl_fresh() {
  local crl="$OUT/ca.crl"
  [[ -s $crl ]] || return 1
  local listed
  listed="$(openssl crl -in "$crl" -noout -text 2>/dev/null)" || return 1
  listed="$(awk '/Serial Number:/ { print $3 }' <<<"$listed" | sort)"
  [[ $listed == "$(awk -F'\t' '$1 == "R" { print $4 }' "$CA_DIR/index.txt" | sort)" ]] ||
    return 1
  local check
  check="$(openssl crl -in "$crl" -CAfile "$OUT/ca.crt" -noout 2>&1)" || return 1
  [[ $check == *"verify OK"* ]] || return 1
  local next
  next="$(openssl crl -in "$crl" -noout -nextupdate)" || return 1
  next="$(date -d "${next#nextUpdate=}" +%s)" || return 1
  ((next > $(date +%s) + RENEW_DAYS * 86400))
}

revoked_count() { awk -F'\t' '$1 == "R"' "$CA_DIR/index.txt" | wc -l; }

ensure_crl() {
  crl_fresh && return 0
  (cd "$CA_DIR" && ossl ca -batch -config openssl.cnf -gencrl -out "$OUT/ca.crl.tmp.$$")
  mv -f "$OUT/ca.crl.tmp.$$" "$OUT/ca.crl"
  note "ca.crl" "CRL revoking $(revoked_count) certificate(s), next update in $CRL_DAYS days"
}

# ---------------------------------------------------------------- data keys

# data_key_ok PATH: looks like a key file in the format of core/crypto/key_ring.h (key sets of
# key_id=, enc=<64 hex>, mac=<64 hex>; comments and blank lines). A coarse check that keeps the
# script from building on a wrong file; KeyRing::loadFile is the full parser.
data_key_ok() {
  local line ids=0 encs=0 macs=0 hex='[[:space:]]*[0-9a-fA-F]{64}[[:space:]]*'
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line%$'\r'}"
    if [[ $line =~ ^[[:space:]]*(#.*)?$ ]]; then
      continue
    elif [[ $line =~ ^[[:space:]]*key_id[[:space:]]*=[[:space:]]*[0-9]{1,3}[[:space:]]*$ ]]; then
      ids=$((ids + 1))
    elif [[ $line =~ ^[[:space:]]*enc[[:space:]]*=$hex$ ]]; then
      encs=$((encs + 1))
    elif [[ $line =~ ^[[:space:]]*mac[[:space:]]*=$hex$ ]]; then
      macs=$((macs + 1))
    else
      return 1
    fi
  done <"$1"
  ((ids > 0 && ids == encs && ids == macs))
}

# ensure_data_key PATH PURPOSE: makes a key file with one key set (key_id=1) if there is none.
# Never replaces an existing one, since stored data may depend on it (and rotation appends
# key sets to it by hand).
ensure_data_key() {
  local path="$1" purpose="$2"
  if [[ -e $path ]]; then
    private_mode "$path"
    data_key_ok "$path" || die "$path is not a data key file (format: certs/README.md)." \
      "It is never overwritten, because data encrypted with it would be lost; move it away" \
      "and re-run to get a new one."
    return 0
  fi
  local enc mac
  enc="$(openssl rand -hex 32)"
  mac="$(openssl rand -hex 32)"
  [[ $enc != "$mac" ]] || die "openssl rand returned the same 32 bytes twice"
  (umask 077 && printf '%s\n' \
    "# Kaiban data keys: $purpose. Mode 0600. Never commit, never put in the database." \
    "key_id=1" "enc=$enc" "mac=$mac" >"$path.tmp.$$")
  mv -f "$path.tmp.$$" "$path"
  note "$(rel "$path")" "$purpose (key_id=1: AES-256-GCM + HMAC-SHA-256 keys)"
}

# ---------------------------------------------------------------- commands

validate_kiosk_id() {
  [[ $1 =~ ^[A-Z0-9]+(-[A-Z0-9]+)*$ && ${#1} -le 32 ]] ||
    die "kiosk id '$1' is not valid: use upper-case letters, digits and single hyphens, like QD-SN-0001"
}

validate_bank() {
  [[ $1 =~ ^[A-Z0-9]{2,16}$ ]] ||
    die "bank code '$1' is not valid: use 2-16 upper-case letters or digits, like BOCQD"
}

force_rebuild() {
  echo "  --force: removing the PKI in $OUT (keys/ is kept: data encrypted with it stays readable)"
  rm -rf "$OUT/ca.crt" "$OUT/ca.crl" "$CA_DIR" "$OUT/orchestrator" "$OUT/partners" \
    "$OUT/kiosks" "$OUT/test"
}

create_all() {
  local -a kiosks
  read -r -a kiosks <<<"$KIOSKS"
  local entry
  for entry in "${kiosks[@]}"; do
    [[ $entry == *:* ]] || die "--kiosks entry '$entry' is not ID:BANK"
    validate_kiosk_id "${entry%%:*}"
    validate_bank "${entry#*:}"
    [[ ${entry%%:*} != "$REVOKED_KIOSK" ]] ||
      die "$REVOKED_KIOSK is the kiosk kept revoked for tests; choose another id"
  done

  echo "Kaiban development PKI in $OUT"
  if ((FORCE)); then
    force_rebuild
  fi
  ensure_ca

  ensure_server "$OUT/orchestrator" "/C=CN/O=Kaiban/OU=orchestrator/CN=$SERVER_CN"
  ensure_client "$OUT/orchestrator" "/C=CN/O=Kaiban/OU=orchestrator/CN=kaiban-orchestrator"

  local partner
  for partner in "${PARTNERS[@]}"; do
    local owner="${PARTNER_OWNER[$partner]}"
    ensure_client "$OUT/partners/$partner" "/C=CN/O=$owner/OU=partner/CN=$partner"
    ensure_server "$OUT/partners/$partner" "/C=CN/O=$owner/OU=simulator/CN=$SERVER_CN"
  done

  for entry in "${kiosks[@]}"; do
    ensure_kiosk "${entry%%:*}" "${entry#*:}"
  done
  ensure_kiosk "$REVOKED_KIOSK" "$REVOKED_KIOSK_BANK"
  local revoked_crt="$OUT/kiosks/$REVOKED_KIOSK/client.crt"
  is_revoked "$revoked_crt" || revoke "$revoked_crt" keyCompromise
  ensure_crl

  mkdir -p "$OUT/test"
  if prepare_key "$OTHER_CA_KEY" && root_ok "$OTHER_CA_CRT" "$OTHER_CA_KEY" "$OTHER_CA_SUBJECT"; then
    :
  else
    self_sign "$OTHER_CA_KEY" "$OTHER_CA_CRT" "$OTHER_CA_SUBJECT"
    note "test/other-ca.crt" "unrelated CA, for negative tests only"
  fi
  ensure_leaf "$OUT/test/stranger" client client "$STRANGER_SUBJECT" other

  mkdir -p "$OUT/keys"
  chmod 700 "$OUT/keys"
  ensure_data_key "$OUT/keys/orchestrator.key" "orchestrator data key"
  ensure_data_key "$OUT/keys/agent.key" "kiosk agent queue key"

  local total=$((ISSUED + KEPT))
  if ((CHANGES == 0)); then
    echo "PKI already present in $OUT ($total certificates checked, CRL revokes" \
      "$(revoked_count))"
  else
    echo "PKI ready in $OUT: $ISSUED certificate(s) issued, $KEPT kept"
  fi
}

add_kiosk() {
  local id="$1" bank="$2"
  validate_kiosk_id "$id"
  validate_bank "$bank"
  require_ca
  local dir="$OUT/kiosks/$id" subject
  subject="$(kiosk_subject "$id" "$bank")"
  if [[ -s "$dir/client.crt" ]] &&
    openssl verify -CAfile "$OUT/ca.crt" "$dir/client.crt" >/dev/null 2>&1; then
    local problem=""
    if is_revoked "$dir/client.crt"; then
      problem="its certificate is revoked"
    elif [[ "$(openssl x509 -in "$dir/client.crt" -noout -subject -nameopt compat)" != \
      "subject=$subject" ]]; then
      problem="it has a certificate with another subject"
    fi
    if [[ -n $problem ]]; then
      ((FORCE)) || die "kiosk $id exists and $problem; add --force to replace it" \
        "(the old certificate is revoked and a new key is made)"
      is_revoked "$dir/client.crt" || revoke "$dir/client.crt" superseded
      rm -f "$dir/client.crt" "$dir/client.key"
    fi
  fi
  ensure_kiosk "$id" "$bank"
  ensure_crl
  if ((CHANGES == 0)); then
    echo "Kiosk $id ($bank) already present in $OUT"
  fi
}

revoke_kiosk() {
  local id="$1"
  validate_kiosk_id "$id"
  require_ca
  local crt="$OUT/kiosks/$id/client.crt"
  [[ -s $crt ]] || die "no certificate for kiosk $id in $OUT/kiosks/$id"
  openssl verify -CAfile "$OUT/ca.crt" "$crt" >/dev/null 2>&1 ||
    die "$crt was not issued by this PKI's CA (or has expired); nothing to revoke"
  if is_revoked "$crt"; then
    echo "Kiosk $id is already revoked"
  else
    revoke "$crt" keyCompromise
  fi
  ensure_crl
}

# ---------------------------------------------------------------- main

OUT=""
KIOSKS="$DEFAULT_KIOSKS"
FORCE=0
ACTION=create
ACTION_ARGS=()

need() { (($1 > $2)) || die "$3 needs $2 argument(s) (see --help)"; }

while (($# > 0)); do
  case "$1" in
    --out) need $# 1 "$1"; OUT="$2"; shift 2 ;;
    --kiosks) need $# 1 "$1"; KIOSKS="$2"; shift 2 ;;
    --force) FORCE=1; shift ;;
    --add-kiosk) need $# 2 "$1"; ACTION=add; ACTION_ARGS=("$2" "$3"); shift 3 ;;
    --revoke-kiosk) need $# 1 "$1"; ACTION=revoke; ACTION_ARGS=("$2"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done

command -v openssl >/dev/null || die "the openssl command is needed (Debian package: openssl)"
umask 022

if [[ -z $OUT ]]; then
  OUT="$REPO_ROOT/var/pki"
fi
if [[ $ACTION == create ]]; then
  mkdir -p "$OUT"
elif [[ ! -d $OUT ]]; then
  die "no development PKI in $OUT; create it first with certs/make-dev-pki.sh --out $OUT"
fi
OUT="$(cd "$OUT" && pwd)"
readonly OUT
readonly CA_DIR="$OUT/ca"
readonly OTHER_CA_CRT="$OUT/test/other-ca.crt"
readonly OTHER_CA_KEY="$OUT/test/other-ca.key"

# Two runs on the same directory would interleave CA database writes. Opening for append does
# not touch the lock file's mtime, so a no-op run leaves every mtime as it was.
if command -v flock >/dev/null; then
  exec 9>>"$OUT/.lock"
  flock 9
fi

WORK="$(mktemp -d)"
# An interrupted run leaves no half-written file where a real one is expected.
trap 'rm -rf "$WORK"; rm -f "$OUT"/*.tmp.$$ "$OUT"/*/*.tmp.$$ "$OUT"/*/*/*.tmp.$$' EXIT

case "$ACTION" in
  create) create_all ;;
  add) add_kiosk "${ACTION_ARGS[@]}" ;;
  revoke) revoke_kiosk "${ACTION_ARGS[@]}" ;;
esac
