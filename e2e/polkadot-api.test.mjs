// End to end: the `ecochain` node against @polkadot/api, unmodified (no custom
// types, no shims). Starts one `--dev` node on a free port in a temp dir,
// connects, signs and submits real transactions, follows them to finality,
// and checks balances, events and block contents. Kills the node by PID.
//
//   node --test e2e/                         (or scripts/test-e2e.sh)
//   ECOCHAIN_BIN=/path/to/ecochain node --test e2e/
//   ECOCHAIN_E2E_VERBOSE=1 ...               echo the node's log lines
//
// Every wait is bounded; a failure names what was awaited and shows the
// node's last log lines.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';

import { freePort, nodeBinary, sleep } from './harness.mjs';

const ECT = 10n ** 18n;
const READY_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 30_000;
const FINALIZE_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 40;

// ---------------------------------------------------------------- helpers

/** Like `sleep`, but does not keep the process alive (for races against an exit). */
const grace = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/** Resolve `promise`, or reject after `ms` naming `what`. */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}\n${node.tail()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One raw JSON-RPC call over HTTP: `{ result }` or `{ error }` exactly as the node sent it. */
async function rawRpc(method, params = [], timeoutMs = 5_000) {
  const res = await fetch(node.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.json();
  assert.equal(body.jsonrpc, '2.0', `${method}: not a JSON-RPC 2.0 response: ${JSON.stringify(body)}`);
  return body;
}

/** The ecochain child process, its last log lines, and its shutdown. */
const node = {
  child: null,
  pid: null,
  exit: null, // { code, signal } once exited
  lines: [],
  baseDir: null,
  port: null,
  get httpUrl() {
    return `http://127.0.0.1:${this.port}`;
  },
  get wsUrl() {
    return `ws://127.0.0.1:${this.port}`;
  },

  tail() {
    const status = this.exit ? ` (exited: code ${this.exit.code}, signal ${this.exit.signal})` : '';
    return `--- last ${this.lines.length} lines of the ecochain log${status} ---\n${this.lines.join('\n')}`;
  },

  async start() {
    const bin = nodeBinary();
    this.baseDir = await mkdtemp(path.join(tmpdir(), 'ecochain-e2e-'));
    this.port = await freePort();
    const args = ['--dev', '--base-path', this.baseDir, '--rpc-port', String(this.port)];
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    const exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
    });
    this.exited = exited;
    this.child.on('error', (err) => this.lines.push(`spawn error: ${err.message}`));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        for (const line of parts) this.remember(line);
      });
      stream.on('end', () => partial && this.remember(partial));
    }
    // Last resort if the test process dies without running `after()`.
    process.once('exit', () => this.killNow());
    this.remember(`[e2e] started ${bin} ${args.join(' ')} (pid ${this.pid})`);
  },

  remember(line) {
    if (process.env.ECOCHAIN_E2E_VERBOSE) process.stderr.write(`[ecochain] ${line}\n`);
    this.lines.push(line);
    if (this.lines.length > LOG_TAIL_LINES) this.lines.shift();
  },

  /** Poll `system_health` until it answers, the node exits, or the deadline passes. */
  async waitReady(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let lastErr = 'no attempt yet';
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`ecochain exited before its RPC answered\n${this.tail()}`);
      try {
        const body = await rawRpc('system_health', [], 1_000);
        if (body.result) return body.result;
        lastErr = JSON.stringify(body.error);
      } catch (err) {
        lastErr = err.cause?.code ?? err.message;
      }
      await sleep(250);
    }
    throw new Error(
      `ecochain RPC on ${this.httpUrl} not ready within ${timeoutMs} ms (last: ${lastErr})\n${this.tail()}`,
    );
  },

  killNow() {
    if (this.pid && !this.exit) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  },

  /** SIGTERM, then SIGKILL after 5 s; then remove the base path. */
  async stop() {
    if (this.pid && !this.exit) {
      try {
        process.kill(this.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const graceful = await Promise.race([this.exited.then(() => true), grace(5_000).then(() => false)]);
      if (!graceful) {
        this.remember('[e2e] no exit 5 s after SIGTERM; sending SIGKILL');
        this.killNow();
        await Promise.race([this.exited, grace(5_000)]);
      }
    }
    if (this.baseDir) await rm(this.baseDir, { recursive: true, force: true });
  },
};

/**
 * Sign and submit `tx` as `signer`, follow it to `isFinalized`.
 * Resolves with the finalized block hash, the tx hash, the statuses seen and
 * the SubmittableResult; rejects on invalid/dropped/usurped or timeout.
 */
function signAndFinalize(tx, signer, what) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const statuses = [];
      let unsub = null;
      let settled = false;
      const settle = (fn, value) => {
        if (settled) return;
        settled = true;
        if (unsub) unsub();
        fn(value);
      };
      tx.signAndSend(signer, (result) => {
        const { status } = result;
        statuses.push(status.type);
        if (status.isFinalized) {
          settle(resolve, {
            blockHash: status.asFinalized.toHex(),
            txHash: (result.txHash ?? tx.hash).toHex(),
            statuses,
            result,
          });
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          settle(reject, new Error(`${what}: status ${status.type} (seen: ${statuses.join(' → ')})\n${node.tail()}`));
        }
      })
        .then((u) => {
          unsub = u;
          if (settled) u();
        })
        .catch((err) => settle(reject, err));
    }),
    FINALIZE_TIMEOUT_MS,
    `${what} to reach isFinalized`,
  );
}

