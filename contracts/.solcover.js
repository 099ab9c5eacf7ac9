// solidity-coverage: measure src/ only (interfaces have no code). `npm run coverage` then
// scripts/check-coverage.ts enforces >= 95% lines and branches.
module.exports = {
  skipFiles: ['interfaces/'],
  istanbulReporter: ['json-summary', 'text-summary', 'html'],
  mocha: { timeout: 300000 },
};
