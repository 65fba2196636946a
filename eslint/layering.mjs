// Local ESLint rules that keep DESIGN.md's arrows pointing down:
//   renderer → shared; main, cli → core, workers, shared; workers → core, shared; core → nothing.
// A rule, not a convention, because one stray import (fs in core, electron in a
// service) silently breaks a host that does not have it.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', 'src');
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Per folder of src/: which other folders it may import (values), which only
 * as types, and which npm packages. `node: true` allows Node built-ins.
 */
const POLICY = {
  // fast-png and jpeg-js: pure-JS image decoders (jpeg-js with useTArray needs no Buffer), for the project job's inputs.
  // highs: the HiGHS LP solver compiled to WebAssembly (the lei method); it finds its .wasm itself in Node and workers.
  core: {
    folders: ['core'],
    typeOnly: [],
    packages: ['mathjs', 'protobufjs', 'fflate', 'fast-png', 'jpeg-js', 'highs'],
    node: false,
  },
  shared: { folders: ['shared'], typeOnly: ['core'], packages: [], node: false },
  workers: { folders: ['workers', 'core', 'shared'], typeOnly: [], packages: ['comlink'], node: 'node-worker' },
  renderer: {
    folders: ['renderer', 'shared'],
    typeOnly: ['core', 'workers'],
    packages: ['vue', 'pinia', 'echarts', 'comlink', 'vue-echarts'],
    node: false,
  },
  preload: { folders: ['preload', 'shared'], typeOnly: ['core'], packages: ['electron'], node: false },
  main: {
    folders: ['main', 'core', 'workers', 'shared'],
    typeOnly: [],
    // echarts and resvg: the report service renders figures to SVG and PNG in Node.
    packages: ['electron', 'comlink', 'echarts', '@resvg/resvg-js'],
    node: true,
  },
  cli: { folders: ['cli', 'main', 'core', 'workers', 'shared'], typeOnly: [], packages: ['comlink'], node: true },
};

/** Only these files may import electron: the Electron host's two files and the preload. */
const ELECTRON_FILES = ['main/index.ts', 'main/ipc.ts', 'preload/index.ts'];

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'imports between src/ folders follow the architecture (DESIGN.md)' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const rel = relative(SRC, file);
    if (rel.startsWith('..')) return {};
    const folder = rel.split(sep)[0];
    const policy = POLICY[folder];
    if (policy === undefined) return {};
    const relPosix = rel.split(sep).join('/');

    function check(node, source, typeOnly) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(file), source));
        const targetFolder = target.startsWith('..') ? '(outside src)' : target.split(sep)[0];
        if (policy.folders.includes(targetFolder)) return;
        if (typeOnly && policy.typeOnly.includes(targetFolder)) return;
        const how = policy.typeOnly.includes(targetFolder) ? ' except with `import type`' : '';
        context.report({
          node,
          message: `src/${folder} may not import from ${targetFolder === '(outside src)' ? 'outside src' : `src/${targetFolder}`}${how} (DESIGN.md: arrows point down)`,
        });
        return;
      }
      if (NODE_BUILTINS.has(source)) {
        const allowed =
          policy.node === true || (policy.node === 'node-worker' && /\.node(-worker)?\.(d\.)?ts$/.test(relPosix));
        if (!allowed)
          context.report({
            node,
            message: `src/${folder} must not use Node built-in "${source}": it runs where Node is absent`,
          });
        return;
      }
      const pkg = packageName(source);
      if (pkg === 'electron' && !ELECTRON_FILES.includes(relPosix)) {
        context.report({
          node,
          message: `only ${ELECTRON_FILES.map((f) => `src/${f}`).join(', ')} may import electron; services stay plain Node`,
        });
        return;
      }
      if (!policy.packages.includes(pkg)) {
        context.report({
          node,
          message: `src/${folder} may not import the package "${pkg}" (allowed: ${policy.packages.join(', ') || 'none'})`,
        });
      }
    }

    const isTypeOnly = (node) =>
      node.importKind === 'type' ||
      node.exportKind === 'type' ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

    return {
      ImportDeclaration: (node) => check(node, node.source.value, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
      TSImportType: (node) => {
        const arg = node.argument?.literal ?? node.argument;
        if (arg?.type === 'Literal') check(node, arg.value, true);
      },
    };
  },
};

export default { rules: { layering } };
