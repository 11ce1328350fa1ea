// End to end: polkadot-api (PAPI) 2.x, the client the Polkadot ecosystem now
// recommends, against a `--dev` node, unmodified. PAPI speaks only the new
// JSON-RPC spec (chainHead_v1_follow, chainHead_v1_storage / _call / _body,
// transactionWatch_v1_submitAndWatch) and keys runtimes by the hash of `:code`.
// The test connects, reads System.Account, signs an sr25519 transfer and sees
// it finalized with its event, then reads the new balances and the block's
// body back through PAPI. Then the node restarts as a runtime with a higher
// spec_version (`--dev-spec-version`, what a new build does): the same PAPI
// client reconnects, follows the change and transfers under both runtimes.
// Kills the node by PID.
//
//   node --test e2e/papi.test.mjs        (scripts/test-e2e.sh runs every e2e test)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { createClient } from 'polkadot-api';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { getWsProvider } from 'polkadot-api/ws';
import WebSocket from 'ws';

import { freePort, startDevNode, waitFor } from './harness.mjs';

const ECT = 10n ** 18n;
const TEST_TIMEOUT_MS = 120_000;

let baseDir;
let port;
let node;
let client;
let api;
let alice;
let bob;


/** Resolve `promise`, or reject after `ms` naming `what` (with the node's log). */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}\n${node.tail()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

before(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');

  baseDir = await mkdtemp(path.join(tmpdir(), 'ecochain-papi-'));
  port = await freePort();
  node = await startDevNode(baseDir, port);
  // Node 20 has no global WebSocket: PAPI takes the `ws` package's class.
  client = createClient(getWsProvider(`ws://127.0.0.1:${port}`, { websocketClass: WebSocket }));
  api = client.getUnsafeApi();
});

after(async () => {
  client?.destroy();
  node?.stop();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

test('PAPI follows the chain and reads System.Account', { timeout: TEST_TIMEOUT_MS }, async () => {
  const finalized = await within(client.getFinalizedBlock(), 30_000, 'the first finalized block');
  assert.equal(typeof finalized.hash, 'string');
  assert.ok(finalized.number >= 0);
  const spec = await within(client.getChainSpecData(), 10_000, 'chain spec data');
  assert.equal(spec.properties.tokenSymbol, 'ECT');
  const account = await within(api.query.System.Account.getValue(alice.address), 30_000, 'System.Account');
  assert.ok(account.data.free > 1_000_000n * ECT, `Alice's free balance: ${account.data.free}`);
  const version = await within(api.constants.System.Version(), 10_000, 'System.Version');
  assert.equal(version.spec_name, 'ecochain');
});

test('PAPI signs an sr25519 transfer and sees it finalized', { timeout: TEST_TIMEOUT_MS }, async () => {
  const before = await api.query.System.Account.getValue(bob.address, { at: 'finalized' });
  const signer = getPolkadotSigner(alice.publicKey, 'Sr25519', (message) => alice.sign(message));
  const tx = api.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: bob.address }, value: 3n * ECT });
  const result = await within(tx.signAndSubmit(signer), 60_000, 'the transfer to be finalized');
  assert.equal(result.ok, true, `dispatch failed: ${JSON.stringify(result.dispatchError)}`);
  const transfer = result.events.find((e) => e.type === 'Balances' && e.value.type === 'Transfer');
  assert.ok(transfer, `a Balances.Transfer event among ${result.events.map((e) => `${e.type}.${e.value.type}`)}`);
  assert.equal(transfer.value.value.amount, 3n * ECT);
  assert.equal(transfer.value.value.to, bob.address);

  const afterwards = await api.query.System.Account.getValue(bob.address, { at: result.block.hash });
  assert.equal(afterwards.data.free - before.data.free, 3n * ECT, "Bob's balance moved by exactly the amount");
  const body = await within(client.getBlockBody(result.block.hash), 10_000, 'the block body');
  assert.ok(body.length >= 2, 'the timestamp inherent and the transfer');
  assert.equal(blake2AsHex(body[result.block.index]), result.txHash, 'the transfer is at the index PAPI reports');
});

