// ESLint: type-aware rules that catch real bugs in async CLI code.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Time comes from the clock (ctx.clock, src/core/clock.ts), so time-dependent decisions run
    // on a fake clock in tests. Durations use the monotonic performance.now().
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/core/clock.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Take the time from the clock (ctx.clock, src/core/clock.ts).' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Take the time from the clock (ctx.clock, src/core/clock.ts).' }],
    },
  },
);
