'use strict';

/**
 * The cluster on a nats-server that wants TLS with client certificates and a user per
 * node: the server runs docs/nats-server.conf as documented (certificates made now
 * with openssl, the passwords and the nkey in its environment). Real mafalda-node
 * processes, RTP counted across them; refused nodes, untrusted certificates and
 * clients without permission, each with the server's own answer.
 */

const fs = require('node:fs');
const path = require('node:path');
const { createUser } = require('@nats-io/nkeys');
const { Mafalda } = require('..');
const { mediaCodecs, opusProducerParameters } = require('./helpers/codecs');
const { rtpSink, rtpSource, waitFor, sleep } = require('./helpers/rtp');
const { startNats, startNode, rawNats } = require('./helpers/cluster');
const { makeTlsFiles } = require('./helpers/tls');

jest.setTimeout(120000);

const CONF = path.join(__dirname, '..', 'docs', 'nats-server.conf');
const SECRETS = {
	MEDIA_1_PASSWORD: 'media-1-pass-8f3a1c',
	SIGNALING_PASSWORD: 'signaling-pass-2b7d90',
	OTHER_PASSWORD: 'other-pass-5e61aa',
};

function writeSecret(dir, name, secret) {
	const file = path.join(dir, name);
	fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
	return file;
}

describe('a cluster on a nats-server with TLS (client certificates verified) and a user per node', () => {
	let tls;
	let nats;
	let seed;
	let tlsFlags;
	let clientTls;
	const nodes = [];
	const cleanups = [];
	let mafalda;

	/** The app's signaling-only node, with these `cluster` options on top of the right ones. */
	const appNode = (cluster = {}) => new Mafalda({
		maxWorkers: 0,
		policy: 'spread',
		cluster: {
			servers: nats.url, nodeId: 'signaling', announcedAddress: '127.0.0.1', heartbeatInterval: 300,
			user: 'signaling', pass: SECRETS.SIGNALING_PASSWORD, tls: clientTls, ...cluster,
		},
	});

	/** ready() of a node with these options: the error it rejects with. */
	async function refusal(cluster) {
		const refused = appNode({ nodeId: 'refused', ...cluster });
		cleanups.push(() => refused.close());
		return refused.ready().then(() => null, (error) => error);
	}

	beforeAll(async () => {
		tls = makeTlsFiles();
		const media2 = createUser();
		seed = new TextDecoder().decode(media2.getSeed());
		const config = fs.readFileSync(CONF, 'utf8').replaceAll('/etc/nats/tls/', `${tls.dir}/`);
		nats = await startNats({ config, scheme: 'tls', env: { ...SECRETS, MEDIA_2_NKEY: media2.getPublicKey() } });
		clientTls = { caFile: tls.ca.cert, certFile: tls.client.cert, keyFile: tls.client.key };
		tlsFlags = ['--tls-ca', tls.ca.cert, '--tls-cert', tls.client.cert, '--tls-key', tls.client.key];
		const passFile = writeSecret(tls.dir, 'media-1.pass', SECRETS.MEDIA_1_PASSWORD);
		const seedFile = writeSecret(tls.dir, 'media-2.nk', seed);
		nodes.push(await startNode({ nats: nats.url, nodeId: 'media-1', ip: '127.0.0.2', args: ['--user', 'media-1', '--pass-file', passFile, ...tlsFlags] }).then((n) => n.ready));
		nodes.push(await startNode({ nats: nats.url, nodeId: 'media-2', ip: '127.0.0.3', args: ['--nkey-file', seedFile, ...tlsFlags] }).then((n) => n.ready));
		mafalda = appNode();
		await mafalda.ready();
		expect(await waitFor(async () => (await mafalda.dump()).nodes.length === 3, { timeoutMs: 10000 })).toBe(true);
	});

	afterAll(async () => {
		for (const cleanup of cleanups.splice(0)) cleanup();
		mafalda?.close();
		await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
		await nats?.stop();
		tls?.remove();
	});

	test('nodes with a password (from a file) and an nkey form a cluster with the app, and RTP crosses servers', async () => {
		const router = await mafalda.createRouter({ mediaCodecs });
		const on = async (nodeId, options) => {
			for (let i = 0; i < 6; i++) {
				const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, ...options });
				if (transport.nodeId === nodeId) return transport;
				transport.close();
			}
			throw new Error(`nothing placed on ${nodeId}`);
		};
		const send = await on('media-1', { comedia: true });
		const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(5151) });
		const receive = await on('media-2');
		const sink = await rtpSink();
		cleanups.push(() => sink.close());
		await receive.connect({ ip: '127.0.0.1', port: sink.port });
		const consumer = await receive.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const { ssrc } = consumer.rtpParameters.encodings[0];
		const source = await rtpSource({ host: '127.0.0.2', port: send.tuple.localPort, ssrc: 5151, payloadType: 111 });
		cleanups.push(() => source.stop());
		expect(await waitFor(() => sink.packets.filter((p) => p.ssrc === ssrc).length >= 50, { timeoutMs: 15000 })).toBe(true);
		expect(consumer.piped).toBe(true);
		source.stop();
		router.close();
	});

	test('no secret is on a node\'s command line, in its output or in dump()', async () => {
		const dump = JSON.stringify(await mafalda.dump());
		for (const node of nodes) {
			const cmdline = fs.readFileSync(`/proc/${node.pid}/cmdline`, 'utf8');
			for (const secret of [...Object.values(SECRETS), seed]) {
				expect(cmdline).not.toContain(secret);
				expect(node.stdout() + node.stderr()).not.toContain(secret);
				expect(dump).not.toContain(secret);
			}
		}
	});

	test('a wrong password: ready() rejects at once, naming the cause and not the password; no retries follow', async () => {
		const error = await refusal({ pass: 'wrong-pass-77d1' });
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(/^cluster: cannot join through NATS at tls:\/\/127\.0\.0\.1:\d+: authorization violation: the server does not accept user "signaling" with a password/);
		expect(error.message).not.toContain('wrong-pass-77d1');
		const violations = () => nats.log.filter((line) => line.includes('authentication error')).length;
		const seen = violations();
		expect(seen).toBeGreaterThan(0);
		await sleep(1500);
		expect(violations()).toBe(seen);
	});

	test('no credentials: ready() rejects, saying the server wants some', async () => {
		const error = await refusal({ user: undefined, pass: undefined });
		expect(error.message).toMatch(/authorization violation: the server requires credentials and none were given \(only a client certificate\)/);
	});

	test('the server\'s certificate signed by a CA the node does not trust: ready() rejects, naming the CA', async () => {
		const error = await refusal({ tls: { ...clientTls, caFile: tls.rogueCa.cert } });
		expect(error.message).toMatch(/TLS: the server's certificate is not signed by a CA this node trusts \(cluster\.tls\.caFile\)/);
		const noCa = await refusal({ tls: { certFile: tls.client.cert, keyFile: tls.client.key } });
		expect(noCa.message).toMatch(/not signed by a CA this node trusts/);
	});

	test('no client certificate, or one of another CA: ready() rejects, naming the client certificate', async () => {
		const none = await refusal({ tls: { caFile: tls.ca.cert } });
		expect(none.message).toMatch(/TLS: the server requires a client certificate \(cluster\.tls\.certFile and keyFile\)/);
		const rogue = await refusal({ tls: { caFile: tls.ca.cert, certFile: tls.rogueClient.cert, keyFile: tls.rogueClient.key } });
		expect(rogue.message).toMatch(/TLS: the server refused this node's client certificate/);
	});

	test('a mafalda-node with a wrong password (MAFALDA_NATS_PASS) exits 1, says why without the password, and never appears', async () => {
		const node = await startNode({
			nats: nats.url, nodeId: 'media-9', ip: '127.0.0.9',
			args: ['--user', 'media-1', ...tlsFlags], env: { MAFALDA_NATS_PASS: 'not-the-pass-4c2e' },
		});
		node.ready.catch(() => {}); // it exits instead
		const { code } = await node.exited;
		expect(code).toBe(1);
		expect(node.stderr()).toMatch(/mafalda-node: cluster: cannot join through NATS at .*authorization violation: the server does not accept user "media-1" with a password/);
		expect(node.stderr() + node.stdout()).not.toContain('not-the-pass-4c2e');
		expect((await mafalda.dump()).nodes.map((n) => n.nodeId).sort()).toEqual(['media-1', 'media-2', 'signaling']);
	});

	test('a client without the cluster\'s permissions cannot publish on mafalda.> nor read its calls; a node cannot call others', async () => {
		const tlsFiles = { ca: tls.ca.cert, cert: tls.client.cert, key: tls.client.key };
		const other = await rawNats(nats.url, { user: 'other', pass: SECRETS.OTHER_PASSWORD, tls: tlsFiles });
		cleanups.push(() => other.close());
		const forged = { nodeId: 'forged', incarnation: 'x', announcedAddress: '127.0.0.66', listenIp: '127.0.0.66', maxWorkers: 64, workers: [], shards: 0, draining: false };
		other.publish('mafalda.heartbeat', JSON.stringify(forged));
		other.publish('mafalda.node.media-1.call', JSON.stringify({ from: 'signaling', op: 'router.create', args: {} }), '_INBOX.other.1');
		other.subscribe('mafalda.node.media-1.call');
		other.subscribe('_INBOX.signaling.>');
		await other.flush();
		expect(other.errors).toEqual([
			'-ERR \'Permissions Violation for Publish to "mafalda.heartbeat"\'',
			'-ERR \'Permissions Violation for Publish to "mafalda.node.media-1.call"\'',
			'-ERR \'Permissions Violation for Subscription to "mafalda.node.media-1.call"\'',
			'-ERR \'Permissions Violation for Subscription to "_INBOX.signaling.>"\'',
		]);
		// A media node's user may answer calls, not make them, nor read another node's.
		const media = await rawNats(nats.url, { user: 'media-1', pass: SECRETS.MEDIA_1_PASSWORD, tls: tlsFiles });
		cleanups.push(() => media.close());
		media.publish('mafalda.node.media-2.call', JSON.stringify({ from: 'media-1', op: 'router.create', args: {} }));
		media.subscribe('mafalda.node.media-2.call');
		await media.flush();
		expect(media.errors).toEqual([
			'-ERR \'Permissions Violation for Publish to "mafalda.node.media-2.call"\'',
			'-ERR \'Permissions Violation for Subscription to "mafalda.node.media-2.call"\'',
		]);
		await sleep(900); // three heartbeat intervals
		expect((await mafalda.dump()).nodes.map((n) => n.nodeId)).not.toContain('forged');
	});
});

