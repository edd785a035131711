#!/usr/bin/env bash
# The drsim command as a user meets it: exit codes, messages, outputs. Usage: cli_test.sh DRSIM
set -uo pipefail
drsim=${1:?usage: cli_test.sh DRSIM_BINARY}
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}

# A run writes summary.json with the fingerprint it prints; the same run again is byte-identical.
"$drsim" run "$root/experiments/quickstart.toml" --out "$work/a" >"$work/a.out" 2>"$work/a.err"; code=$?
check "quickstart exits 0" test $code -eq 0
printed=$(awk '/^fingerprint:/ {print $2}' "$work/a.out")
check "the fingerprint is 16 hex digits" grep -Eq '^[0-9a-f]{16}$' <<<"$printed"
check "summary.json carries the printed fingerprint" grep -q "\"fingerprint\": \"$printed\"" "$work/a/summary.json"
check "the run says where its outputs are" grep -q "^outputs: $work/a (summary.json, calls.csv, events.pb, trace.pcap)" "$work/a.out"
check "the run says where the ladders are" grep -qx "ladder: $work/a/ladder-1.svg" "$work/a.out"
check "the run says where the pcap is and how to read it" grep -q "^pcap: $work/a/trace.pcap (tshark -r $work/a/trace.pcap -d tcp.port==5061,sip" "$work/a.out"
check "a short run prints no progress when stderr is not a terminal" test ! -s "$work/a.err"
"$drsim" run "$root/experiments/quickstart.toml" --out "$work/b" >/dev/null
check "two runs give byte-identical output folders" diff -r "$work/a" "$work/b"
other=$("$drsim" run "$root/experiments/quickstart.toml" --out "$work/c" --seed 43 | awk '/^fingerprint:/ {print $2}')
check "--seed changes the fingerprint" test "$other" != "$printed"
check "--seed is recorded" grep -q '"seed": 43' "$work/c/summary.json"

# A [sweep] runs as a sweep: a folder per run and sweep.csv, the same bytes on one thread or three.
sed 's|^dir = .*|dir = "'"$work"'/out-sweep"|; s|^topology = .*|topology = "'"$root"'/topologies/contoso-basic.toml"|' "$root/experiments/quickstart.toml" >"$work/sweep.toml"
printf '[sweep]\nreplications = 3\n' >>"$work/sweep.toml"
"$drsim" run "$work/sweep.toml" --jobs 1 >"$work/sweep.out" 2>"$work/sweep.err"; code=$?
check "run: a sweep exits 0" test $code -eq 0
check "run: ... says what it ran" grep -q "^quickstart: sweep of 1 point x 3 replications: 3 runs on 1 thread$" "$work/sweep.out"
check "run: ... writes sweep.csv with a row per run" test "$(wc -l <"$work/out-sweep/sweep.csv")" -eq 4
check "run: ... and a run folder per replication" test -f "$work/out-sweep/point-0-rep-2/summary.json"
check "run: ... seeds replications seed, seed + 1, ..." grep -q '"seed": 43' "$work/out-sweep/point-0-rep-1/summary.json"
"$drsim" run "$work/sweep.toml" --jobs 3 --out "$work/out-sweep-3" >/dev/null 2>&1
check "run: a sweep on 3 threads writes the same bytes" diff -r "$work/out-sweep" "$work/out-sweep-3"
"$drsim" run "$work/sweep.toml" --jobs 0 >/dev/null 2>&1; code=$?
check "run: --jobs 0 is bad input" test $code -eq 2

# A [sweep] of one point and one replication is still a sweep: its grid value applies.
sed 's|^dir = .*|dir = "'"$work"'/out-one-point"|; s|^topology = .*|topology = "'"$root"'/topologies/contoso-basic.toml"|' "$root/experiments/quickstart.toml" >"$work/one-point.toml"
printf '[sweep.grid]\n"link.contoso-hq|ms-amer.latency" = ["80ms"]\n' >>"$work/one-point.toml"
"$drsim" run "$work/one-point.toml" --jobs 1 >"$work/one-point.out" 2>&1
check "run: a one-point sweep writes sweep.csv and its run folder" test -f "$work/out-one-point/point-0-rep-0/summary.json"
check "run: ... with its grid value applied" bash -c "! diff -q '$work/out-one-point/point-0-rep-0/calls.csv' '$work/a/calls.csv' >/dev/null"

