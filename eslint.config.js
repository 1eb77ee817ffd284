import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NO_BARRELS = { selector: 'ExportAllDeclaration', message: 'No barrels: import from the module that defines the symbol.' };

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'demo-data/', 'coverage/', 'bench/results/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-restricted-syntax': ['error', NO_BARRELS],
    },
  },
  {
    // Controllers translate HTTP and call a query or a command, nothing else: the SQL is in the
    // query class beside the read model it reads (*.query.ts), never in a controller.
    files: ['src/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/database/**'], message: 'A controller runs no SQL: call a query class (*.query.ts beside its read model) or a command.' }] },
      ],
      'no-restricted-syntax': [
        'error',
        NO_BARRELS,
        {
          selector: 'CallExpression[callee.property.name=/^(query|exec)$/]',
          message: 'A controller runs no SQL: call a query class (*.query.ts beside its read model) or a command.',
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'jest.config.js', 'scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // dependency-cruiser reads a CommonJS file: not in the TypeScript project.
    files: ['.dependency-cruiser.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'commonjs', globals: { module: 'readonly' } },
  },
);
