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
# c_api: [selector, capacity byte] + an input of the matching kind
import glob
def read(name):
    try:
        return open(name, "rb").read()
    except FileNotFoundError:  # a running fuzzer may have just reduced it away
        return None
for name in sorted(glob.glob("corpus/canonicalize/*"))[:150]:
    if (data := read(name)) is not None: put("c_api", b"\x00\x20" + data)
for name in sorted(glob.glob("corpus/keystore/*"))[:150]:
    if (data := read(name)) is not None:
        put("c_api", b"\x01\x10" + data); put("c_api", b"\x02\x04" + data)
for name in sorted(glob.glob("corpus/chain/*"))[:150]:
    if (data := read(name)) is not None: put("c_api", b"\x03\x08" + data)
put("c_api", b"\x05\x10" + b"00ff" * 16)
PY
ls corpus | while read t; do echo "corpus/$t: $(ls corpus/$t | wc -l) files"; done
