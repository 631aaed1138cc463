// The layer order of DESIGN.md, checked by dependency-cruiser in `npm test` (test/layers.test.ts):
// a layer imports only from the layers before it (and from itself), and no import cycle exists.
const LAYERS = ['core', 'domain', 'model', 'data', 'venues', 'strategy', 'ingest', 'portfolio', 'risk', 'execution', 'engine', 'app'];

const layerRules = LAYERS.map((layer, index) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from ${LAYERS.slice(0, index + 1).join(', ')}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|') || '$^'})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'strategy-reads-no-venue',
      comment: 'strategies read market state and emit intents: they never import venues/ or ingest/',
      severity: 'error',
      from: { path: '^src/strategy/' },
      to: { path: '^src/(venues|ingest)/' },
    },
    {
      name: 'known-layer',
      comment: 'every source file sits in a layer of DESIGN.md (src/types/ holds type declarations)',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')}|types)/` },
      to: {},
    },
    {
      name: 'no-tests-or-bench-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    { name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } },
    { name: 'resolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/venues/ccxt/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.d.ts'], conditionNames: ['import', 'require', 'node', 'default', 'types'], exportsFields: ['exports'] },
  },
};
