// The license of every package whose code the served bundles carry (graphiql's found by the
// module paths webpack left in it), for assets/THIRD-PARTY-NOTICES.txt.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const modules = process.argv[2];
const bundle = readFileSync(join(modules, "graphiql/graphiql.min.js"), "utf8");
const names = new Set(["graphiql", "@graphiql/plugin-explorer", "react", "react-dom", "scheduler",
  "graphiql-explorer"]);
for (const [, name] of bundle.matchAll(/"\.\.\/\.\.\/\.\.\/node_modules\/((?:@[^/"]+\/)?[^/"]+)\//g)) {
  names.add(name);
}

// Wherever npm put it in the tree (the first found, shallowest first).
const installed = Object.keys(JSON.parse(readFileSync(join(modules, ".package-lock.json"), "utf8")).packages)
  .sort((a, b) => a.split("/").length - b.split("/").length);

function packageDir(name) {
  const path = installed.find((p) => p.endsWith(`node_modules/${name}`));
  return path === undefined ? null : join(modules, "..", path);
}

const out = ["Licenses of the packages bundled in the GraphiQL page's assets.", ""];
for (const name of [...names].sort()) {
  const dir = packageDir(name);
  if (dir === null) {
    out.push(`== ${name} (inside graphiql.min.js as its authors built it; not in this install's tree, so no text here)`, "");
    continue;
  }
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  out.push(`== ${name}@${meta.version} (${meta.license ?? "see package"})`, "");
  if (file) out.push(readFileSync(join(dir, file), "utf8").trim(), "");
}
process.stdout.write(out.join("\n") + "\n");
