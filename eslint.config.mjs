// ESLint flat config: typescript-eslint, type-aware (tsconfig.json for tasks/devkit/test/scripts/bench,
// hub/tsconfig.json for the hub), plus the import arrows of ARCHITECTURE.md as no-restricted-imports.
import js from '@eslint/js';
import fs from 'node:fs';
import path from 'node:path';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns (gitignore syntax, matched against the import specifier). */
const forbid = (...parts) =>
  parts.map((part) => ({
    group: [`**/${part}`, `**/${part}/**`, `${part}/**`],
    message: `This part may not import ${part}/: see ARCHITECTURE.md, "The arrows".`,
  }));

/** The same arrows for `require('…')` and `import('…')` with a literal specifier. */
const dynamicImports = (parts) => {
  const specifier = `/(^|\\/)(${parts.join('|')})(\\/|$)/`;
  const message = `This part may not import ${parts.join('/, ')}/: see ARCHITECTURE.md, "The arrows".`;
  return [
    { selector: `ImportExpression[source.value=${specifier}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${specifier}]`, message },
  ];
};

/** The task folders: each may import tasks/common, never another task; tasks/common imports no task. */
const TASKS = fs
  .readdirSync(path.join(import.meta.dirname, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'common')
  .map((d) => d.name);
const PRODUCT_FORBIDS = ['devkit', 'test', 'scripts', 'bench'];

/** One block per source part: which other parts it may never import. */
const BOUNDARIES = [
  { files: ['tasks/common/**/*.ts'], forbidden: [...PRODUCT_FORBIDS, 'hub', ...TASKS] },
  ...TASKS.map((name) => ({
    files: [`tasks/${name}/**/*.ts`],
    forbidden: [...PRODUCT_FORBIDS, 'hub', ...TASKS.filter((t) => t !== name)],
  })),
  { files: ['hub/**/*.ts', 'hub/**/*.tsx'], forbidden: PRODUCT_FORBIDS },
  { files: ['scripts/**/*.ts', 'bench/**/*.ts'], forbidden: ['test'] },
  { files: ['devkit/**/*.ts', 'devkit/**/*.js'], forbidden: ['test'] },
];

export default tseslint.config(
  {
    ignores: ['out/**', 'build/**', 'dist/**', 'node_modules/**', 'bench/results/**', 'test-results/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The project service finds the nearest tsconfig.json per file: the root one, or hub/tsconfig.json.
        projectService: { allowDefaultProject: ['eslint.config.mjs', 'scripts/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Kept on purpose (they are in the recommended set; named so nobody turns them off by accident).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // tsc already reports unused locals (noUnusedLocals); `_`-prefixed parameters are intentional.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // SDK and JSON boundaries are typed `any` by their libraries; options.ts narrows them once, so flagging every
      // use would mean rewriting the validated parsers into casts that add no safety.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Runner/Record<kind, factory> interfaces are async by contract; some implementations have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Template strings interpolate numbers and unions of literals throughout the messages; `${n}` is intended.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // Abort paths reject with `signal.reason` (typed any): the caller decides what a cancellation or timeout is.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
      // The OCI SDK's string enums (lifecycle states, TLS modes) are compared with the literals its API documents.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // Tests: mocha's `this` and chai-less assert patterns; sinon stubs are unbound methods by design.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Emulators and tests interpolate JSON taken from requests on purpose (names, paths, values echoed back as a
    // real API server would): a JSON value's default string form is what the service prints too.
    files: ['devkit/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      // Tests and emulators reach into loosely typed SDK and JSON objects; destructured helper methods are plain functions.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Plain JS (the ESLint config itself, scripts/system-deps.js, the fake host page): no type information needed.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/system-deps.js', 'scripts/side-by-side.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
      },
    },
    // A CommonJS script run by plain `node` before anything is compiled: require() is its import.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['devkit/ado-host/host.js'],
    languageOptions: {
      sourceType: 'module',
      globals: {
        URL: 'readonly',
        window: 'readonly',
        location: 'readonly',
        URLSearchParams: 'readonly',
        console: 'readonly',
        document: 'readonly',
        setTimeout: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  ...BOUNDARIES.map(({ files, forbidden }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbid(...forbidden) }],
      // no-restricted-imports sees only import/export declarations: `require()` and `import()` by selector.
      'no-restricted-syntax': ['error', ...dynamicImports(forbidden)],
    },
  })),
);
