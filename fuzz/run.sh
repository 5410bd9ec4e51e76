#!/usr/bin/env bash
# Builds the libFuzzer targets for the parsers and runs each for a bounded time.
#
#   fuzz/run.sh                    build, then run every target FUZZ_SECS seconds (default 60)
#   FUZZ_SECS=300 fuzz/run.sh mime csv    only those targets, 5 minutes each
#   fuzz/run.sh --build-only       build only
#   fuzz/run.sh --replay DIR|FILE  run every target over saved inputs, no fuzzing
#
# Targets: mime (MIMEParser.parse), csv (CSVReader + CharsetConverter), webhook
# (JSONParser.parse + WebhookRequestDecoder.decode), visit (JSONParser.parse +
# VisitDecoder.decode + drafts), splitter (DemandSplitter.parts).
#
# Built with `swiftc -sanitize=fuzzer,address` straight from the sources (SANITIZE to change
# it, e.g. SANITIZE=fuzzer): each module the parsers need is compiled from the files they use
# (see MODULE_FILES below), not through SwiftPM, so nothing here touches .build or waits for
# its lock. swift-crypto is replaced by fuzz/stubs/Crypto.swift (a plain SHA-256).
#
# Corpora grow in fuzz/.build/corpus/<target> (seeded from the test fixtures, fuzz/seeds and
# fuzz/regressions, the inputs that once broke a target); inputs that crash, time out or run
# out of memory land in fuzz/.build/findings/<target>/. Exits non-zero when any target found
# something. Each fix of a finding gets a test in Tests/IntakeChannelsTests/FuzzRegressionTests.swift.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${FUZZ_OUT:-$here/.build}
export PATH=/opt/swift/usr/bin:$PATH
SWIFTC=${SWIFTC:-swiftc}
FUZZ_SECS=${FUZZ_SECS:-60}
SANITIZE=${SANITIZE:-fuzzer,address}
# -O keeps Swift's bounds and overflow checks; only -Ounchecked drops them.
OPT=${FUZZ_OPT:--O}
ALL_TARGETS=(mime csv webhook visit splitter)

build_only=0
replay=""
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --build-only) build_only=1 ;;
        --replay) replay=$2; shift ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")

S=$root/Sources
C=$S/IntakeChannels
declare -A MODULE_FILES=(
    [Crypto]="$here/stubs/Crypto.swift"
    [IntakeCore]="$(ls "$S"/IntakeCore/*.swift "$S"/IntakeCore/Messages/*.swift | tr '\n' ' ') $here/stubs/BundleModule.swift"
    [IntakePipeline]="$S/IntakePipeline/CaseDraft.swift $S/IntakePipeline/Demands/DemandSplitter.swift"
    [IntakeStore]="$S/IntakeStore/BlobStore.swift $S/IntakeStore/DurableFile.swift"
    [IntakeChannels]="$(ls "$C"/Email/MIME*.swift | tr '\n' ' ') $C/Email/MultipartSplitter.swift
        $C/Email/TransferDecoding.swift $C/Email/EncodedWords.swift $C/Email/MailAddress.swift
        $C/Email/MailDate.swift $C/Email/HTMLText.swift $C/Email/FlowedText.swift
        $C/AttachmentName.swift $C/FieldError.swift $C/Hotline/CSVReader.swift
        $C/Webhook/WebhookRequestDecoder.swift $C/HTTPIntake/IntakeRejection.swift $C/AttachmentContent.swift $C/JSONFieldReader.swift
        $C/Visit/VisitDecoder.swift $C/Visit/VisitDecoder+Drafts.swift
        $C/Visit/VisitRecord.swift"
)
MODULE_ORDER=(Crypto IntakeCore IntakePipeline IntakeStore IntakeChannels)
declare -A HARNESS=([mime]=MIME [csv]=CSV [webhook]=Webhook [visit]=Visit [splitter]=Splitter)
declare -A MAX_LEN=([mime]=65536 [csv]=16384 [webhook]=8192 [visit]=8192 [splitter]=4096)
declare -A DICT=([mime]=mime [csv]=csv [webhook]=json [visit]=json [splitter]=splitter)

