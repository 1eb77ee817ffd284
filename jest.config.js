/**
 * Jest in ESM mode (NestJS 12 is ESM-only), TypeScript through @swc/jest.
 *
 * Three test files at once on this 2-core machine (see maxWorkers below). On the embedded database
 * each file has its own PGlite; on a PostgreSQL server each has its own schema, and a projection's
 * whenCaughtUp() waits for another file's open transaction rather than resolving too early.
 */

const config = {
  "testEnvironment": "node",
  "extensionsToTreatAsEsm": [
    ".ts"
  ],
  "moduleNameMapper": {
    "^(\\.{1,2}/.*)\\.js$": "$1"
  },
  "transform": {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        "jsc": {
          "parser": {
            "syntax": "typescript",
            "decorators": true
          },
          "transform": {
            "legacyDecorator": true,
            "decoratorMetadata": true
          },
          "target": "es2022",
          "experimental": {
            "keepImportAttributes": true
          }
        },
        "module": {
          "type": "es6"
        }
      }
    ],
    "node_modules/content-disposition/.+\\.js$": [
      "@swc/jest",
      {
        "module": {
          "type": "commonjs"
        }
      }
    ]
  },
  "testMatch": [
    "<rootDir>/src/**/*.spec.ts",
    "<rootDir>/test/**/*.int-spec.ts",
    "<rootDir>/test/**/*.e2e-spec.ts"
  ],
  "testTimeout": 60000,
  "transformIgnorePatterns": [
    "/node_modules/(?!content-disposition/)"
  ]
};

// Three files at once on this 2-core machine: many wait (on a browser, a server, a timer) more than
// they compute; JEST_WORKERS sets another number.
config.maxWorkers = Number(globalThis.process.env.JEST_WORKERS ?? 3);

export default config;