/** Free and reserved balance of `who` at block `hash` (latest if omitted), as BigInt. */
async function balanceAt(hash, who) {
  const at = hash ? await api.at(hash) : api;
  const { data } = await at.query.system.account(who);
  return { free: data.free.toBigInt(), reserved: data.reserved.toBigInt() };
}

/**
 * The block `blockHash` and the index of `txHash` in it, checked two ways:
 * through @polkadot/api's decoding and from the raw JSON (each extrinsic a hex
 * string whose blake2-256 is the transaction hash).
 */
async function locateExtrinsic(blockHash, txHash) {
  const signed = await api.rpc.chain.getBlock(blockHash);
  const header = signed.block.header;
  assert.equal(header.hash.toHex(), blockHash, 'block hash must be blake2_256(SCALE(header))');

  const decoded = signed.block.extrinsics.map((ex) => ex.hash.toHex());
  const index = decoded.indexOf(txHash);
  assert.notEqual(index, -1, `tx ${txHash} not among the extrinsics of ${blockHash}: ${decoded.join(', ')}`);

  const raw = await rawRpc('chain_getBlock', [blockHash]);
  assert.ok(raw.result, `chain_getBlock(${blockHash}) failed: ${JSON.stringify(raw.error)}`);
  const rawExtrinsics = raw.result.block.extrinsics;
  for (const ex of rawExtrinsics) {
    assert.equal(typeof ex, 'string', 'chain_getBlock extrinsics must be hex strings');
    assert.match(ex, /^0x[0-9a-f]*$/);
  }
  assert.equal(blake2AsHex(rawExtrinsics[index], 256), txHash, 'blake2_256(raw extrinsic) must equal the tx hash');
  return { index, header };
}

/** Events of the block `blockHash` emitted while applying extrinsic `index`. */
async function eventsOf(blockHash, index) {
  const at = await api.at(blockHash);
  const records = await at.query.system.events();
  return records
    .filter(({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index)
    .map(({ event }) => event);
}

/** Wait until a finalized head numbered above `above` arrives. */
function nextFinalized(above, what) {
  return withTimeout(
    new Promise((resolve, reject) => {
      let unsub = null;
      let done = false;
      api.rpc.chain
        .subscribeFinalizedHeads((header) => {
          if (!done && header.number.toNumber() > above) {
            done = true;
            if (unsub) unsub();
            resolve(header);
          }
        })
        .then((u) => {
          unsub = u;
          if (done) u();
        })
        .catch(reject);
    }),
    FINALIZE_TIMEOUT_MS,
    what,
  );
}

// ---------------------------------------------------------------- fixture

let api = null;
let provider = null;
let alice, bob, charlie, dave, eve;

before(async () => {
  await node.start();
  await node.waitReady(READY_TIMEOUT_MS);
  await cryptoWaitReady();

  provider = new WsProvider(node.wsUrl);
  try {
    api = await withTimeout(
      ApiPromise.create({ provider, throwOnConnect: true }),
      CONNECT_TIMEOUT_MS,
      `ApiPromise.create on ${node.wsUrl}`,
    );
  } catch (err) {
    await provider.disconnect().catch(() => {});
    provider = null;
    // throwOnConnect rejects with a WebSocket event, not an Error: name the cause.
    const cause = err instanceof Error ? err.message : (err?.message ?? err?.type ?? String(err));
    throw new Error(`@polkadot/api could not connect to ${node.wsUrl}: ${cause}\n${node.tail()}`);
  }

  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  [alice, bob, charlie, dave, eve] = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve'].map((n) => keyring.addFromUri(`//${n}`));
});

after(async () => {
  if (api) await api.disconnect().catch(() => {});
  else if (provider) await provider.disconnect().catch(() => {});
  await node.stop();
});

// ---------------------------------------------------------------- tests

test('identity: runtime version, properties, metadata, finality', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.equal(api.runtimeVersion.specName.toString(), 'ecochain');

  const props = await api.rpc.system.properties();
  assert.ok(props.tokenSymbol.isSome, 'system_properties must have tokenSymbol');
  assert.ok(props.tokenDecimals.isSome, 'system_properties must have tokenDecimals');
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'ECT');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 18);
  assert.deepEqual(api.registry.chainTokens, ['ECT']);
  assert.deepEqual(api.registry.chainDecimals, [18]);

  assert.equal(typeof api.tx.balances.transferKeepAlive, 'function', 'metadata: balances.transferKeepAlive');
  assert.equal(typeof api.tx.ect.transfer, 'function', 'metadata: ect.transfer');
  assert.equal(typeof api.tx.ect.stake, 'function', 'metadata: ect.stake');
  assert.ok(api.events.balances.Transfer, 'metadata: balances.Transfer event');
  assert.ok(api.events.ect.Transferred, 'metadata: ect.Transferred event');
  assert.equal(typeof api.rpc.author.submitExtrinsic, 'function', 'rpc_methods must list author_submitExtrinsic');

  const genesis = await api.rpc.chain.getBlockHash(0);
  assert.equal(genesis.toHex(), api.genesisHash.toHex());

  // Blocks are produced and finalized; a finalized header hashes to its own hash.
  const head = await api.rpc.chain.getFinalizedHead();
  const headNumber = (await api.rpc.chain.getHeader(head)).number.toNumber();
  const next = await nextFinalized(headNumber, `a finalized block above #${headNumber}`);
  const hashOfNext = await api.rpc.chain.getBlockHash(next.number.toNumber());
  assert.equal(next.hash.toHex(), hashOfNext.toHex(), 'header hash must equal chain_getBlockHash(number)');
});

