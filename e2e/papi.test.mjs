// End to end: polkadot-api (PAPI) 2.x, the client the Polkadot ecosystem now
// recommends, against a `--dev` node, unmodified. PAPI speaks only the new
// JSON-RPC spec (chainHead_v1_follow, chainHead_v1_storage / _call / _body,
// transactionWatch_v1_submitAndWatch) and keys runtimes by the hash of `:code`.
// The test connects, reads System.Account, signs an sr25519 transfer and sees
// it finalized with its event, then reads the new balances and the block's
// body back through PAPI. Kills the node by PID.
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

import { freePort, startDevNode } from './harness.mjs';

const ECT = 10n ** 18n;
const TEST_TIMEOUT_MS = 120_000;

let baseDir;
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
  const port = await freePort();
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
