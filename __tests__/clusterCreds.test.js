'use strict';

/**
 * NATS credentials files (a user JWT and its nkey seed): a nats-server in operator
 * mode, its operator, account and user JWTs made now with @nats-io/jwt. A node and the
 * app join with creds files of the cluster's account; a user of an account the server
 * does not know is refused by name; a missing file is named.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createOperator, createAccount, createUser } = require('@nats-io/nkeys');
const { encodeOperator, encodeAccount, encodeUser, fmtCreds } = require('@nats-io/jwt');
const { Mafalda } = require('..');
const { waitFor } = require('./helpers/rtp');
const { startNats, startNode } = require('./helpers/cluster');

jest.setTimeout(60000);

describe('a nats-server in operator mode, and creds files', () => {
	let dir;
	let nats;
	let node;
	const creds = {};

	/** A creds file of a new user of `account`. */
	async function credsFile(name, account) {
		const user = createUser();
		const file = path.join(dir, `${name}.creds`);
		const jwt = await encodeUser(name, user, account, { subs: -1, data: -1, payload: -1 });
		fs.writeFileSync(file, fmtCreds(jwt, user), { mode: 0o600 });
		return file;
	}

	beforeAll(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mafalda-creds-'));
		const operator = createOperator();
		const account = createAccount();
		// No limits: the JWT library's defaults allow no connection at all.
		const limits = { conn: -1, subs: -1, data: -1, payload: -1, leaf: -1, imports: -1, exports: -1, wildcards: true };
		const accountJwt = await encodeAccount('cluster', account, { limits }, { signer: operator });
		const config = `operator: ${await encodeOperator('mafalda-test', operator)}\n`
			+ `resolver: MEMORY\nresolver_preload: { ${account.getPublicKey()}: ${accountJwt} }\n`;
		nats = await startNats({ config });
		creds.node = await credsFile('media-1', account);
		creds.app = await credsFile('signaling', account);
		// Signed by an account the server was never told about.
		creds.stranger = await credsFile('stranger', createAccount());
		node = await startNode({ nats: nats.url, nodeId: 'media-1', ip: '127.0.0.2', args: ['--creds', creds.node] }).then((n) => n.ready);
	});

	afterAll(async () => {
		await node?.kill();
		await nats?.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	test('a node (--creds) and the app (credsFile) join; a stranger and a missing file are refused by name', async () => {
		const app = new Mafalda({ maxWorkers: 0, cluster: { servers: nats.url, nodeId: 'signaling', credsFile: creds.app, announcedAddress: '127.0.0.1', heartbeatInterval: 300 } });
		try {
			await app.ready();
			expect(await waitFor(async () => (await app.dump()).nodes.map((n) => n.nodeId).sort().join() === 'media-1,signaling', { timeoutMs: 10000 })).toBe(true);
		} finally {
			app.close();
		}
		const refused = async (credsFile) => {
			const m = new Mafalda({ maxWorkers: 0, cluster: { servers: nats.url, credsFile, announcedAddress: '127.0.0.1' } });
			const error = await m.ready().catch((e) => e);
			m.close();
			return error.message;
		};
		expect(await refused(creds.stranger)).toMatch(new RegExp(`authorization violation: the server does not accept the credentials file ${creds.stranger}`));
		const missing = path.join(dir, 'missing.creds');
		expect(await refused(missing)).toMatch(new RegExp(`cannot use the credentials file ${missing}: .*No such file`));
	});
});
