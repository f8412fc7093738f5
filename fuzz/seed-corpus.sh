#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the shared outside vectors.
set -euo pipefail
cd "$(dirname "$0")"
vectors=${SIGNCORE_VECTORS:-../../shared/vectors}
python3 - "$vectors" <<'PY'
import json, os, sys, hashlib
v = sys.argv[1]
def put(target, data):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    if isinstance(data, str): data = data.encode()
    open(f"corpus/{target}/{hashlib.sha1(data).hexdigest()}", "wb").write(data)
for name in os.listdir(f"{v}/jcs/input"):
    put("canonicalize", open(f"{v}/jcs/input/{name}", "rb").read())
for case in json.load(open(f"{v}/generated/jcs_cases.json")):
    put("canonicalize", case["input"])
for i, line in enumerate(open(f"{v}/generated/es6_numbers.txt")):
    if i % 500 == 0: put("canonicalize", line.split(",")[1].strip())
ks = json.load(open(f"{v}/generated/keystores.json"))
put("keystore", json.dumps(ks["valid"]["keystore"]))
for b in ks["broken"]: put("keystore", json.dumps(b["keystore"]))
for r in ks["raw"]: put("keystore", r["text"])
chains = json.load(open(f"{v}/generated/audit_chains.json"))
put("keystore", json.dumps(chains["ring"])); put("keystore", json.dumps(chains["signing_keys"]))
for s in chains["scenarios"]:
    put("chain", json.dumps(s["events"][:6]))
    put("chain", json.dumps(s["events"][0]))
PY
ls corpus | while read t; do echo "corpus/$t: $(ls corpus/$t | wc -l) files"; done
