// Build: type-check + emit with tsc, then copy the non-TS generator assets (USAGE, templates)
// next to the emitted generators, so `dist/generators/<name>/` is self-contained for Yeoman.
// Then precompile the schema validators (precompileValidators) and bundle the `dl-lab` launcher
// (bundleLauncher): together they took a `dl-lab run` from ~0.9 s to ~0.2 s (bench/README.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpSync, existsSync, readdirSync, rmSync, chmodSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// For profiling (bench/README.md): an unminified bundle whose `// <module path>` comments map
// profile lines to modules, and esbuild's metafile (what each output file holds).
const READABLE = Boolean(process.env.DL_LAB_BUNDLE_READABLE);
const METAFILE = process.env.DL_LAB_BUNDLE_METAFILE;

/**
 * Imports that yeoman's dependencies evaluate at every start although no dl-lab command calls them
 * (profiled: arborist/pacote alone cost ~150 ms per command; inquirer and rxjs, execa, string-width's
 * regexes, ky pulling in Node's fetch… most of the rest). In the bundle, the listed import statement
 * of the listed module is removed and each use of the imported name becomes a require() of that
 * package from node_modules, made where the module itself lives (Node ≥ 20.19 requires ES modules
 * too, see package.json engines). So the package is not in the bundle and is loaded, unchanged, the
 * first time it is actually used. An entry is a whole `replacement` of the module, or literal
 * `edits` (each text must occur exactly once) and/or a list of import `statements` and their
 * `uses`. An entry that no longer matches the installed package is skipped with a warning: the
 * module then stays as it is.
 */
const fromNodeModules = (pkg, member = '') => `(__dlLabCreateRequire(import.meta.url)(${JSON.stringify(pkg)})${member})`;
const LAZY_IMPORTS = [
  // Installs missing generators from npm; dl-lab registers its own and never installs one.
  {
    module: 'fly-import/dist/fly-import.js',
    // The bundle has no import() (see bundleLauncher); esbuild lowers `import(await x)` into
    // invalid code, so the await moves out of it first.
    edits: [['import: async () => import(await this.resolve(realpath)),', 'import: async () => { const url = await this.resolve(realpath); return import(url); },']],
    statements: ["import Arborist from '@npmcli/arborist';", "import registryAuthToken from 'registry-auth-token';"],
    uses: { Arborist: fromNodeModules('@npmcli/arborist'), registryAuthToken: fromNodeModules('registry-auth-token') },
  },
  // this.addDependencies() asking npm for a latest version; dl-lab never adds dependencies.
  {
    module: 'yeoman-generator/dist/actions/package-json.js',
    statements: ["import latestVersion from 'latest-version';"],
    uses: { latestVersion: fromNodeModules('latest-version', '.default') },
  },
  // this.spawn*() of generators, the package-manager install step (skipped), `npm root -g` lookups.
  {
    module: 'yeoman-generator/dist/actions/spawn-command.js',
    statements: ["import { execa, execaCommand, execaCommandSync, execaSync, } from 'execa';"],
    uses: Object.fromEntries(['execa', 'execaCommand', 'execaCommandSync', 'execaSync'].map((name) => [name, fromNodeModules('execa', `.${name}`)])),
  },
  { module: 'yeoman-environment/dist/util/util.js', statements: ["import { execaSync } from 'execa';"], uses: { execaSync: fromNodeModules('execa', '.execaSync') } },
  {
    module: 'yeoman-environment/dist/package-manager.js',
    statements: ["import { whichPackageManager } from 'which-package-manager';", "import { execa } from 'execa';"],
    uses: { whichPackageManager: fromNodeModules('which-package-manager', '.whichPackageManager'), execa: fromNodeModules('execa', '.execa') },
  },
  // Generator lookup (globbing node_modules); dl-lab registers its generators itself.
  { module: 'yeoman-environment/dist/module-lookup.js', statements: ["import { globbySync } from 'globby';"], uses: { globbySync: fromNodeModules('globby', '.globbySync') } },
  // this.simpleGit of generators; dl-lab runs git itself.
  {
    module: 'yeoman-generator/dist/index.js',
    statements: ["import { CheckRepoActions, CleanOptions, simpleGit } from 'simple-git';"],
    uses: Object.fromEntries(['CheckRepoActions', 'CleanOptions', 'simpleGit'].map((name) => [name, fromNodeModules('simple-git', `.${name}`)])),
  },
  // Reading a package.json that is not valid JSON or not normalized; yeoman reads its own, which are both.
  { module: 'read-pkg/index.js', statements: ["import normalizePackageData from 'normalize-package-data';"], uses: { normalizePackageData: fromNodeModules('normalize-package-data') } },
  { module: 'parse-json/index.js', statements: ["import {codeFrameColumns} from '@babel/code-frame';"], uses: { codeFrameColumns: fromNodeModules('@babel/code-frame', '.codeFrameColumns') } },
  // string-width compiles Unicode-property regexes at load (~15 ms); ora needs it only to draw a spinner.
  { module: 'ora/index.js', statements: ["import stringWidth from 'string-width';"], uses: { stringWidth: fromNodeModules('string-width', '.default') } },
  // Every generator gets lodash's whole namespace as `this._` (~215 KB of lodash-es compiled and
  // mixed at each start); dl-lab's generators never use it. It becomes a getter that loads it.
  {
    module: 'yeoman-generator/dist/generator.js',
    edits: [
      ["import * as _ from 'lodash-es';\n", ''],
      [
        '    _ = _;\n',
        `    get _() { return ${fromNodeModules('lodash-es')}; }\n    set _(value) { Object.defineProperty(this, '_', { value, writable: true, enumerable: true, configurable: true }); }\n`,
      ],
    ],
  },
  // Prompts: inquirer, rxjs and every prompt type (~40% of what yeoman loads) are needed only when
  // a question is actually asked. The adapter gets a stand-in prompt module that creates the real
  // one (the original createAdapterPromptModule, from node_modules) on first use.
  { module: '@yeoman/adapter/dist/adapter.js', statements: ["import { Separator } from '@inquirer/core';"], uses: { Separator: fromNodeModules('@inquirer/core', '.Separator') } },
  {
    module: '@yeoman/adapter/dist/inquirer.js',
    replacement: `
export const createAdapterPromptModule = (parameter) => {
  let promptModule;
  const real = () => (promptModule ??= ${fromNodeModules('./inquirer.js', '.createAdapterPromptModule')}(parameter));
  return new Proxy(() => {}, {
    apply: (_target, thisArg, args) => Reflect.apply(real(), thisArg, args),
    get: (_target, key) => Reflect.get(real(), key),
    set: (_target, key, value) => Reflect.set(real(), key, value),
    has: (_target, key) => Reflect.has(real(), key),
  });
};
`,
  },
];

