#!/usr/bin/env bash
# The whole test suite (README's test command runs this through `npm test`; so does CI).
# Unit tests, fixture and scenario tests, and the integration tests against the simulated fleet
# (real OpenSSH on loopback): nothing is skipped, a missing system package fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
bash scripts/setup-vm.sh
node scripts/gen-types.mjs --check
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.build.json

mkdir -p .kernfleet
rm -f .kernfleet/test-results-*.json
status=0
# Unit and fleet projects first; then the real-kernel VM suite on its own, because qemu's emulation needs
# both cores (run together, the fleet tests and the guest starve each other).
npx vitest run --reporter=default --reporter=json --outputFile.json=.kernfleet/test-results-main.json || status=$?
npx vitest run --config test/vm/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.kernfleet/test-results-vm.json || status=$?
# One plain closing line that any CI log reader understands.
node -e '
  const fs = require("fs");
  const files = ["main", "vm"].map((n) => `.kernfleet/test-results-${n}.json`);
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) { console.error(`no results from ${missing.join(", ")}`); process.exit(1); }
  const rs = files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = (k) => rs.reduce((n, r) => n + r[k], 0);
  console.log(`Tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
  if (rs.some((r) => r.numTotalTests === 0)) { console.error("a test project ran no test"); process.exit(1); }
' || status=1
exit "$status"
