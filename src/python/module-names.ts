/**
 * Module names as Python gives them, whatever folder was scanned. A file's import root is the folder above
 * its highest enclosing package (a folder with `__init__.py`), or its own folder when it is in none, and its
 * name is its path from there: `backend/app/api/main.py` under a package `app` is `app.api.main`. Folders above the import root that
 * are not packages can still be on the import path (namespace packages, code run from the project root),
 * so the longer names through them are aliases: `backend.app.api.main`.
 */
export interface ModuleName {
  module: string;
  aliases: string[];
  importRoot: string; // the folder the name starts from, relative to the project root ('' is the root; '..' above it)
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names for every file (paths relative to the project root, forward slashes). `rootPackage` is the dotted
 * name of the project root itself when it is a package, so its modules are named from above it.
 */
export function moduleNames(files: string[], rootPackage = ''): Map<string, ModuleName> {
  const all = new Set(files);
  const isPackage = (segments: string[]): boolean => all.has([...segments, '__init__.py'].join('/'));
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
    const aliases: string[] = [];
    for (let start = top - 1; start >= 0 && IDENTIFIER.test(parts[start]); start--) aliases.push(parts.slice(start).join('.'));
    const importRoot = abovePackageRoot ? rootPackage.split('.').map(() => '..').join('/') : folders.slice(0, top).join('/');
    names.set(file, { module, aliases, importRoot });
  }
  return names;
}