/** Raw JSON-RPC to the node, for what PAPI does not expose (headers by number). */
async function rpc(method, params = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** The spec_version in a `:code` value (hex): magic, then the SCALE RuntimeVersion. */
function specVersionAt(codeHex) {
  const bytes = Buffer.from(codeHex.slice(2), 'hex');
  let at = Buffer.from('ecochain:native-runtime:v1:').length;
  for (let name = 0; name < 2; name++) {
    const len = bytes[at] >> 2; // single-byte compact: names are shorter than 64 bytes
    at += 1 + len;
  }
  return bytes.readUInt32LE(at + 4); // after authoring_version
}

/** Alice sends `amount` to Bob; the finalized result with its Transfer event checked. */
async function transferToBob(amount, what) {
  const signer = getPolkadotSigner(alice.publicKey, 'Sr25519', (message) => alice.sign(message));
  const tx = api.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: bob.address }, value: amount });
  const result = await within(tx.signAndSubmit(signer), 60_000, what);
  assert.equal(result.ok, true, `${what}: dispatch failed: ${JSON.stringify(result.dispatchError)}`);
  const transfer = result.events.find((e) => e.type === 'Balances' && e.value.type === 'Transfer');
  assert.equal(transfer?.value.value.amount, amount, `${what}: the Transfer event decoded`);
  return result;
}

test('PAPI follows a runtime change across a node restart', { timeout: 2 * TEST_TIMEOUT_MS }, async () => {
  const before = (await within(api.constants.System.Version(), 10_000, 'System.Version')).spec_version;
  // Old side: a transfer signed for, and decoded with, the running runtime.
  const old = await transferToBob(1n * ECT, 'the transfer under the old runtime');

  // A node restarted with a newer runtime (`--dev-spec-version`: the same
  // code, another version; a development-chain knob).
  await node.stop();
  node = await startDevNode(baseDir, port, ['--dev-spec-version', String(before + 1)]);

  // The same client reconnects by itself and sees the new runtime: its
  // metadata's System.Version, fetched when a block announces `newRuntime`.
  await waitFor('PAPI to follow the new runtime', 90_000, async () => {
    const v = await api.constants.System.Version();
    return v.spec_version === before + 1 ? v : undefined;
  });
  // New side: a transfer PAPI must sign for the new spec_version (the
  // runtime checks it) and whose events it decodes with the new metadata.
  const next = await transferToBob(2n * ECT, 'the transfer under the new runtime');
  assert.ok(next.block.number > old.block.number);

  // Exactly one block in between records the change: `:code` rewritten and
  // RuntimeEnvironmentUpdated (digest item 8) in its header.
  const upgrades = [];
  for (let n = old.block.number + 1; n <= next.block.number; n++) {
    const hash = await rpc('chain_getBlockHash', [n]);
    const header = await rpc('chain_getHeader', [hash]);
    if (header.digest.logs.includes('0x08')) upgrades.push({ n, hash });
  }
  assert.equal(upgrades.length, 1, `one block announces the new runtime: ${JSON.stringify(upgrades)}`);
  const [{ n, hash }] = upgrades;
  const parent = await rpc('chain_getBlockHash', [n - 1]);
  const codeBefore = await rpc('state_getStorage', ['0x3a636f6465', parent]);
  const codeAfter = await rpc('state_getStorage', ['0x3a636f6465', hash]);
  assert.notEqual(codeBefore, codeAfter, ':code changes in that block');
  // `:code` is a magic prefix, then the SCALE RuntimeVersion: two compact-length
  // strings (spec and impl name), then the u32s authoring_version and spec_version.
  assert.equal(specVersionAt(codeBefore), before);
  assert.equal(specVersionAt(codeAfter), before + 1);
});
