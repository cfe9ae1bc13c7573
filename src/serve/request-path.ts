// What a request may ask for. Every URL passes through here before any file
// is looked up: the server answers 404 to anything this rejects, so a path
// outside OUT, a dotfile (the publisher's temp files start with '.'), or a
// directory never reaches the file system. sirv has its own prefix check;
// this one is stricter and sits first so that safety does not rest on one
// library's normalisation.

/** Where a safe path goes: the page, a page script, or a file of OUT. */
export type Route =
  | { kind: 'page' }
  | { kind: 'script'; path: string }
  | { kind: 'out'; path: string };

// The page's own modules: one segment, lower-case kebab-case, `.js`.
const SCRIPT_RE = /^\/[a-z][a-z0-9-]*\.js$/;

/**
 * The decoded path of a request URL, or undefined when it is malformed or
 * tries to leave the directory: `..` or `.` segments (plain, `%2e%2e`, or
 * `..%2f` once decoded), dotfiles, backslashes and NUL bytes.
 */
export function safePath(url: string): string | undefined {
  const end = url.search(/[?#]/);
  const raw = end === -1 ? url : url.slice(0, end);
  if (!raw.startsWith('/')) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(decoded)) return undefined;
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  return decoded;
}

/**
 * Routes a request URL. Of OUT only the files CONTRACT.md §4 names are
 * served (latest.json and releases/**): whatever else the publisher keeps
 * there is not for the CDN. Directories end in '/' or name no file; sirv
 * answers those with 404, so there is no listing.
 */
export function routeOf(url: string): Route | undefined {
  const path = safePath(url);
  if (path === undefined) return undefined;
  if (path === '/' || path === '/index.html') return { kind: 'page' };
  if (SCRIPT_RE.test(path)) return { kind: 'script', path };
  if (path === '/latest.json' || path.startsWith('/releases/')) return { kind: 'out', path };
  return undefined;
}