# The same sweep in two shards over one folder, then merged: the same bytes again.
for k in 0 1; do "$drsim" sweep "$work/sweep.toml" --shard $k/2 --out "$work/shards" >"$work/shard-$k.out" 2>&1; done
check "sweep: a shard says what it ran" grep -q "^quickstart: shard 1 of 2 of a sweep of 1 point x 3 replications: 1 run on 1 thread$" "$work/shard-1.out"
check "sweep: ... and writes its file" test -f "$work/shards/sweep-shard-0-of-2.csv"
"$drsim" merge "$work/shards" >"$work/merge.out" 2>&1; code=$?
check "merge: exits 0" test $code -eq 0
check "merge: the merged folder is the whole sweep's, byte for byte" diff -r "$work/out-sweep" "$work/shards"
check "merge: ... with the sweep's fingerprint" test "$(grep '^fingerprint:' "$work/merge.out")" = "$(grep '^fingerprint:' "$work/sweep.out")"
"$drsim" merge "$work/shards" >/dev/null 2>"$work/merge.err"; code=$?
check "merge: a folder without shard files is bad input" bash -c "test $code -eq 2 && grep -q 'no sweep-shard-K-of-N.csv' '$work/merge.err'"
"$drsim" sweep "$work/sweep.toml" --shard 2/2 >/dev/null 2>"$work/shard.err"; code=$?
check "sweep: --shard 2/2 is bad input" bash -c "test $code -eq 2 && grep -q 'K/N with 0 <= K < N' '$work/shard.err'"
"$drsim" sweep --help >"$work/sweep-help.out"; code=$?
check "sweep --help documents every flag" bash -c "test $code -eq 0 && for f in --shard --out --seed --jobs --progress; do grep -q -- \$f '$work/sweep-help.out' || exit 1; done"

# Bad input: exit 2, file:line:column, nothing written.
bad() {  # bad NAME EXPECTED_STDERR_REGEX TOML
  local name=$1 expected=$2 file=$work/$1.toml
  printf '%s\n' "$3" >"$file"
  "$drsim" run "$file" --out "$work/out-$name" >/dev/null 2>"$work/$name.err"; local code=$?
  check "$name: exit code 2" test $code -eq 2
  check "$name: message names the place ($(cat "$work/$name.err"))" grep -Eq "$expected" "$work/$name.err"
  check "$name: nothing written" test ! -e "$work/out-$name"
  "$drsim" validate "$file" >/dev/null 2>&1; code=$?
  check "$name: validate exits 2 too" test $code -eq 2
}
bad unknown_key "unknown_key.toml:3:1: error: unknown key \"sed\" in \[experiment\]" $'[experiment]\nname = "x"\nsed = 42'
bad bad_duration "bad_duration.toml:3:12: error: key \"duration\": duration \"5 parsecs\"" $'[experiment]\nname = "x"\nduration = "5 parsecs"'
bad wrong_type "wrong_type.toml:3:8: error: key \"seed\" must be a non-negative integer" $'[experiment]\nname = "x"\nseed = "42"'
bad syntax "syntax.toml:2:" $'[experiment]\nname = \n'
bad unknown_table "unknown_table.toml:3:2: error: unknown table or key \"experimnt\"" $'[experiment]\nname = "x"\n[experimnt]'
bad bad_start "bad_start.toml:3:9: error: key \"start\"" $'[experiment]\nname = "x"\nstart = "yesterday"'
bad missing_topology "missing_topology.toml:3:12: error: topology file .*nowhere.toml does not exist" $'[experiment]\nname = "x"\ntopology = "nowhere.toml"'

