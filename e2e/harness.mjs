// Shared by the end-to-end tests: where the node binary is, a free port, and
// polling with a deadline.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The node binary: $ECOCHAIN_BIN, else the first debug build found. */
export function nodeBinary() {
  if (process.env.ECOCHAIN_BIN) return process.env.ECOCHAIN_BIN;
  const candidates = [
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'debug', 'ecochain'),
    path.join(REPO, 'target', 'debug', 'ecochain'),
    path.join(homedir(), '.cache', 'ecochain-target', 'debug', 'ecochain'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `ecochain binary not found (tried ${candidates.join(', ')}); ` +
        'run `cargo build -p ecochain-node` or set ECOCHAIN_BIN',
    );
  }
  return found;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Call `check` every 250 ms until it returns a value other than undefined; throw after `ms`. */
export async function waitFor(what, ms, check) {
  const deadline = Date.now() + ms;
  let last = 'no attempt yet';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
}

/** A child process whose output is kept (last 40 lines) and which is killed by PID. */
export function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      lines.push(...chunk.split('\n').filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - 40));
    });
  }
  process.once('exit', () => child.kill('SIGKILL'));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    tail: () => `--- last lines of ${name} ---\n${lines.join('\n')}`,
    /** Kill it (SIGKILL); resolves once it has exited. */
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/** A `--dev` node in `baseDir` with RPC on `port` (and `extra` flags), once it answers JSON-RPC. */
export async function startDevNode(baseDir, port, extra = []) {
  const node = start('ecochain', nodeBinary(), ['--dev', '--base-path', baseDir, '--rpc-port', String(port), ...extra]);
  await waitFor(`the node's RPC\n${node.tail()}`, 60_000, async () => {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_health', params: [] }),
    });
    return (await res.json()).result ? true : undefined;
  });
  return node;
}
