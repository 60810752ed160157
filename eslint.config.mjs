// Lint rules. The layering rule is the important one: only src/extension may import `vscode`, so the core,
// the runner, the protocol and the webviews stay testable without an editor.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeOnlyInExtension = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'vscode',
          message: 'Only src/extension may import vscode (see STYLE.md: layers). Put pure logic in src/core.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'dist-vsix/', '.cache/', 'test-output/', '.vscode-test/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.ts', 'webview/**/*.ts'], ignores: ['src/extension/**'], rules: vscodeOnlyInExtension },
  // 120 columns, as Prettier formats code; Prettier leaves comments and long strings alone, so this rule holds the
  // comments to it too. A string, template literal, regular expression or URL may run longer (breaking one would
  // change what it says or make it unsearchable).
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  // A starter's TODO stubs take the parameters (and keep the helpers) the learner's code will use.
  {
    files: ['templates/**/starter/**/*.ts', 'test/fixtures/**/starter/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  // Learner-facing code stays readable in one screen: a long function is a warning (split it into named steps).
  {
    files: ['templates/**/*.ts'],
    ignores: ['templates/**/tests/**'],
    rules: { 'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
      },
    },
  },
);