test('balances.transferKeepAlive from //Alice to //Bob is finalized', { timeout: TEST_TIMEOUT_MS }, async () => {
  const tx = api.tx.balances.transferKeepAlive(bob.address, ECT);
  const { blockHash, txHash, result } = await signAndFinalize(tx, alice, 'balances.transferKeepAlive');
  assert.equal(result.dispatchError, undefined, `dispatch failed: ${result.dispatchError?.toString()}`);

  const { index, header } = await locateExtrinsic(blockHash, txHash);
  const parent = header.parentHash.toHex();

  const [bobBefore, bobAfter] = [await balanceAt(parent, bob.address), await balanceAt(blockHash, bob.address)];
  const [aliceBefore, aliceAfter] = [await balanceAt(parent, alice.address), await balanceAt(blockHash, alice.address)];
  assert.equal(bobAfter.free - bobBefore.free, ECT, "Bob's free balance grows by exactly 1 ECT");
  assert.ok(aliceBefore.free - aliceAfter.free >= ECT, "Alice's free balance falls by at least 1 ECT");

  const events = await eventsOf(blockHash, index);
  const transfer = events.find((e) => api.events.balances.Transfer.is(e));
  assert.ok(transfer, `no balances.Transfer among ${events.map((e) => `${e.section}.${e.method}`).join(', ')}`);
  assert.equal(transfer.data.from.toString(), alice.address);
  assert.equal(transfer.data.to.toString(), bob.address);
  assert.equal(transfer.data.amount.toBigInt(), ECT);
  assert.ok(events.some((e) => api.events.system.ExtrinsicSuccess.is(e)), 'system.ExtrinsicSuccess');

  // The same events reached signAndSend's result (it finds the tx in the block by hash).
  assert.ok(result.events.some(({ event }) => api.events.balances.Transfer.is(event)), 'result.events has the Transfer');
});

test('ect.transfer from //Alice to //Charlie is finalized', { timeout: TEST_TIMEOUT_MS }, async () => {
  const amount = 2n * ECT;
  const tx = api.tx.ect.transfer(charlie.address, amount);
  const { blockHash, txHash, result } = await signAndFinalize(tx, alice, 'ect.transfer');
  assert.equal(result.dispatchError, undefined, `dispatch failed: ${result.dispatchError?.toString()}`);

  const { index, header } = await locateExtrinsic(blockHash, txHash);
  const before = await balanceAt(header.parentHash.toHex(), charlie.address);
  const after = await balanceAt(blockHash, charlie.address);
  assert.equal(after.free - before.free, amount, "Charlie's free balance grows by exactly 2 ECT");

  const events = await eventsOf(blockHash, index);
  const transferred = events.find((e) => api.events.ect.Transferred.is(e));
  assert.ok(transferred, `no ect.Transferred among ${events.map((e) => `${e.section}.${e.method}`).join(', ')}`);
  assert.equal(transferred.data.from.toString(), alice.address);
  assert.equal(transferred.data.to.toString(), charlie.address);
  assert.equal(transferred.data.amount.toBigInt(), amount);
});