/**
 * Prepended to the bundle (CommonJS: `require` and `__filename` are those its loader passes in,
 * see bin/dl-lab.ts). The lazy imports above require packages left in node_modules through
 * __dlLabCreateRequire. relocate() refers to the bundle's location (__dlLabHere) and to
 * __dlLabModuleUrl: the file URL of <sub> inside the package reached through `chain` (a dependency
 * of a dependency of …), found the way Node finds packages from here; the build-time location if
 * it is not found.
 */
const BANNER = `const { createRequire: __dlLabCreateRequire } = require('node:module');
const __dlLabHere = require('node:url').pathToFileURL(__filename).href;
const __dlLabModuleUrls = new Map();
const __dlLabModuleUrl = (chain, sub, fallback) => {
  const key = [...chain, sub].join('\\0');
  if (!__dlLabModuleUrls.has(key)) __dlLabModuleUrls.set(key, __dlLabFindModule(chain, sub, fallback));
  return __dlLabModuleUrls.get(key);
};
const __dlLabFindModule = (chain, sub, fallback) => {
  const { existsSync } = require('node:fs');
  const { join } = require('node:path');
  const { fileURLToPath, pathToFileURL } = require('node:url');
  let from = fileURLToPath(__dlLabHere);
  for (const name of chain) {
    const dir = (__dlLabCreateRequire(from).resolve.paths(name) ?? []).map((modules) => join(modules, name)).find((candidate) => existsSync(join(candidate, 'package.json')));
    if (dir === undefined) return new URL(fallback, __dlLabHere).href;
    from = join(dir, 'package.json');
  }
  return pathToFileURL(join(from, '..', sub)).href;
};`;

/** `@scope/name/…` or `name/…` → the package name. */
const packageName = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

/**
 * Replace the placeholder dist/core/contract/precompiled-validators.js with ajv "standalone" code
 * for every contract schema, compiled by the same createContractAjv() (same options, formats) that
 * validate.ts falls back to, and bundled with the few ajv runtime helpers it calls.
 * test/unit/precompiled-validators.test.ts checks they judge documents exactly like ajv does.
 */
