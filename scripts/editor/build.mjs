// Bundle editor.mjs with esbuild into one minified IIFE and record versions and licences.
// Run through scripts/build-editor.sh (which runs `npm ci` first).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const dest = resolve(here, "../../quizapp/static/vendor/codemirror");
const outfile = join(dest, "codemirror.min.js");

// style-mod (CodeMirror's style injector) uses a <style> element for documents, which a
// strict `style-src 'self'` blocks. Constructable stylesheets (document.adoptedStyleSheets)
// are CSSOM, which CSP allows; make style-mod use them for documents too.
const STYLE_MOD_FROM = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";
const STYLE_MOD_TO = "if (root.adoptedStyleSheets && win.CSSStyleSheet) {";
const cspStyles = {
  name: "csp-adopted-stylesheets",
  setup(build) {
    build.onLoad({ filter: /style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(STYLE_MOD_FROM)) {
        throw new Error(`style-mod changed: cannot find the line to patch in ${args.path}`);
      }
      return { contents: source.replace(STYLE_MOD_FROM, STYLE_MOD_TO), loader: "js" };
    });
  },
};

mkdirSync(dest, { recursive: true });
const result = await esbuild.build({
  entryPoints: [join(here, "editor.mjs")],
  bundle: true, minify: true, format: "iife", target: ["es2020"], outfile,
  legalComments: "none", metafile: true, logLevel: "warning", plugins: [cspStyles],
});

// Every npm package that ended up in the bundle, with its version and licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (match) packages.set(match[1], join(here, "node_modules", match[1]));
}
const versions = [];
const licences = [];
for (const [name, dir] of [...packages].sort()) {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (meta.license !== "MIT") throw new Error(`${name} is ${meta.license}, not MIT`);
  versions.push(`${name} ${meta.version} ${meta.license}`);
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt"].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`${name} has no LICENSE file`);
  licences.push(`== ${name} ${meta.version} ==\n\n${readFileSync(file, "utf8").trim()}\n`);
}
writeFileSync(join(dest, "VERSION"), `${versions.join("\n")}\n`);
writeFileSync(join(dest, "LICENSE"), `${licences.join("\n")}`);
console.log(`built ${outfile}: ${versions.length} packages`);
