// The console's files: the page (console/index.html with its import map), its modules and
// style sheet (console/*), and the UI library's browser builds (Preact, its hooks, htm) from
// the installed packages. All are read from disk once and kept in memory; nothing is fetched
// from elsewhere at run time. The import map is inline, so the page's CSP names its hash.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface Asset {
  body: Buffer;
  type: string;
}

/** console/ at the package root, from ts/console (tsx) and dist/console (compiled) alike. */
export const CONSOLE_DIR = path.resolve(__dirname, "..", "..", "console");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
};

function vendor(specifier: string, file: string): Buffer {
  return readFileSync(path.join(path.dirname(require.resolve(specifier)), file));
}

const IMPORT_MAP = JSON.stringify({
  imports: { preact: "/assets/vendor/preact.mjs", "preact/hooks": "/assets/vendor/hooks.mjs", htm: "/assets/vendor/htm.mjs" },
});

export class ConsoleAssets {
  private readonly files = new Map<string, Asset>();
  readonly page: Asset;
  /** Content-Security-Policy of the page: own scripts and styles only, plus the import map. */
  readonly csp: string;

  constructor() {
    for (const name of readdirSync(CONSOLE_DIR)) {
      const type = TYPES[path.extname(name)];
      if (type && name !== "index.html") this.files.set(`/assets/${name}`, { body: readFileSync(path.join(CONSOLE_DIR, name)), type });
    }
    const js = TYPES[".js"];
    this.files.set("/assets/vendor/preact.mjs", { body: vendor("preact", "preact.module.js"), type: js });
    this.files.set("/assets/vendor/hooks.mjs", { body: vendor("preact/hooks", "hooks.module.js"), type: js });
    this.files.set("/assets/vendor/htm.mjs", { body: vendor("htm", "htm.module.js"), type: js });
    const html = readFileSync(path.join(CONSOLE_DIR, "index.html"), "utf8").replace("<!--IMPORTMAP-->", `<script type="importmap">${IMPORT_MAP}</script>`);
    this.page = { body: Buffer.from(html), type: TYPES[".html"] };
    const hash = createHash("sha256").update(IMPORT_MAP).digest("base64");
    this.csp = `default-src 'self'; script-src 'self' 'sha256-${hash}'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
  }

  get(pathname: string): Asset | undefined {
    return this.files.get(pathname);
  }
}
