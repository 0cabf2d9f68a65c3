// Builds dist/ from src/ with TypeScript's transpiler, one file at a time. It needs no type
// information (the sources pass --isolatedModules and --verbatimModuleSyntax), so it runs with
// the production dependencies alone: `npm ci --omit=dev` builds a working bot. Type-checking is
// `npm run typecheck`, with the development tools.
// Each file gets a source map that carries its source inside it (sourcesContent), so the maps
// work where src/ is absent (an installed package ships only dist/).
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
// BUILD_OUT: another output folder (the build's own test writes into a temp folder).
const out = process.env.BUILD_OUT ? resolve(process.env.BUILD_OUT) : join(root, 'dist');

function sources(dir, list = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, list);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) list.push(path);
  }
  return list;
}

rmSync(out, { recursive: true, force: true });
const files = sources(src);
for (const file of files) {
  const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(target), { recursive: true });
  const result = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: relative(dirname(target), file).split('\\').join('/'),
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      sourceMap: true,
      inlineSources: true,
      verbatimModuleSyntax: true,
    },
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    for (const d of errors) process.stderr.write(`${relative(root, file)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
    process.exit(1);
  }
  const name = target.slice(dirname(target).length + 1);
  writeFileSync(target, result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.map\n`).replace(/\n+$/, '\n'));
  writeFileSync(`${target}.map`, result.sourceMapText);
}
chmodSync(join(out, 'cli', 'main.js'), 0o755);
process.stdout.write(`built ${files.length} files into ${relative(root, out) || out}/\n`);