test('docs/cluster.md shows docs/nats-server.conf as it is tested', () => {
	const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'cluster.md'), 'utf8');
	expect(doc).toContain(`\`\`\`conf\n${fs.readFileSync(CONF, 'utf8')}\`\`\``);
});

describe('a token, over TLS', () => {
	let tls;
	let nats;
	const TOKEN = 'cluster-token-9d0e3f';

	beforeAll(async () => {
		tls = makeTlsFiles();
		const config = `tls { cert_file: "${tls.server.cert}", key_file: "${tls.server.key}" }\nauthorization { token: $TOKEN }\n`;
		nats = await startNats({ config, scheme: 'tls', env: { TOKEN } });
	});

	afterAll(async () => {
		await nats?.stop();
		tls?.remove();
	});

	test('mafalda-node takes it from --token-file or MAFALDA_NATS_TOKEN; a wrong one is refused by name', async () => {
		const tokenFile = writeSecret(tls.dir, 'token', TOKEN);
		const fromFile = await startNode({ nats: nats.url, nodeId: 'by-file', ip: '127.0.0.2', args: ['--token-file', tokenFile, '--tls-ca', tls.ca.cert] });
		const fromEnv = await startNode({ nats: nats.url, nodeId: 'by-env', ip: '127.0.0.3', args: ['--tls-ca', tls.ca.cert], env: { MAFALDA_NATS_TOKEN: TOKEN } });
		try {
			await Promise.all([fromFile.ready, fromEnv.ready]);
			const app = new Mafalda({ maxWorkers: 0, cluster: { servers: nats.url, token: TOKEN, tls: { caFile: tls.ca.cert }, announcedAddress: '127.0.0.1', heartbeatInterval: 300 } });
			await app.ready();
			expect(await waitFor(async () => (await app.dump()).nodes.length === 3, { timeoutMs: 10000 })).toBe(true);
			app.close();
			const wrong = new Mafalda({ maxWorkers: 0, cluster: { servers: nats.url, token: 'not-it-31f0', tls: { caFile: tls.ca.cert }, announcedAddress: '127.0.0.1' } });
			const error = await wrong.ready().catch((e) => e);
			wrong.close();
			expect(error.message).toMatch(/authorization violation: the server does not accept a token/);
			expect(error.message).not.toContain('not-it-31f0');
			for (const node of [fromFile, fromEnv]) expect(fs.readFileSync(`/proc/${node.pid}/cmdline`, 'utf8')).not.toContain(TOKEN);
		} finally {
			await Promise.all([fromFile.kill(), fromEnv.kill()]);
		}
	});
});

