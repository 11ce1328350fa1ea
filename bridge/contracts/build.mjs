#!/usr/bin/env node
// Compiles the EcoBridge contracts with solc-js and writes Foundry-format artifacts to out/.
//
//   node bridge/contracts/build.mjs           compile and (re)write out/<Contract>.json
//   node bridge/contracts/build.mjs --check   compile and fail if out/ differs from the result
//
// Source unit names are relative (`src/EcoBridge.sol`, `@openzeppelin/contracts/...`), so the
// bytecode (including its metadata hash) does not depend on where the repository is checked out.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const contractsDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(contractsDir, "..", "..");
const srcDir = join(contractsDir, "src");
const outDir = join(contractsDir, "out");
const nodeModules = join(repoRoot, "node_modules");

const CONTRACTS = ["WrappedECT", "WrappedECR", "EcoLightClient", "EcoBridge", "EcoTimelock"];

const args = process.argv.slice(2);
const check = args.includes("--check");
for (const a of args) {
  if (a !== "--check") {
    console.error(`unknown argument: ${a}\nusage: build.mjs [--check]`);
    process.exit(2);
  }
}

const require = createRequire(join(repoRoot, "package.json"));
const solc = require("solc");

/** Reads `path` under `base`, refusing anything that escapes `base`. */
function readUnder(base, path) {
  const full = resolve(base, path);
  if (!full.startsWith(base + sep)) throw new Error(`import escapes ${base}: ${path}`);
  return readFileSync(full, "utf8");
}

/** solc import callback: `@openzeppelin/...` from node_modules, `src/...` from the sources. */
function findImports(path) {
  try {
    if (path.startsWith("@openzeppelin/")) return { contents: readUnder(nodeModules, path) };
    if (path.startsWith("src/")) return { contents: readUnder(srcDir, path.slice("src/".length)) };
    return { error: `import not found (only @openzeppelin/... and src/... resolve): ${path}` };
  } catch (e) {
    return { error: `cannot read ${path}: ${e.message}` };
  }
}

const sources = {};
for (const name of CONTRACTS) {
  sources[`src/${name}.sol`] = { content: readFileSync(join(srcDir, `${name}.sol`), "utf8") };
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: Object.fromEntries(
      CONTRACTS.map((name) => [
        `src/${name}.sol`,
        { [name]: ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
      ]),
    ),
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

// Errors are always printed; warnings only for our own sources (OpenZeppelin's are counted).
const diagnostics = output.errors ?? [];
const errors = diagnostics.filter((d) => d.severity === "error");
let hiddenWarnings = 0;
for (const d of diagnostics) {
  const ours = !d.sourceLocation || d.sourceLocation.file.startsWith("src/");
  if (d.severity === "error") console.error(d.formattedMessage ?? d.message);
  else if (ours) console.warn(d.formattedMessage ?? d.message);
  else hiddenWarnings++;
}
if (hiddenWarnings > 0) console.warn(`(${hiddenWarnings} warning(s) in dependencies not shown)`);
if (errors.length > 0) {
  console.error(`solc ${solc.version()}: ${errors.length} error(s); nothing written`);
  process.exit(1);
}

const artifacts = {};
for (const name of CONTRACTS) {
  const c = output.contracts?.[`src/${name}.sol`]?.[name];
  if (!c || !c.evm?.bytecode?.object || !c.evm?.deployedBytecode?.object) {
    console.error(`solc produced no bytecode for ${name}`);
    process.exit(1);
  }
  const artifact = {
    abi: c.abi,
    bytecode: { object: `0x${c.evm.bytecode.object}` },
    deployedBytecode: { object: `0x${c.evm.deployedBytecode.object}` },
  };
  artifacts[name] = JSON.stringify(artifact, null, 2) + "\n";
}

if (check) {
  const stale = [];
  for (const name of CONTRACTS) {
    const file = join(outDir, `${name}.json`);
    if (!existsSync(file)) stale.push(`${name}.json (missing)`);
    else if (readFileSync(file, "utf8") !== artifacts[name]) stale.push(`${name}.json (differs)`);
  }
  if (stale.length > 0) {
    console.error(
      `bridge/contracts/out is out of date with the sources (solc ${solc.version()}):\n` +
        stale.map((s) => `  ${s}`).join("\n") +
        "\nrun scripts/build-contracts.sh and commit the result",
    );
    process.exit(1);
  }
  console.log(`bridge/contracts/out is up to date (solc ${solc.version()})`);
} else {
  mkdirSync(outDir, { recursive: true });
  for (const name of CONTRACTS) {
    writeFileSync(join(outDir, `${name}.json`), artifacts[name]);
    const deployed = (JSON.parse(artifacts[name]).deployedBytecode.object.length - 2) / 2;
    console.log(`wrote bridge/contracts/out/${name}.json (deployed code ${deployed} bytes)`);
  }
}