async function precompileValidators() {
  const require = createRequire(join(root, 'package.json'));
  const standaloneCode = require('ajv/dist/standalone').default;
  const esbuild = await import('esbuild');
  const { createContractAjv, PRECOMPILED_DEFINITIONS } = await import(pathToFileURL(join(dist, 'core/contract/validate.js')).href);
  const { SCHEMAS_DIR, SCHEMA_FILES } = await import(pathToFileURL(join(dist, 'core/contract/schema-files.js')).href);
  const names = Object.keys(SCHEMA_FILES);
  const bytes = (name) => readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]));
  const idOf = (name) => JSON.parse(bytes(name)).$id;
  const ajv = createContractAjv({ code: { source: true, esm: true } });
  // Prefixed export names, so none can clash with the generated code's own identifiers.
  const definitionExport = (key) => `validate_def_${key.replace(/[^A-Za-z0-9]/g, '_')}`;
  const code = standaloneCode(ajv, {
    ...Object.fromEntries(names.map((name) => [`validate_${name}`, idOf(name)])),
    ...Object.fromEntries(PRECOMPILED_DEFINITIONS.map((key) => [definitionExport(key), `${idOf(key.split('#')[0])}#/$defs/${key.split('#')[1]}`])),
  });
  const schemaSha256 = Object.fromEntries(names.map((name) => [name, createHash('sha256').update(bytes(name)).digest('hex')]));
  const contents = `${code}
export const PRECOMPILED_VALIDATORS = {
  schemaSha256: ${JSON.stringify(schemaSha256)},
  validators: { ${names.map((name) => `${JSON.stringify(name)}: validate_${name}`).join(', ')} },
  definitions: { ${PRECOMPILED_DEFINITIONS.map((key) => `${JSON.stringify(key)}: ${definitionExport(key)}`).join(', ')} },
};
`;
  await esbuild.build({
    stdin: { contents, resolveDir: root, sourcefile: 'precompiled-validators.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: join(dist, 'core/contract/precompiled-validators.js'),
    banner: { js: '// Generated by scripts/build.mjs from schemas/*.schema.json (ajv standalone code). Do not edit.' },
    logLevel: 'warning',
  });
}

/**
 * `dl-lab` loads yeoman-environment, yeoman-generator and their ~2,000 modules on every command;
 * resolving and reading them one by one was most of its start-up. esbuild bundles the tsc output
 * of the launcher with everything it imports into one CommonJS file, `dist/bin/launcher.cjs`,
 * which the `dl-lab` bin runs from V8's code cache (bin/dl-lab.ts). Each module in it is
 * evaluated on first use, as before. `dist/generators/<name>/index.js` (tsc output) stays for
 * `yo` and for the templates/USAGE Yeoman finds beside it.
 */