describe('mafalda-node\'s secrets', () => {
	const { spawnSync } = require('node:child_process');
	const bin = path.join(__dirname, '..', 'bin', 'mafalda-node.js');
	const run = (args, env = {}) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20000 });

	test('--help names the files and variables secrets can come from', () => {
		const { status, stderr } = run(['--help']);
		expect(status).toBe(0);
		for (const name of ['--pass-file', '--token-file', '--nkey-file', '--creds', 'MAFALDA_NATS_PASS', 'MAFALDA_NATS_TOKEN', '--metrics-port']) {
			expect(stderr).toContain(name);
		}
	});

	test('a secret on the command line is warned about; a misspelt flag does not print its value', () => {
		const warned = run(['--nats', 'nats://127.0.0.1:1', '--announced-address', '127.0.0.2', '--token', 'flag-secret-1', '--max-workers', '0']);
		expect(warned.stderr).toMatch(/warning: --token on the command line is visible to every user of this machine \(ps\); use --token-file or MAFALDA_NATS_TOKEN/);
		expect(warned.stderr).not.toContain('flag-secret-1');
		expect(warned.status).toBe(1); // nobody listens on port 1
		const misspelt = run(['--passs=hunter2-secret']);
		expect(misspelt.status).toBe(2);
		expect(misspelt.stderr).toContain('unknown flag --passs');
		expect(misspelt.stderr).not.toContain('hunter2-secret');
	});

	test('an unreadable secret file is named, twice-given secrets are refused', () => {
		const missing = run(['--pass-file', '/nonexistent/pass']);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toContain('--pass-file: cannot read /nonexistent/pass (ENOENT)');
		const twice = run(['--token', 'a-secret', '--token-file', __filename]);
		expect(twice.status).toBe(2);
		expect(twice.stderr).toContain('--token-file: the token is given twice');
	});
});
