/**
 * Jest in ESM mode (NestJS 12 is ESM-only), TypeScript through @swc/jest.
 *
 * Workers: on the embedded database every test file has its own PGlite, so two files run at once
 * on this 2-core machine (CI time nearly halves). On a PostgreSQL server the files share one
 * cluster, whose snapshot horizon a long transaction of one file holds back for the others: the
 * projection tests wait for "caught up" and then assert, so they run one file at a time there.
 */
import process from 'node:process';

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

config.maxWorkers = process.env.DATABASE_URL ? 1 : 2;

export default config;
