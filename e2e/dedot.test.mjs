// End to end: dedot 1.3 against a `--dev` node, unmodified. dedot tries the
// new JSON-RPC spec first and falls back to the legacy methods when a node
// lacks it; this test requires that it stays on the new spec (`rpcVersion`
// 'v2': chainHead_v1 for blocks, storage and runtime calls,
// transactionWatch_v1 for submission), reads System.Account, signs a transfer
// with an sr25519 @polkadot/keyring pair and sees it finalized with its event.
// The same transfer through dedot's `LegacyClient` (the legacy methods).
// Kills the node by PID.
//
//   node --test e2e/dedot.test.mjs        (scripts/test-e2e.sh runs every e2e test)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DedotClient, LegacyClient, WsProvider } from 'dedot';

import { freePort, startDevNode } from './harness.mjs';

const ECT = 10n ** 18n;
const TEST_TIMEOUT_MS = 120_000;

let baseDir;
let node;
let client;
let legacy;
let alice;
let bob;

before(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  baseDir = await mkdtemp(path.join(tmpdir(), 'ecochain-dedot-'));
  const port = await freePort();
  node = await startDevNode(baseDir, port);
  client = await DedotClient.new(new WsProvider(`ws://127.0.0.1:${port}`));
  legacy = await LegacyClient.new(new WsProvider(`ws://127.0.0.1:${port}`));
});

after(async () => {
  await client?.disconnect().catch(() => {});
  await legacy?.disconnect().catch(() => {});
  node?.stop();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

test('dedot stays on the new JSON-RPC spec and reads System.Account', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.equal(client.rpcVersion, 'v2', 'no fallback to the legacy methods');
  assert.equal(client.runtimeVersion.specName, 'ecochain');
  const account = await client.query.system.account(alice.address);
  assert.ok(account.data.free > 1_000_000n * ECT, `Alice's free balance: ${account.data.free}`);
});

/** Alice pays Bob `amount` through `api`; checks the event and Bob's balance. */
async function transferAndCheck(api, amount) {
  const before = (await api.query.system.account(bob.address)).data.free;
  const finalized = await new Promise((resolve, reject) => {
    api.tx.balances
      .transferKeepAlive(bob.address, amount)
      .signAndSend(alice, ({ status, events, dispatchError }) => {
        if (status.type === 'Finalized') resolve({ status, events, dispatchError });
        if (status.type === 'Invalid' || status.type === 'Drop') reject(new Error(`transfer ${status.type}`));
      })
      .catch(reject);
  });
  assert.equal(finalized.dispatchError, undefined);
  const transfer = finalized.events.find(
    ({ event }) => event.pallet === 'Balances' && event.palletEvent.name === 'Transfer',
  );
  assert.ok(transfer, 'a Balances.Transfer event');
  assert.equal(transfer.event.palletEvent.data.amount, amount);
  const afterwards = (await api.query.system.account(bob.address)).data.free;
  assert.equal(afterwards - before, amount, "Bob's balance moved by exactly the amount");
}

test('dedot signs an sr25519 transfer and sees it finalized', { timeout: TEST_TIMEOUT_MS }, async () => {
  await transferAndCheck(client, 2n * ECT);
});

test('dedot LegacyClient makes the same transfer over the legacy methods', { timeout: TEST_TIMEOUT_MS }, async () => {
  assert.equal(legacy.rpcVersion, 'legacy');
  await transferAndCheck(legacy, 3n * ECT);
});
