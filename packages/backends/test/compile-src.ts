// Compiles this package's src/ to CommonJS in a temporary folder inside the package (so
// node_modules resolve as usual), for tests that must run the code in a fresh `node`
// process: jest maps imports to src/, and the dist/ build may be stale or absent.
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const packageDir = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Returns the folder holding the compiled index.js; the caller removes it when done. */
export function compileSourceToTemp(): string {
  const tmpRoot = path.join(packageDir, '.tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const out = fs.mkdtempSync(path.join(tmpRoot, 'src-'));
  // The package is "type": "module"; these files are CommonJS.
  fs.writeFileSync(path.join(out, 'package.json'), '{ "type": "commonjs" }\n');
  const srcDir = path.join(packageDir, 'src');
  for (const file of sourceFiles(srcDir)) {
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const target = path.join(out, path.relative(srcDir, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  return out;
}