test('ect.stake holds ECT and emits ect.Staked', { timeout: TEST_TIMEOUT_MS }, async () => {
  const tx = api.tx.ect.stake(ECT);
  const { blockHash, txHash, result } = await signAndFinalize(tx, dave, 'ect.stake');
  assert.equal(result.dispatchError, undefined, `dispatch failed: ${result.dispatchError?.toString()}`);

  const { index, header } = await locateExtrinsic(blockHash, txHash);
  const before = await balanceAt(header.parentHash.toHex(), dave.address);
  const after = await balanceAt(blockHash, dave.address);
  assert.equal(after.reserved - before.reserved, ECT, "Dave's held (reserved) balance grows by 1 ECT");

  const events = await eventsOf(blockHash, index);
  const staked = events.find((e) => api.events.ect.Staked.is(e));
  assert.ok(staked, `no ect.Staked among ${events.map((e) => `${e.section}.${e.method}`).join(', ')}`);
  assert.equal(staked.data.who.toString(), dave.address);
  assert.equal(staked.data.amount.toBigInt(), ECT);
});

test('bad transactions are rejected and the node keeps serving', { timeout: TEST_TIMEOUT_MS }, async () => {
  // 1. Undecodable bytes: JSON-RPC error 1001 (bad format), as Substrate answers.
  const garbage = await rawRpc('author_submitExtrinsic', ['0xdeadbeef']);
  assert.equal(garbage.result, undefined, `garbage was accepted: ${JSON.stringify(garbage)}`);
  assert.equal(garbage.error?.code, 1001, `garbage: expected code 1001, got ${JSON.stringify(garbage.error)}`);

  // 2. A valid transfer whose signature has one flipped bit: 1010 (invalid transaction, bad proof).
  const tx = api.tx.balances.transferKeepAlive(bob.address, ECT);
  await tx.signAsync(alice);
  const bytes = Buffer.from(tx.toU8a());
  const sig = Buffer.from(tx.signature.toU8a());
  const at = bytes.indexOf(sig);
  assert.ok(sig.length === 64 && at > 0, 'signature located in the encoded extrinsic');
  bytes[at + 10] ^= 0x01;
  const badSigHex = `0x${bytes.toString('hex')}`;
  const badSig = await rawRpc('author_submitExtrinsic', [badSigHex]);
  assert.equal(badSig.result, undefined, `bad signature was accepted: ${JSON.stringify(badSig)}`);
  assert.equal(badSig.error?.code, 1010, `bad signature: expected code 1010, got ${JSON.stringify(badSig.error)}`);
  // @polkadot/api surfaces the same rejection as a rejected promise. (Another
  // bit is flipped: the first forgery is now banned, 1012, as in Substrate.)
  bytes[at + 20] ^= 0x01;
  await assert.rejects(
    withTimeout(api.rpc.author.submitExtrinsic(`0x${bytes.toString('hex')}`), 10_000, 'author_submitExtrinsic(bad signature)'),
    /1010/,
  );
  const again = await rawRpc('author_submitExtrinsic', [badSigHex]);
  assert.equal(again.error?.code, 1012, `a resubmitted invalid transaction is banned: ${JSON.stringify(again.error)}`);

  // 3. A stale nonce (Alice has sent transactions): 1010 as well (outdated).
  const { nonce } = await api.query.system.account(alice.address);
  if (nonce.toNumber() > 0) {
    const stale = api.tx.balances.transferKeepAlive(bob.address, ECT);
    await stale.signAsync(alice, { nonce: 0 });
    await assert.rejects(
      withTimeout(api.rpc.author.submitExtrinsic(stale.toHex()), 10_000, 'author_submitExtrinsic(stale nonce)'),
      /1010/,
    );
  }

  // 4. Well-formed but unpayable: included, fails at dispatch, moves nothing.
  const eveFree = (await balanceAt(null, eve.address)).free;
  const overspend = api.tx.balances.transferKeepAlive(bob.address, eveFree * 2n);
  const { blockHash, txHash, result } = await signAndFinalize(overspend, eve, 'overspending transferKeepAlive');
  assert.ok(result.dispatchError, 'overspend must fail at dispatch');
  const { index, header } = await locateExtrinsic(blockHash, txHash);
  const events = await eventsOf(blockHash, index);
  assert.ok(events.some((e) => api.events.system.ExtrinsicFailed.is(e)), 'system.ExtrinsicFailed');
  assert.ok(!events.some((e) => api.events.balances.Transfer.is(e)), 'no balances.Transfer');
  const bobBefore = await balanceAt(header.parentHash.toHex(), bob.address);
  const bobAfter = await balanceAt(blockHash, bob.address);
  assert.equal(bobAfter.free, bobBefore.free, 'Bob received nothing');

  // The node is alive, answers, and keeps finalizing.
  assert.equal(node.exit, null, `the node exited\n${node.tail()}`);
  const health = await rawRpc('system_health');
  assert.equal(health.result?.isSyncing, false, `system_health: ${JSON.stringify(health)}`);
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  await nextFinalized(head, `a finalized block above #${head} after the rejections`);
});
