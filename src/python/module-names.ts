/**
 * Module names as Python gives them, whatever folder was scanned. A file's import root is the folder above
 * its highest enclosing package (a folder with `__init__.py`), or its own folder when it is in none, and its
 * name is its path from there: `backend/app/api/main.py` under a package `app` is `app.api.main`. The other
 * dotted tails of its path of two names or more (`backend.app.api.main`, `api.main`) are aliases, which imports find when no
 * module has the name itself.
 */
export interface ModuleName {
  module: string;
  aliases: string[];
  importRoot: string; // the folder the name starts from, relative to the project root ('' is the root; '..' above it)
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A folder or file name Python can import by (`my-app` is none, whatever `__init__.py` it holds). */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/**
 * Names for every file (paths relative to the project root, forward slashes). `rootPackage` is the dotted
 * name of the project root itself when it is a package, so its modules are named from above it; `namespace`, the
 * folders above that package inside the project, which name its modules too (`swh.web.config` for `web.config`).
 */
export function moduleNames(files: string[], rootPackage = '', namespace: string[] = []): Map<string, ModuleName> {
  const all = new Set(files);
  // A folder named like no module (`mayan-edms/__init__.py`) is no package: the import root lies below it.
  const isPackage = (segments: string[]): boolean => isIdentifier(segments[segments.length - 1]) && all.has([...segments, '__init__.py'].join('/'));
  const names = new Map<string, ModuleName>();
  for (const file of files) {
    const parts = file.replace(/\.pyi?$/, '').split('/');
    if (parts[parts.length - 1] === '__init__') parts.pop();
    const folders = file.split('/').slice(0, -1);
    // The import root is above the highest package: folders below it without `__init__.py` are
    // namespace portions of that package (`shop/views/orders.py` under a package `shop` is `shop.views.orders`).
    const highest = folders.findIndex((_, i) => isPackage(folders.slice(0, i + 1)));
    const abovePackageRoot = rootPackage !== '';
    const top = abovePackageRoot ? 0 : highest >= 0 ? highest : folders.length; // folders[0..top) lie above the import root
    const module = [...(abovePackageRoot ? [rootPackage] : []), ...parts.slice(top)].join('.');
    // Every other dotted tail of the path is an alias: a folder above the import root may be on the import
    // path (code run from the project root), and so may one below it (`cd src && uvicorn asgi:app` with a
    // stray `src/__init__.py`, manage.py inside a package). A lone file name is not one: `utils/redis.py`
    // must not answer `import redis`.
    const aliases: string[] = [];
    for (let start = parts.length - 2; start >= 0 && isIdentifier(parts[start]); start--) {
      const alias = parts.slice(start).join('.');
      if (alias !== module) aliases.push(alias);
    }
    for (let start = namespace.length - 1; start >= 0; start--) aliases.push(`${namespace.slice(start).join('.')}.${module}`);
    const importRoot = abovePackageRoot ? rootPackage.split('.').map(() => '..').join('/') : folders.slice(0, top).join('/');
    names.set(file, { module, aliases, importRoot });
  }
  return names;
}