# Flags a user can get wrong: exit 2 before anything runs.
for seed in -1 18446744073709551616 "" 12abc; do
  "$drsim" run "$root/experiments/quickstart.toml" --seed "$seed" --out "$work/out-seed" >/dev/null 2>"$work/seed.err"; code=$?
  check "run: --seed '$seed' is bad input" bash -c "test $code -eq 2 && grep -q 'a seed is a whole number from 0 to 18446744073709551615' '$work/seed.err' && test ! -e '$work/out-seed'"
done
"$drsim" run "$root/experiments/quickstart.toml" --seed 18446744073709551615 --out "$work/out-seed" >/dev/null 2>&1; code=$?
check "run: --seed 2^64 - 1 is a seed" bash -c "test $code -eq 0 && grep -q '\"seed\": 18446744073709551615' '$work/out-seed/summary.json'"
"$drsim" run "$root/experiments/quickstart.toml" --jobs 0 >/dev/null 2>"$work/jobs.err"; code=$?
check "run: --jobs 0 says what --jobs wants" bash -c "test $code -eq 2 && grep -q 'at least 1' '$work/jobs.err'"
# --out never deletes what drsim did not write: a file, a folder of the user's.
printf 'x\n' >"$work/a-file"
mkdir -p "$work/notes" && printf 'mine\n' >"$work/notes/notes.txt"
for target in "$work/a-file" "$work/notes"; do
  "$drsim" run "$root/experiments/quickstart.toml" --out "$target" >/dev/null 2>"$work/out.err"; code=$?
  check "run: --out $(basename "$target") is refused, exit 2" bash -c "test $code -eq 2 && grep -q 'drsim replaces only folders it wrote' '$work/out.err'"
done
check "run: ... and the file and the notes are still there" bash -c "test \"\$(cat '$work/a-file')\" = x && test -f '$work/notes/notes.txt'"
"$drsim" run "$root/experiments/quickstart.toml" --out "$work/a" >/dev/null 2>&1; code=$?
check "run: an earlier run's folder is replaced" test $code -eq 0

"$drsim" run "$work/does-not-exist.toml" >/dev/null 2>"$work/missing.err"; code=$?
check "a missing file exits 2" test $code -eq 2
check "a missing file is named" grep -q "does-not-exist.toml" "$work/missing.err"
"$drsim" frobnicate >/dev/null 2>&1; code=$?
check "an unknown command exits 2" test $code -eq 2
"$drsim" validate "$root/experiments/quickstart.toml" >"$work/valid.out"; code=$?
check "validate accepts the quickstart" test $code -eq 0
"$drsim" run --help >"$work/help.out"; code=$?
check "run --help documents every flag" bash -c "test $code -eq 0 && grep -q -- --out '$work/help.out' && grep -q -- --seed '$work/help.out' && grep -q -- --progress '$work/help.out' && grep -q -- --jobs '$work/help.out'"

# drsim lint: 0 compliant, 1 a Direct Routing rule broken (with Microsoft's answer), 2 malformed.
crlf() { printf '%s\r\n' "$@"; }
crlf "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0" "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKabc" \
  "Max-Forwards: 70" "From: <sip:sbc1.contoso.com>;tag=1" "To: <sip:sip.pstnhub.microsoft.com>" \
  "Call-ID: abc@sbc1.contoso.com" "CSeq: 1 OPTIONS" "Contact: <sip:sbc1.contoso.com:5061;transport=tls>" \
  "Content-Length: 0" "" >"$work/ok.sip"
