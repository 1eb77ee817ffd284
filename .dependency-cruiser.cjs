/**
 * The import rules of src/ (`npm run lint:structure`, run by CI). Folders form layers, from the
 * shared kernel up to the composition root; a folder imports only from layers below it, so no two
 * folders import each other and no lower layer knows a feature. docs/architecture.md draws them.
 * Tests, specs and fixtures are not layers: they may import anything.
 */
const LAYERS = [
  ['kernel', 'config'],
  ['database'],
  ['event-store'],
  ['access'],
  ['http'],
  ['access-journal'],
  ['privacy'],
  ['partners'],
  ['projections'],
  ['parcours'],
  ['reporting'],
  ['continuity', 'intake', 'webhooks'],
  ['audit'],
  ['personal-data'],
  ['web', 'health', 'demo'],
];

const NOT_CODE = '\\.(spec|fixtures)\\.ts$';
const folders = (names) => `^src/(${names.join('|')})/`;

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may import only from the layers below them`,
  severity: 'error',
  from: { path: folders(layer), pathNot: NOT_CODE },
  to: { path: folders(LAYERS.slice(index + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'same-layer-features',
      comment: 'the features of one layer stay apart (none imports another)',
      severity: 'error',
      from: { path: '^src/(continuity|intake|webhooks)/', pathNot: NOT_CODE },
      to: { path: '^src/(continuity|intake|webhooks)/', pathNot: '^src/$1/' },
    },
    {
      name: 'composition-root',
      comment: 'the files at the root of src/ (the app module, the CLI, the read-model registry, main) compose the folders; only the demo starts them',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/demo/|${NOT_CODE}` },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'no file imports itself through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-sql-in-controllers',
      comment: 'controllers translate HTTP and call a query or a command: the SQL lives in *.query.ts beside its read model',
      severity: 'error',
      from: { path: '\\.controller\\.ts$' },
      to: { path: '^src/database/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
