// ESLint: type-aware rules that catch real bugs in async CLI code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'test/fixtures/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Time comes from the clock (ctx.clock, src/core/clock.ts), so time-dependent decisions run
    // on a fake clock in tests. Durations use the monotonic performance.now().
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/core/clock.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Take the time from the clock (ctx.clock, src/core/clock.ts).',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Take the time from the clock (ctx.clock, src/core/clock.ts).',
        },
      ],
    },
  },
  // The architecture's boundaries (docs/architecture.md): decisions apart from doing, and the
  // two sides of the engine apart from each other.
  {
    files: ['src/flow/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!core/)',
              allowTypeImports: true,
              message:
                'flow/ decides: it imports only core/ (and types), nothing with side effects.',
            },
            {
              regex: '^[^.]',
              message:
                'flow/ decides: no package or node: module (no process, no file, no clock but the one passed in).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/run/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(merge|engine)/',
              message:
                'run/ (the track activities) and merge/ (the queue activities) do not import each other, nor the engine that runs them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/merge/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(run|engine)/',
              message:
                'merge/ (the queue activities) and run/ (the track activities) do not import each other, nor the engine that runs them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/runtime/**/*.ts', 'src/worktrees/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(run|merge|engine)/',
              message:
                'runtime/ and worktrees/ are shared by both sides of the engine: they import neither side.',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities report results; only the engine moves a track.
    files: ['src/run/**/*.ts', 'src/merge/**/*.ts', 'src/worktrees/**/*.ts', 'src/flow/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='transition']",
          message:
            'Activities and decisions never move a track: return a result, and let the engine (src/engine/) apply the transition.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Take the time from the clock (ctx.clock, src/core/clock.ts).',
        },
      ],
    },
  },
);