sed 's/sip:sbc1.contoso.com:5061;transport=tls/sip:203.0.113.10:5061;transport=tls/' "$work/ok.sip" >"$work/ip.sip"
sed 's|:5061 SIP/2.0|:5061 SIP/3.0|' "$work/ok.sip" >"$work/version.sip"
cat "$work/ok.sip" "$work/ip.sip" >"$work/stream.sip"
"$drsim" lint "$work/ok.sip" >"$work/lint.out"; code=$?
check "lint: a compliant OPTIONS exits 0" test $code -eq 0
"$drsim" lint "$work/ip.sip" >"$work/lint.out"; code=$?
check "lint: an IP address in Contact exits 1" test $code -eq 1
check "lint: ... and names Microsoft's 403" grep -q "Contact host 203.0.113.10 is an IP address.*403 Forbidden" "$work/lint.out"
"$drsim" lint "$work/version.sip" >"$work/lint.out"; code=$?
check "lint: SIP/3.0 is not well-formed: exit 2" test $code -eq 2
check "lint: ... at line:column with Microsoft's 549002" grep -q "at 1:44: .*SIP/3.0.*549002 Invalid request/response" "$work/lint.out"
"$drsim" lint "$work/stream.sip" >"$work/lint.out"; code=$?
check "lint: a stream of two messages reports the second one's problem" bash -c "test $code -eq 1 && grep -q 'message 2 (line 11)' '$work/lint.out'"
: >"$work/empty.sip"
"$drsim" lint "$work/empty.sip" >/dev/null 2>"$work/lint.err"; code=$?
check "lint: an empty file holds no message: exit 2" bash -c "test $code -eq 2 && grep -q 'holds no SIP message' '$work/lint.err'"
"$drsim" lint "$work" >/dev/null 2>"$work/lint.err"; code=$?
check "lint: a folder is bad input, not a crash" bash -c "test $code -eq 2 && grep -q 'a folder, not a file' '$work/lint.err'"
grep -v '^Max-Forwards' "$work/ok.sip" >"$work/no-max-forwards.sip"
"$drsim" lint "$work/no-max-forwards.sip" >"$work/lint.out"; code=$?
check "lint: a request without Max-Forwards breaks RFC 3261: exit 1" bash -c "test $code -eq 1 && grep -q 'max-forwards-missing' '$work/lint.out'"
"$drsim" lint "$work/none.sip" >/dev/null 2>&1; code=$?
check "lint: a missing file exits 2" test $code -eq 2

# explain: the one code table the models use, as a voice engineer reads it.
"$drsim" explain 569008 >"$work/explain.out"; code=$?
check "explain 569008 exits 0" test $code -eq 0
check "explain 569008 gives the call record phrase" grep -q "^569008  SIP 504  Unable to deliver INVITE: Outbound TLS negotiation failed. Remote certificate expired; HRESULT=0x80090328 SEC_E_CERT_EXPIRED$" "$work/explain.out"
check "explain 569008 says to renew the certificate" grep -q "^    - Renew the SBC certificate.$" "$work/explain.out"
"$drsim" explain 569002 >"$work/explain.out"; code=$?
check "explain 569002 lists its five causes" test "$(grep -c '^569002' "$work/explain.out")" -eq 5
"$drsim" explain 999999 >/dev/null 2>"$work/explain.err"; code=$?
check "explain of an unknown code exits 2" test $code -eq 2
check "explain of an unknown code lists the known ones" grep -q "not a Microsoft response code drsim produces (known: 1106, 10037, 500001" "$work/explain.err"
"$drsim" explain 56x008 >/dev/null 2>&1; code=$?
check "explain of a non-number exits 2" test $code -eq 2

# drsim validate: a topology or an experiment (with its topology); 0 and what it holds, or 2
# and every problem at file:line:column.
contoso="topology contoso-basic: 5 sites, 4 links, 1 DNS record, 1 CA, 1 certificate, 3 datacenters, 1 SBC, 1 tenant, 2001 users, 1 carrier, 5 firewall rules"
"$drsim" validate "$root/topologies/contoso-basic.toml" >"$work/validate.out"; code=$?
check "validate: a topology exits 0" test $code -eq 0
check "validate: ... and says what it holds" grep -qxF "ok: $contoso" "$work/validate.out"
check "validate: the quickstart says what it holds" grep -qxF "ok: experiment quickstart: 5min from 2026-12-31T23:30:00Z, 2 calls, 0 workloads, 0 faults, 1 run; $contoso" "$work/valid.out"
mkdir -p "$work/topologies" "$work/experiments"
sed 's/^trunk = "carrier1"/trunk = "carrier9"/; s/^latency = "75ms"/latency = "75 ms"/' "$root/topologies/contoso-basic.toml" >"$work/topologies/broken.toml"
"$drsim" validate "$work/topologies/broken.toml" >/dev/null 2>"$work/broken.err"; code=$?
check "validate: a broken topology exits 2" test $code -eq 2
check "validate: ... with every problem in file order ($(tr '\n' ' ' <"$work/broken.err"))" \
  bash -c "test \$(wc -l <'$work/broken.err') -eq 2 && head -1 '$work/broken.err' | grep -q 'broken.toml:33:11: error: key \"latency\": duration \"75 ms\"' && tail -1 '$work/broken.err' | grep -q 'broken.toml:90:9: error: key \"trunk\": no \[\[carrier\]\] named \"carrier9\" (known: carrier1)'"
