'use strict';

/**
 * Certificates made at test time with the openssl CLI: a CA, a server certificate
 * for 127.0.0.1 and client certificates it signed, plus a second CA nobody trusts
 * (with a client certificate of its own). Files in a fresh temporary folder.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function openssl(dir, args) {
	execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA: `<name>.pem` and `<name>-key.pem`. */
function makeCa(dir, name) {
	openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
	return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}-key.pem`) };
}

/** A certificate signed by `ca`: `<name>-cert.pem`, `<name>-key.pem`. */
function makeCert(dir, ca, name, extensions) {
	const ext = path.join(dir, `${name}.ext`);
	fs.writeFileSync(ext, `${extensions}\n`);
	openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
		'-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
	openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
		'-out', `${name}-cert.pem`, '-days', '2', '-extfile', ext]);
	return { cert: path.join(dir, `${name}-cert.pem`), key: path.join(dir, `${name}-key.pem`) };
}

function makeTlsFiles() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mafalda-tls-'));
	const ca = makeCa(dir, 'ca');
	const rogueCa = makeCa(dir, 'rogue-ca');
	const client = 'extendedKeyUsage=clientAuth';
	return {
		dir,
		ca,
		rogueCa,
		server: makeCert(dir, ca, 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'),
		client: makeCert(dir, ca, 'client', client),
		rogueClient: makeCert(dir, rogueCa, 'rogue-client', client),
		remove: () => fs.rmSync(dir, { recursive: true, force: true }),
	};
}

module.exports = { makeTlsFiles };
