import { Device } from 'mediasoup-client';
import { SignalingClient } from './SignalingClient.js';

/** Three VP8 simulcast layers (quarter, half, full resolution); browsers may drop some. */
const SIMULCAST_ENCODINGS = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150_000 },
	{ scaleResolutionDownBy: 2, maxBitrate: 500_000 },
	{ scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

function deferred() {
	let resolve;
	const promise = new Promise((settle) => { resolve = settle; });
	return { promise, resolve };
}

/**
 * One participant's session in a room, over mediasoup-client: joins, publishes camera
 * and microphone, consumes everyone else's producers and leaves.
 *
 * Events (an EventTarget, `event.detail`): `state` ({ state, error }), `peerjoined`,
 * `peerleft` ({ peerId }), `consumer` ({ consumer, peerId, displayName }),
 * `consumerclosed` ({ consumerId, peerId }), `localstream` ({ stream }).
 */
export class RoomClient extends EventTarget {
	/** This participant's id in the room, once joined. */
	peerId;
	#roomName;
	#displayName;
	#signalingUrl;
	#videoHeight;
	#signaling;
	#device;
	#sendTransport;
	#recvTransport;
	/** Resolves once the receiving transport exists: consumes wait for it. */
	#recvReady = deferred();
	#localStream;
	#state = 'idle';
	#producers = new Map();
	/** consumerId → { consumer, peerId, displayName } */
	#consumers = new Map();
	#consumingProducerIds = new Set();
	/** peerId → displayName */
	#peers = new Map();
	#closedConsumers = [];
	#errors = [];

	constructor({ roomName, displayName, signalingUrl, videoHeight = 720 }) {
		super();
		this.#roomName = roomName;
		this.#displayName = displayName;
		this.#signalingUrl = signalingUrl;
		this.#videoHeight = videoHeight;
	}

	get state() { return this.#state; }
	get #ended() { return this.#state === 'left' || this.#state === 'failed'; }
	get roomName() { return this.#roomName; }
	get peers() { return new Map(this.#peers); }

	async join() {
		this.#setState('connecting');
		try {
			this.#signaling = await SignalingClient.open(this.#signalingUrl);
			this.#signaling.onNotification = (method, data) => this.#handleNotification(method, data);
			this.#signaling.onClose = () => {
				if (this.#state !== 'left') this.#fail(new Error('connection to the server lost'));
			};
			const joined = await this.#signaling.request('join', { room: this.#roomName, displayName: this.#displayName });
			this.peerId = joined.peerId;
			for (const peer of joined.peers) this.#addPeer(peer);

			this.#device = await Device.factory();
			await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
			this.#recvTransport = await this.#createTransport('recv');
			this.#recvReady.resolve();
			this.#sendTransport = await this.#createTransport('send');
			this.#setState('joined');
			for (const peer of joined.peers) {
				for (const { producerId } of peer.producers) this.#consume(producerId);
			}
			await this.#publish();
		} catch (error) {
			this.#fail(error);
		}
	}

	/** Closes everything here and tells the server, which tells the others. */
	async leave() {
		if (this.#state === 'left') return;
		this.#setState('left');
		await this.#teardown();
	}

	async #teardown() {
		for (const producer of this.#producers.values()) producer.close();
		this.#producers.clear();
		for (const { consumer } of this.#consumers.values()) consumer.close();
		this.#consumers.clear();
		this.#sendTransport?.close();
		this.#recvTransport?.close();
		for (const track of this.#localStream?.getTracks() ?? []) track.stop();
		if (this.#signaling?.open) {
			await this.#signaling.request('leave').catch(() => {});
			this.#signaling.close();
		}
	}

	/**
	 * Per remote track, what the receiving RTCPeerConnection's getStats() says:
	 * frames decoded (video) and packets received (audio and video).
	 */
	async remoteMediaStats() {
		if (!this.#recvTransport || this.#recvTransport.closed) return [];
		const report = await this.#recvTransport.getStats();
		const inbound = [...report.values()].filter((stat) => stat.type === 'inbound-rtp');
		return [...this.#consumers.values()].map(({ consumer, peerId, displayName }) => {
			const stat = inbound.find((s) => s.trackIdentifier === consumer.track.id) ?? inbound.find((s) => s.mid === consumer.localId);
			return {
				consumerId: consumer.id,
				producerId: consumer.producerId,
				peerId,
				displayName,
				kind: consumer.kind,
				paused: consumer.paused,
				framesDecoded: stat?.framesDecoded ?? 0,
				packetsReceived: stat?.packetsReceived ?? 0,
				frameWidth: stat?.frameWidth ?? 0,
				frameHeight: stat?.frameHeight ?? 0,
			};
		});
	}

	/** Per sent RTP stream (one per simulcast layer), from the sending RTCPeerConnection. */
	async localMediaStats() {
		if (!this.#sendTransport || this.#sendTransport.closed) return [];
		const report = await this.#sendTransport.getStats();
		return [...report.values()]
			.filter((stat) => stat.type === 'outbound-rtp')
			.map((stat) => ({
				kind: stat.kind,
				rid: stat.rid,
				packetsSent: stat.packetsSent,
				framesEncoded: stat.framesEncoded,
				frameWidth: stat.frameWidth,
				frameHeight: stat.frameHeight,
			}));
	}

	/**
	 * How each transport's media is protected, from its RTCPeerConnection's 'transport'
	 * stats: `{ send: { srtpCipher, dtlsCipher, tlsVersion, dtlsState }, recv: {...} }`.
	 */
	async transportSecurity() {
		const security = {};
		for (const [direction, transport] of [['send', this.#sendTransport], ['recv', this.#recvTransport]]) {
			if (!transport || transport.closed) continue;
			const report = await transport.getStats();
			const stat = [...report.values()].find((s) => s.type === 'transport');
			security[direction] = stat && {
				srtpCipher: stat.srtpCipher,
				dtlsCipher: stat.dtlsCipher,
				tlsVersion: stat.tlsVersion,
				dtlsState: stat.dtlsState,
			};
		}
		return security;
	}

	/** Consumers this page received and later saw closed (the producer went away). */
	get closedConsumers() { return [...this.#closedConsumers]; }
	get errors() { return [...this.#errors]; }

	async #createTransport(direction) {
		const params = await this.#signaling.request('createWebRtcTransport', { direction });
		const transport = direction === 'send'
			? this.#device.createSendTransport(params)
			: this.#device.createRecvTransport(params);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.#signaling.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters }).then(callback, errback);
		});
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
				this.#signaling.request('produce', { transportId: transport.id, kind, rtpParameters }).then(callback, errback);
			});
		}
		transport.on('connectionstatechange', (state) => {
			if (state === 'failed') this.#report(new Error(`${direction} transport failed`));
		});
		return transport;
	}

	async #publish() {
		let stream;
		try {
			stream = await navigator.mediaDevices.getUserMedia({
				audio: true,
				video: { height: { ideal: this.#videoHeight }, aspectRatio: { ideal: 16 / 9 }, frameRate: { ideal: 30 } },
			});
		} catch (error) {
			this.#report(new Error(`no camera/microphone: ${error.message}`));
			return;
		}
		if (this.#ended) {
			for (const track of stream.getTracks()) track.stop();
			return;
		}
		this.#localStream = stream;
		this.dispatchEvent(new CustomEvent('localstream', { detail: { stream } }));
		const [audioTrack] = stream.getAudioTracks();
		const [videoTrack] = stream.getVideoTracks();
		if (audioTrack && this.#device.canProduce('audio')) await this.#produce({ track: audioTrack });
		if (videoTrack && this.#device.canProduce('video')) {
			try {
				await this.#produce({ track: videoTrack, encodings: SIMULCAST_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } });
			} catch (error) {
				// This browser refuses simulcast: one layer then.
				this.#report(new Error(`simulcast refused (${error.message}); sending one layer`));
				await this.#produce({ track: videoTrack });
			}
		}
	}

	async #produce(options) {
		const producer = await this.#sendTransport.produce(options);
		this.#producers.set(producer.id, producer);
	}

	async #consume(producerId) {
		await this.#recvReady.promise;
		if (this.#ended || this.#consumingProducerIds.has(producerId)) return;
		this.#consumingProducerIds.add(producerId);
		try {
			const params = await this.#signaling.request('consume', { producerId, rtpCapabilities: this.#device.recvRtpCapabilities });
			const consumer = await this.#recvTransport.consume(params);
			const entry = { consumer, peerId: params.peerId, displayName: params.displayName };
			this.#consumers.set(consumer.id, entry);
			this.dispatchEvent(new CustomEvent('consumer', { detail: entry }));
			await this.#signaling.request('resumeConsumer', { consumerId: consumer.id });
		} catch (error) {
			this.#consumingProducerIds.delete(producerId);
			if (!this.#ended) this.#report(error);
		}
	}

	#handleNotification(method, data) {
		switch (method) {
			case 'peerJoined':
				this.#addPeer(data);
				break;
			case 'newProducer':
				this.#consume(data.producerId);
				break;
			case 'consumerClosed': {
				const entry = this.#consumers.get(data.consumerId);
				if (!entry) break;
				entry.consumer.close();
				this.#consumers.delete(data.consumerId);
				this.#consumingProducerIds.delete(data.producerId);
				this.#closedConsumers.push({ consumerId: data.consumerId, producerId: data.producerId, peerId: entry.peerId, kind: entry.consumer.kind });
				this.dispatchEvent(new CustomEvent('consumerclosed', { detail: { consumerId: data.consumerId, peerId: entry.peerId } }));
				break;
			}
			case 'peerLeft':
				this.#peers.delete(data.peerId);
				this.dispatchEvent(new CustomEvent('peerleft', { detail: { peerId: data.peerId } }));
				break;
			default:
		}
	}

	#addPeer({ peerId, displayName }) {
		this.#peers.set(peerId, displayName);
		this.dispatchEvent(new CustomEvent('peerjoined', { detail: { peerId, displayName } }));
	}

	#report(error) {
		this.#errors.push(error.message);
		this.dispatchEvent(new CustomEvent('state', { detail: { state: this.#state, error: error.message } }));
	}

	#fail(error) {
		if (this.#state === 'left' || this.#state === 'failed') return;
		this.#errors.push(error.message);
		this.#setState('failed', error.message);
		this.#teardown();
	}

	#setState(state, error) {
		this.#state = state;
		this.dispatchEvent(new CustomEvent('state', { detail: { state, error } }));
	}
}
