#!/usr/bin/env bash
# The whole test suite (README's test command runs this through `npm test`; so does CI).
# Unit tests, fixture and scenario tests, and the integration tests against the simulated fleet
# (real OpenSSH on loopback): nothing is skipped, a missing system package fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
node scripts/gen-types.mjs --check
npx tsc -p tsconfig.json --noEmit
npx tsc -p tsconfig.build.json

mkdir -p .kernfleet
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.kernfleet/test-results.json "$@" || status=$?
# One plain closing line that any CI log reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".kernfleet/test-results.json", "utf8"));
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
' || status=1
exit "$status"