async function bundleLauncher() {
  const esbuild = await import('esbuild');
  const { listSubcommands } = await import(pathToFileURL(join(dist, 'core/subcommands.js')).href);
  const outdir = join(dist, 'bin');
  const entry = join(outdir, 'launcher.js');
  const generatorTable = join(outdir, 'bundled-generators.js');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    // CommonJS, because only a classic script can be given V8's cached code on Node 20 (vm.Script).
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // No import() in the bundle: a script run from cached code loses its dynamic-import callback
    // on Node 20 (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). esbuild makes each one a require(),
    // which loads ES modules too on Node >= 20.19 (package.json engines); the loader lets
    // require() take the file: URLs Yeoman imports by.
    supported: { 'dynamic-import': false },
    platform: 'node',
    target: 'node20',
    outdir,
    // Less to parse at every start; identifiers are kept, so stack traces stay readable.
    minifyWhitespace: !READABLE,
    minifySyntax: !READABLE,
    write: false,
    metafile: true,
    logLevel: 'warning',
    // Native addon: loaded from node_modules, lazily, as before.
    external: ['@resvg/resvg-js'],
    banner: { js: BANNER },
    plugins: [
      {
        name: 'dl-lab',
        setup(build) {
          // The placeholder table becomes one lazy import per sub-generator.
          build.onLoad({ filter: /bundled-generators\.js$/ }, (args) => {
            if (args.path !== generatorTable) return undefined;
            const entries = listSubcommands().map((name) => `  ${JSON.stringify(name)}: () => import(${JSON.stringify(`../generators/${name}/index.js`)}),`);
            return { contents: `export const BUNDLED_GENERATORS = {\n${entries.join('\n')}\n};\n`, loader: 'js', resolveDir: outdir };
          });
          // Code that finds files next to itself (schemas, package.json, templates, fonts) keeps
          // finding them where they were: import.meta.url / __dirname / __filename of each bundled
          // module are those of its original file. And the few heavy imports below become lazy.
          build.onLoad({ filter: /\.(m|c)?js$/ }, (args) => {
            const text = readFileSync(args.path, 'utf8');
            const lazy = lazyImports(text, args.path);
            if (lazy === text && !/import\.meta\.url|\b__dirname\b|\b__filename\b/.test(text)) return undefined;
            return { contents: relocate(lazy, args.path), loader: 'js' };
          });
        },
      },
    ],
  });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
  if (METAFILE) writeFileSync(METAFILE, JSON.stringify(result.metafile));
  // A LAZY_IMPORTS edit that no longer applies can leave code esbuild lowers wrongly (see
  // fly-import above): refuse a bundle that does not even compile, rather than ship it.
  const bundle = join(outdir, 'launcher.cjs');
  try {
    new Script(`(function (exports, require, module, __filename, __dirname) { ${readFileSync(bundle, 'utf8')}\n})`, { filename: bundle });
  } catch (error) {
    throw new Error(`build: ${bundle} does not compile: ${error.message}`);
  }
  // tsc's files that are now inside the bundle.
  for (const name of ['bundled-generators', 'launcher']) {
    for (const ext of ['.js', '.d.ts']) rmSync(join(outdir, name + ext), { force: true });
  }
  return result;

  /** Apply LAZY_IMPORTS to one module (unchanged when it is not listed, or no longer matches). */
  function lazyImports(original, path) {
    const entry = LAZY_IMPORTS.find(({ module }) => path.split(sep).join('/').endsWith(`/node_modules/${module}`));
    if (!entry) return original;
    if (entry.replacement) return entry.replacement;
    const edits = entry.edits ?? [];
    if (!edits.every(([from]) => original.split(from).length === 2)) {
      console.warn(`build: ${entry.module} no longer has the text LAZY_IMPORTS expects; it stays as it is`);
      return original;
    }
    const text = edits.reduce((out, [from, to]) => out.replace(from, () => to), original);
    if (!entry.statements) return text;
    let out = text;
    for (const statement of entry.statements) out = out.split(`${statement}\n`).join('');
    const uses = Object.entries(entry.uses).map(([name, expression]) => [new RegExp(`(?<![\\w$.'"/]|get |set )${name}(?![\\w$'"#])`, 'g'), expression]);
    const removed = text.length - out.length === entry.statements.reduce((sum, statement) => sum + statement.length + 1, 0);
    if (!removed || !uses.every(([use]) => use.test(out))) {
      console.warn(`build: ${entry.module} no longer has the imports LAZY_IMPORTS expects; they stay eager`);
      return text;
    }
    for (const [use, expression] of uses) out = out.replace(use, expression);
    return out;
  }

  /**
   * Rewrite a module's own-location references to where its original file is: for our own files,
   * relative to the bundle (same package); for a dependency, wherever Node finds that package
   * from here, which need not be where it was at build time (an install may hoist it).
   */
  function relocate(text, path) {
    const fromBundle = relative(outdir, path).split(sep).join('/');
    const [, ...inModules] = path.split(sep).join('/').split('/node_modules/');
    const url = inModules.length === 0
      ? `new URL(${JSON.stringify(fromBundle)}, __dlLabHere).href`
      : `__dlLabModuleUrl(${JSON.stringify(inModules.map(packageName))}, ${JSON.stringify(inModules.at(-1).slice(packageName(inModules.at(-1)).length + 1))}, ${JSON.stringify(fromBundle)})`;
    let out = text.replace(/import\.meta\.url/g, url);
    if (/\b__dirname\b|\b__filename\b/.test(text) && !/\bimport\.meta\b|^\s*(import|export)\b/m.test(text)) {
      // CommonJS: esbuild wraps it in a function, so these declarations stay local to the module.
      out = `var __filename = require('node:url').fileURLToPath(${url}), __dirname = require('node:path').dirname(__filename);\n${out}`;
    }
    return out;
  }
}

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const srcGenerators = join(root, 'generators');
for (const name of readdirSync(srcGenerators)) {
  for (const asset of ['USAGE', 'templates']) {
    const from = join(srcGenerators, name, asset);
    if (existsSync(from)) cpSync(from, join(root, 'dist/generators', name, asset), { recursive: true });
  }
}
await precompileValidators();
await bundleLauncher();
chmodSync(join(root, 'dist/bin/dl-lab.js'), 0o755);