mkdir -p "$out/lib"

# Rebuilds a step only when its inputs or flags changed.
stamp_ok() { [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$2" ]; }
# A step's fingerprint covers its files, the flags, the compiler and the steps before it.
fingerprint() { { echo "$SANITIZE $OPT $compiler $chain"; cat "$@"; } | sha256sum | cut -d' ' -f1; }

build() {
    compiler=$("$SWIFTC" --version 2>&1 | head -1)
    chain=""
    local flags=(-parse-as-library "$OPT" -I "$out/lib" -L "$out/lib" -module-cache-path "$out/module-cache"
        -I "$S/COpenCC" -I "$out/cphone")
    # IntakeCore imports two C modules: OpenCC's (a system module map in the tree) and the
    # libphonenumber shim, compiled here with its own module map (SwiftPM makes one for it).
    mkdir -p "$out/cphone"
    if ! stamp_ok "$out/cphone/shim" "$(cat "$S/CPhoneNumber/intake_phone.cpp" "$S/CPhoneNumber/include/intake_phone.h" | sha256sum)"; then
        clang++ -std=c++17 -O2 -fPIC -I "$S/CPhoneNumber/include" -c "$S/CPhoneNumber/intake_phone.cpp" -o "$out/cphone/intake_phone.o" &&
            ar rcs "$out/lib/libCPhoneNumber.a" "$out/cphone/intake_phone.o" || { echo "build: CPhoneNumber FAILED"; return 1; }
        printf 'module CPhoneNumber {\n    header "%s"\n    link "CPhoneNumber"\n    link "phonenumber"\n    link "stdc++"\n    export *\n}\n' \
            "$S/CPhoneNumber/include/intake_phone.h" > "$out/cphone/module.modulemap"
        cat "$S/CPhoneNumber/intake_phone.cpp" "$S/CPhoneNumber/include/intake_phone.h" | sha256sum > "$out/cphone/shim.stamp"
    fi
    for module in "${MODULE_ORDER[@]}"; do
        # shellcheck disable=SC2086
        local files=(${MODULE_FILES[$module]})
        local sanitize=(-sanitize="$SANITIZE")
        [ "$module" = Crypto ] && sanitize=()   # the stub is not under test
        local extra=()
        [ "$module" = IntakeChannels ] && extra=(-enable-testing)
        local print; print=$(fingerprint "${files[@]}")
        chain=$print
        if stamp_ok "$out/lib/$module" "$print"; then continue; fi
        echo "build: module $module (${#files[@]} files)"
        if ! "$SWIFTC" "${flags[@]}" "${sanitize[@]}" "${extra[@]}" -module-name "$module" -emit-module -emit-library -static \
            -o "$out/lib/lib$module.a" "${files[@]}" 2> "$out/lib/$module.log"; then
            grep -E "error" -A3 "$out/lib/$module.log" | head -40
            echo "build: module $module FAILED (log: $out/lib/$module.log)"; return 1
        fi
        echo "$print" > "$out/lib/$module.stamp"
    done
    for target in "${targets[@]}"; do
        local harness=$here/harness/${HARNESS[$target]}.swift
        local print; print=$(fingerprint "$harness" "$here/harness/Common.swift")
        if [ -x "$out/fuzz-$target" ] && stamp_ok "$out/fuzz-$target" "$print"; then continue; fi
        echo "build: fuzz-$target"
        if ! "$SWIFTC" "${flags[@]}" -sanitize="$SANITIZE" -module-name "Fuzz${HARNESS[$target]}" \
            "$harness" "$here/harness/Common.swift" \
            -lIntakeChannels -lIntakeStore -lIntakePipeline -lIntakeCore -lCrypto -lCPhoneNumber -lphonenumber -lopencc -lstdc++ \
            -o "$out/fuzz-$target" 2> "$out/fuzz-$target.log"; then
            grep -E "error" -A3 "$out/fuzz-$target.log" | head -40
            echo "build: fuzz-$target FAILED (log: $out/fuzz-$target.log)"; return 1
        fi
        echo "$print" > "$out/fuzz-$target.stamp"
    done
}

seed() {
    local target=$1 dir=$out/seeds/$target
    rm -rf "$dir"; mkdir -p "$dir"
    case $target in
        mime) cp "$root"/Tests/IntakeChannelsTests/Fixtures/email/*.eml "$dir"/ ;;
        csv) cp "$root"/Tests/IntakeDaemonTests/Fixtures/hotline/*.csv "$root"/Tests/IntakeDaemonTests/Fixtures/hotline/*.tsv "$dir"/ ;;
        # The other JSON channel's bodies are near misses worth starting from.
        visit) cp "$here"/seeds/webhook/* "$dir"/ ;;
        webhook) cp "$here"/seeds/visit/* "$dir"/ ;;
    esac
    [ -d "$here/seeds/$target" ] && cp "$here/seeds/$target"/* "$dir"/
    # Each target also starts from the inputs that broke it before.
    [ -d "$here/regressions/$target" ] && cp "$here/regressions/$target"/* "$dir"/ 2>/dev/null
    true
}

build || exit 2
[ "$build_only" = 1 ] && exit 0

# detect_leaks=0: the Swift runtime keeps metadata caches for the life of the process.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:handle_abort=1}
# Swift's own crash backtracer reads the stack from a helper thread, which ASan reports
# as a second, unrelated error; libFuzzer prints the stack anyway.
export SWIFT_BACKTRACE=enable=no

if [ -n "$replay" ]; then
    status=0
    for target in "${targets[@]}"; do
        echo "== $target: replaying $replay"
        "$out/fuzz-$target" -runs=1 "$replay" > "$out/replay-$target.log" 2>&1 || { status=1; tail -30 "$out/replay-$target.log"; }
    done
    exit $status
fi

status=0
summary=()
for target in "${targets[@]}"; do
    corpus=$out/corpus/$target findings=$out/findings/$target
    mkdir -p "$corpus" "$findings"
    seed "$target"
    before=$(ls "$findings" | wc -l)
    log=$out/fuzz-$target.run.log
    echo "== $target: fuzzing ${FUZZ_SECS}s (log: $log)"
    "$out/fuzz-$target" "$corpus" "$out/seeds/$target" \
        -max_total_time="$FUZZ_SECS" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2560}" \
        -max_len="${MAX_LEN[$target]}" -dict="$here/dicts/${DICT[$target]}.dict" \
        -artifact_prefix="$findings/" -print_final_stats=1 -detect_leaks=0 ${FUZZ_ARGS:-} > "$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    new=$(( $(ls "$findings" | wc -l) - before ))
    kinds=$(ls -t "$findings" | head -n "$new" | sed 's/-.*//' | sort | uniq -c | awk '{printf "%s %s ", $1, $2}')
    line=$(printf '%-9s %10s execs  corpus %5s  findings %s' "$target" "${execs:-?}" "$(ls "$corpus" | wc -l)" "${new}${kinds:+ ($kinds)}")
    if [ $rc -ne 0 ] || [ "$new" -gt 0 ]; then
        status=1
        line="$line  FAILED rc=$rc"
        grep -E "ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|invariant broken|SUMMARY" "$log" | head -5 | sed 's/^/    /'
        ls -t "$findings" | head -n "$new" | sed "s|^|    $findings/|"
    fi
    echo "$line"
    summary+=("$line")
done
echo
echo "== fuzz summary (${FUZZ_SECS}s per target, sanitize=$SANITIZE)"
printf '%s\n' "${summary[@]}"
exit $status
