// End to end: @substrate/api-sidecar 18 (the REST service explorers and
// exchanges run) against a `--dev` node, unmodified. Starts the node and
// sidecar on free ports, submits a transfer with @polkadot/api, and reads it
// back through sidecar's block, account, runtime and transaction endpoints.
// Kills both by PID.
//
//   node --test e2e/sidecar.test.mjs        (scripts/test-e2e.sh runs every e2e test)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { REPO, freePort, start, startDevNode, waitFor } from './harness.mjs';

const ECT = 10n ** 18n;
const SIDECAR = path.join(REPO, 'node_modules', '@substrate', 'api-sidecar', 'build', 'src', 'main.js');

let baseDir;
let node;
let sidecar;
let sidecarUrl;
let api;

/** GET `path` from sidecar: [status, JSON body]. */
async function get(urlPath) {
  const res = await fetch(`${sidecarUrl}${urlPath}`, { signal: AbortSignal.timeout(10_000) });
  return [res.status, await res.json()];
}

before(async () => {
  await cryptoWaitReady();
  baseDir = await mkdtemp(path.join(tmpdir(), 'ecochain-sidecar-'));
  const rpcPort = await freePort();
  node = await startDevNode(baseDir, rpcPort);
  const wsUrl = `ws://127.0.0.1:${rpcPort}`;
  const sidecarPort = await freePort();
  sidecarUrl = `http://127.0.0.1:${sidecarPort}`;
  sidecar = start('api-sidecar', process.execPath, [SIDECAR], {
    SAS_SUBSTRATE_URL: wsUrl,
    SAS_EXPRESS_BIND_HOST: '127.0.0.1',
    SAS_EXPRESS_PORT: String(sidecarPort),
    SAS_LOG_LEVEL: 'warn',
  });
  await waitFor(`sidecar's /blocks/head\n${sidecar.tail()}`, 60_000, async () =>
    (await get('/blocks/head'))[0] === 200 ? true : undefined,
  );
  api = await ApiPromise.create({ provider: new WsProvider(wsUrl), noInitWarn: true });
});

after(async () => {
  await api?.disconnect();
  sidecar?.stop();
  node?.stop();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

test('sidecar serves blocks, accounts, runtime and transaction material', { timeout: 120_000 }, async () => {
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const bob = keyring.addFromUri('//Bob');
  const amount = 7n * ECT;

  // A transfer, followed to finality.
  const blockHash = await new Promise((resolve, reject) => {
    api.tx.balances
      .transferKeepAlive(bob.address, amount)
      .signAndSend(alice, ({ status, dispatchError }) => {
        if (dispatchError) reject(new Error(`transfer failed: ${dispatchError.toString()}`));
        if (status.isFinalized) resolve(status.asFinalized.toHex());
      })
      .catch(reject);
  });
  const number = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();

  // The block, decoded by sidecar: the inherent and the transfer with its events.
  const [status, block] = await get(`/blocks/${number}`);
  assert.equal(status, 200, JSON.stringify(block));
  assert.equal(block.hash, blockHash);
  const methods = block.extrinsics.map((xt) => `${xt.method.pallet}.${xt.method.method}`);
  assert.equal(methods[0], 'timestamp.set', `${methods}`);
  const transfer = block.extrinsics.find((xt) => xt.method.method === 'transferKeepAlive');
  assert.ok(transfer, `no transfer in ${methods}`);
  assert.equal(transfer.success, true);
  assert.equal(BigInt(transfer.args.value), amount);
  const event = transfer.events.find((e) => e.method.pallet === 'balances' && e.method.method === 'Transfer');
  assert.ok(event, JSON.stringify(transfer.events));
  assert.equal(BigInt(event.data[2]), amount);

  for (const urlPath of ['/blocks/head', '/blocks/1', `/accounts/${alice.address}/balance-info`]) {
    const [code, body] = await get(urlPath);
    assert.equal(code, 200, `${urlPath}: ${JSON.stringify(body)}`);
  }
  const [specStatus, spec] = await get('/runtime/spec');
  assert.equal(specStatus, 200);
  assert.equal(spec.specName, 'ecochain');
  const [materialStatus, material] = await get('/transaction/material');
  assert.equal(materialStatus, 200);
  assert.equal(material.genesisHash, api.genesisHash.toHex());
});