sed 's|^topology = .*|topology = "../topologies/broken.toml"|; s|^dir = .*|dir = "'"$work"'/out-broken-topology"|' "$root/experiments/quickstart.toml" >"$work/experiments/uses-broken.toml"
"$drsim" validate "$work/experiments/uses-broken.toml" >/dev/null 2>"$work/uses-broken.err"; code=$?
check "validate: an experiment on a broken topology exits 2 and names the topology file" \
  bash -c "test $code -eq 2 && grep -q '^$work/topologies/broken.toml:90:9: error' '$work/uses-broken.err'"
"$drsim" run "$work/experiments/uses-broken.toml" >/dev/null 2>&1; code=$?
check "run: an experiment on a broken topology exits 2 and writes nothing" bash -c "test $code -eq 2 && test ! -e '$work/out-broken-topology'"
sed 's|^dir = .*|dir = "'"$work"'/out-bad-fault"|; s|^topology = .*|topology = "'"$root"'/topologies/contoso-basic.toml"|' "$root/experiments/quickstart.toml" >"$work/bad-fault.toml"
printf '[[fault]]\nat = "4min"\nkind = "datacenter_down"\ntarget = "sbc1"\n' >>"$work/bad-fault.toml"
"$drsim" run "$work/bad-fault.toml" >/dev/null 2>"$work/bad-fault.err"; code=$?
check "run: a fault aimed at the wrong kind of thing exits 2 and writes nothing" bash -c "test $code -eq 2 && test ! -e '$work/out-bad-fault'"
check "run: ... and says what the fault kind targets" grep -q 'bad-fault.toml:34:10: error: key "target": datacenter_down faults target a \[\[datacenter\]\] name; "sbc1" is not one (known: amer, emea, apac)' "$work/bad-fault.err"
printf '[sites]\nname = "x"\n' >"$work/neither.toml"
"$drsim" validate "$work/neither.toml" >/dev/null 2>"$work/neither.err"; code=$?
check "validate: a file that is neither kind exits 2" bash -c "test $code -eq 2 && grep -q 'neither.toml:1:1: error: neither a topology file' '$work/neither.err'"
"$drsim" validate >/dev/null 2>&1; code=$?
check "validate: no file exits 2" test $code -eq 2
"$drsim" validate --keys >"$work/keys.md"; code=$?
check "validate --keys prints the key reference" bash -c "test $code -eq 0 && grep -q '^### \[\[sbc\]\]$' '$work/keys.md' && grep -q '^| \`options_interval\` | duration |' '$work/keys.md' && grep -q '^| \`sbc_malformed_sip\` |' '$work/keys.md'"

# The README's key reference is the output of `drsim validate --keys` (headings two levels
# deeper), so documentation and schema cannot drift apart.
"$drsim" validate --keys | sed 's/^#/###/' >"$work/keys.md"
awk '/^\(Generated by `drsim validate --keys`.\)$/{on=1; next} /^## /{on=0} on' "$root/README.md" >"$work/readme-keys.md"
check "README's key reference equals drsim validate --keys" diff -B -q "$work/readme-keys.md" "$work/keys.md"

echo "cli: $passed passed, $failed failed"
test $failed -eq 0
