# The two commands: `make run` and `make test`. Both install what is missing first.
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
CONFIG ?= deploy/intake.dev.yaml

.PHONY: run test build release bench deps check clean reliability reliability-broken fuzz

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Runs the daemon on the development config (webhook on 127.0.0.1:8080, everything under ./var).
run: build
	.build/debug/intake run --config $(CONFIG)

## Builds everything and runs every test, then the admin console in a headless Chromium
## (Tests/console, screenshots in .build/console-screenshots/). One test at a time: many tests start real servers
## (daemons, dovecot, PostgreSQL) and kill them at chosen moments; on two cores, running
## them side by side made timings meaningless (the whole run takes about 90 s either way).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel
	bash Tests/deploy/install_test.sh
	python3 Tests/console/console_browser_test.py .build/debug/intake

## Validates the config given by CONFIG.
check: build
	.build/debug/intake check --config $(CONFIG)

## Release build, then webhook throughput, latency, /healthz for scale, bytes written per
## request and store bytes per case, for realistic and for worst-case requests, then how
## fast the forwarder drains a 100 000-event backlog to the file sink (both layouts) and over HTTP,
## then hotline ingest rows/s and peak RSS beside sqlite3 .import, then messages/s taken
## from a 5 000-message dovecot mailbox, then dedup precision and recall on our labelled pairs
## and on the second, unseen set, classification accuracy (cross-validated and held out, per
## category), phone-number agreement with libphonenumber's vectors,
## then the store's size over 400 simulated days with retention and webhook req/s with the
## retention sweeper off, catching up on a backlog and steady (bench/retention.sh),
## then the cost of a dedup lookup with 10 000 and 1 000 000 cases stored (without and with
## store.mmap_mib), then start-to-ready time and idle RSS under a stand-in for systemd.
bench: release
	gcc -O2 -o bench/loadgen bench/loadgen.c -lpthread -lm
	bench/webhook.sh
	.build/release/intake-bench --sink file --layout batched --events 100000
	.build/release/intake-bench --sink file --layout per_event --events 100000
	.build/release/intake-bench --sink http --events 100000 --batch-size 100 --concurrency 4
	bench/hotline.sh
	bench/email.sh
	bench/retention.sh
	.build/release/intake-bench --dedup-pairs bench/dedup_pairs.jsonl
	.build/release/intake-bench --dedup-pairs bench/dedup_pairs_unseen.jsonl
	.build/release/intake-bench --classification channels/classification_examples.tsv --heldout bench/classification_heldout.tsv
	.build/release/intake-bench --phone-vectors bench/phone_vectors.tsv
	.build/release/intake-bench --dedup-lookup 10000,1000000 --mmap-mib 0,2048
	python3 bench/startup.py .build/release/intake

## Crash trials (TRIALS=50 SIGKILLs of the release daemon while all four channels take
## input) and outage trials (receiver down, PostgreSQL stopped, disk full); fails on any
## input lost or doubled. SEED=N repeats a run.
reliability: release
	python3 reliability/trials.py

## The crash trials against INTAKE_TEST_ACK_BEFORE_COMMIT=1 (the webhook answers before its
## commit): succeeds only when the trials find the losses, which shows the check can fail.
reliability-broken: release
	python3 reliability/trials.py --broken

FUZZ_SECS ?= 60
## libFuzzer + ASan targets for the MIME parser, the CSV reader with decoding, the webhook
## and visit JSON decoding and validation, and the enumeration splitter, FUZZ_SECS each;
## fails on any crash, timeout or out-of-memory (the inputs land in fuzz/.build/).
fuzz:
	FUZZ_SECS=$(FUZZ_SECS) fuzz/run.sh

clean:
	rm -rf .build var
