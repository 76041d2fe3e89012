#!/bin/sh
# Verify one signed record or receipt with openssl, jq and coreutils (docs/evidence.md).
# usage: sh docs/evidence-verify.sh ITEM.json assent-keys.json [PREVIOUS-RECORD.json]
# Works in a scratch directory (writes key.pem, signed-input, signature, signed.json there).
set -eu
item=$1 keys=$2 prev=${3:-}
b64url() { tr '_-' '/+' | awk '{ n = length($0) % 4; if (n == 2) $0 = $0 "=="; else if (n == 3) $0 = $0 "="; print }' | base64 -d; }
jws=$(jq -r .jws "$item")
header=$(echo "$jws" | cut -d. -f1) payload=$(echo "$jws" | cut -d. -f2) sig=$(echo "$jws" | cut -d. -f3)
# 1. the key named by the JWS header, from the published JWKS, as a PEM public key
kid=$(printf %s "$header" | b64url | jq -r .kid)
x=$(jq -r --arg kid "$kid" '.keys[] | select(.kid == $kid) | .x' "$keys")
[ -n "$x" ] || { echo "key $kid is not in $keys"; exit 1; }
{ printf '\060\052\060\005\006\003\053\145\160\003\041\000'; printf %s "$x" | b64url; } |
  openssl pkey -pubin -inform DER -out key.pem
# 2. the signature over "header.payload"
printf %s "$header.$payload" > signed-input
printf %s "$sig" | b64url > signature
openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in signed-input -sigfile signature
# 3. the signed payload is the item itself (without jws)
printf %s "$payload" | b64url | jq -S . > signed.json
if jq -S 'del(.jws)' "$item" | cmp -s - signed.json; then echo "the item is what was signed"
else echo "the item differs from what was signed"; exit 1; fi
# 4. a record chains to the one before it: previous = sha256 of that record's signed payload
if [ -n "$prev" ]; then
  want=$(jq -r .previous "$item")
  got=$(jq -r .jws "$prev" | cut -d. -f2 | b64url | sha256sum | cut -d' ' -f1)
  if [ "$want" = "$got" ]; then echo "chained to $(jq -r .id "$prev")"; else echo "chain broken"; exit 1; fi
fi
# 5. a receipt's hash covers it without hash and jws
if jq -e 'has("hash")' "$item" >/dev/null; then
  got=$(printf %s "$payload" | b64url | jq -cS 'del(.hash)' | tr -d '\n' | sha256sum | cut -d' ' -f1)
  if [ "$got" = "$(jq -r .hash "$item")" ]; then echo "receipt hash matches"; else echo "receipt hash differs"; exit 1; fi
fi
