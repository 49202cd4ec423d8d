/**
 * Jest runs in native ESM mode (node --experimental-vm-modules): Nest 12 packages are ESM-only and
 * Jest's CommonJS mode cannot load them on Node 20. SWC transpiles TypeScript with decorator metadata.
 */
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
    target: 'es2023',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleNameMapper: {
    '^@app/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@app/prompts$': '<rootDir>/libs/prompts/src/index.ts',
    '^@app/inference$': '<rootDir>/libs/inference/src/index.ts',
    '^@app/http-security$': '<rootDir>/libs/http-security/src/index.ts',
    '^@app/sandbox$': '<rootDir>/libs/sandbox/src/index.ts',
    '^@app/config$': '<rootDir>/config/src/index.ts',
    '^@app/testing$': '<rootDir>/test/support/index.ts',
    '^@app/eval$': '<rootDir>/libs/eval/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{apps,libs,config,test,bench}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  collectCoverageFrom: ['{apps,libs,config}/**/src/**/*.ts', '!**/*.spec.ts', '!**/main.ts', '!**/index.ts'],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageThreshold: { global: { lines: 80 } },
  globalSetup: '<rootDir>/test/global-setup.mjs',
  testTimeout: 30000,
};
