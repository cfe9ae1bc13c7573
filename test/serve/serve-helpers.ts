// What the serve tests share besides the fixture: a temp directory, the
// page's modules compiled for a test server, and a raw HTTP GET. The page is
// compiled by tsc in the build; here each page module is transpiled on its
// own (they are plain ES modules with relative imports), so `vitest run`
// needs no build first. The raw GET exists because fetch normalises
// `..` and `%2e%2e` out of a URL before sending it, and decompresses bodies:
// the traversal and compression tests need the bytes as they are.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const PAGE_SOURCES = new URL('../../src/serve/page/', import.meta.url);

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'rank-serve-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Transpiles src/serve/page/*.ts into `dir` as the build would lay them out; returns `dir`. */
export function compilePage(dir: string): string {
  for (const file of readdirSync(PAGE_SOURCES)) {
    if (!file.endsWith('.ts')) continue;
    const source = readFileSync(new URL(file, PAGE_SOURCES), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  return dir;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** GET `path` exactly as written (no normalisation, no decompression). */
export function rawGet(baseUrl: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers: { Connection: 'close', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
