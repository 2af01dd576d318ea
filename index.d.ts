// Typings of mafalda-sfu: the mediasoup-shaped API of lib/. Checked by
// __tests__/typings.test.js (tsc --noEmit over examples/typed.ts).

// Node.js types (EventEmitter, Buffer) come from @types/node, which every TypeScript app on Node has.
/// <reference types="node" />
import { EventEmitter } from 'node:events';

export type AppData = Record<string, unknown>;
export type MediaKind = 'audio' | 'video';

export interface RtcpFeedback { type: string; parameter?: string }

export interface RtpCodecCapability {
	kind: MediaKind;
	mimeType: string;
	preferredPayloadType?: number;
	clockRate: number;
	channels?: number;
	parameters?: Record<string, unknown>;
	rtcpFeedback?: RtcpFeedback[];
}

export interface RtpHeaderExtension {
	kind: MediaKind;
	uri: string;
	preferredId: number;
	preferredEncrypt?: boolean;
	direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
}

export interface RtpCapabilities {
	codecs?: RtpCodecCapability[];
	headerExtensions?: RtpHeaderExtension[];
}

export interface RtpCodecParameters {
	mimeType: string;
	payloadType: number;
	clockRate: number;
	channels?: number;
	parameters?: Record<string, unknown>;
	rtcpFeedback?: RtcpFeedback[];
}

export interface RtpEncodingParameters {
	ssrc?: number;
	rid?: string;
	codecPayloadType?: number;
	rtx?: { ssrc: number };
	dtx?: boolean;
	scalabilityMode?: string;
	scaleResolutionDownBy?: number;
	maxBitrate?: number;
}

export interface RtpParameters {
	mid?: string;
	codecs: RtpCodecParameters[];
	headerExtensions?: { uri: string; id: number; encrypt?: boolean }[];
	encodings?: RtpEncodingParameters[];
	rtcp?: { cname?: string; reducedSize?: boolean; mux?: boolean };
}

export interface TransportTuple {
	localIp: string;
	localPort: number;
	remoteIp?: string;
	remotePort?: number;
	protocol: 'udp' | 'tcp';
}

export type TransportListenIp = string | { ip: string; announcedIp?: string };
export interface TransportListenInfo {
	protocol?: 'udp' | 'tcp';
	ip: string;
	announcedAddress?: string;
	announcedIp?: string;
	port?: number;
	portRange?: { min: number; max: number };
	flags?: { ipv6Only?: boolean; udpReusePort?: boolean };
	sendBufferSize?: number;
	recvBufferSize?: number;
	exposeInternalIp?: boolean;
}
export interface NumSctpStreams { OS: number; MIS: number }
export interface SctpStreamParameters { streamId: number; ordered?: boolean; maxPacketLifeTime?: number; maxRetransmits?: number }
export interface SrtpParameters { cryptoSuite: string; keyBase64: string }
export interface DtlsParameters { role?: 'auto' | 'client' | 'server'; fingerprints: { algorithm: string; value: string }[] }
export interface IceParameters { usernameFragment: string; password: string; iceLite?: boolean }
export interface IceCandidate { foundation: string; priority: number; address: string; ip: string; protocol: 'udp' | 'tcp'; port: number; type: 'host'; tcpType?: 'passive' }
export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';
export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Worker settings, as mediasoup's (applied to every worker of the pool). */
export interface WorkerSettings {
	logLevel?: 'debug' | 'warn' | 'error' | 'none';
	logTags?: string[];
	rtcMinPort?: number;
	rtcMaxPort?: number;
	dtlsCertificateFile?: string;
	dtlsPrivateKeyFile?: string;
}

export type PlacementPolicy = 'pack' | 'spread' | 'least-loaded';

/** Membership in a cluster of servers coordinated over NATS (docs/cluster.md). */
export interface ClusterOptions {
	/** NATS server URL(s), e.g. 'tls://10.0.0.1:4222': servers of one NATS cluster; the client moves to another when one goes. */
	servers: string | string[];
	/** Unique in the cluster: letters, digits, '-' or '_' (default: random). */
	nodeId?: string;
	/** What clients and other nodes use to reach this node's media. */
	announcedAddress?: string;
	/** Where this node's transports and pipes listen (default: announcedAddress). */
	listenIp?: string;
	/** NATS credentials: one of token, user and pass, nkey (a seed, 'SU...'), credsFile (user JWT and seed). */
	token?: string;
	user?: string;
	pass?: string;
	nkey?: string;
	credsFile?: string;
	/** TLS: the CA of the servers' certificates; a client certificate for servers that verify clients. */
	tls?: { caFile?: string; certFile?: string; keyFile?: string };
	/** Milliseconds between heartbeats (default 1000). */
	heartbeatInterval?: number;
	/** Milliseconds without a heartbeat before a node is lost (default 3 × heartbeatInterval). */
	nodeTimeout?: number;
	/** Milliseconds a call to an object on another node may take (default 5000). */
	requestTimeout?: number;
	/** `needmoreservers` fires when the cluster's idle cores fall under this (default 0.5). */
	minFreeCores?: number;
}

export interface ClusterNode {
	nodeId: string;
	announcedAddress: string;
	listenIp: string;
	/** This process. */
	self: boolean;
	draining: boolean;
	maxWorkers: number;
	/** Per-worker routers it runs (for routers of any node). */
	shards: number;
	workers: { id: string; load: number }[];
}

export interface MafaldaOptions {
	/** At most this many workers (default: the number of cores, re-read while running; 0 only with `cluster`: a signaling-only node). */
	maxWorkers?: number;
	/** Milliseconds a worker that hosts nothing stays up (default 30000). */
	workerIdleTimeout?: number;
	/** Load, as a fraction of one core, above which 'pack' starts no new room on a worker (default 0.4). */
	watermark?: number;
	/** Load, as a fraction of one core, up to which 'pack' lets a room grow on a worker it is already on (default 0.7). */
	roomCeiling?: number;
	/** Where new transports go (default 'pack'). */
	policy?: PlacementPolicy;
	/**
	 * 'process' (default): each worker in a child process of its own (`mafalda-worker-host`),
	 * as mediasoup runs them, so that a worker that dies takes only its own objects with it;
	 * 'thread': threads of this process.
	 */
	workerBacking?: 'process' | 'thread';
	/** The worker host binary (default: `MAFALDA_WORKER_HOST`, else the one next to the addon). */
	workerHost?: string;
	workerSettings?: WorkerSettings;
	/** Milliseconds between CPU samples of the workers (default 500). */
	sampleInterval?: number;
	/**
	 * Each worker gets a WebRtcServer on these listen infos (give a portRange so that
	 * every worker finds a port); WebRTC transports created without listen infos use it.
	 */
	webRtcServerOptions?: { listenInfos: TransportListenInfo[] };
	cluster?: ClusterOptions;
}

export interface PlacementDecision {
	atMs: number;
	subject: string;
	policy: PlacementPolicy;
	watermark: number;
	roomCeiling: number;
	maxWorkers: number;
	cost: number;
	candidates: { key: number; load: number; hasShard: boolean; routers: number; roomMembers: number; reserved: number }[];
	reason: string;
	workerId: string;
}

export interface MafaldaDump {
	policy: PlacementPolicy;
	watermark: number;
	roomCeiling: number;
	maxWorkers: number;
	workerIdleTimeout: number;
	workerBacking: 'process' | 'thread';
	routerIds: string[];
	workers: {
		id: string;
		/** Blended load the scheduler uses, fraction of one core. */
		load: number;
		/** Measured CPU share of the worker thread. */
		cpu: number;
		/** The process it runs in: its worker host (this process's pid for a thread worker). */
		pid: number;
		/** Its worker thread (in that process). */
		tid: number | null;
		/** Milliseconds from asking for it until it ran. */
		startMs: number;
		holdings: { transports: number; producers: number; consumers: number; pipes: number };
		shards: { routerId: string; shardRouterId: string; transportIds: string[] }[];
		pipes: { fromWorkerId: string; toWorkerId: string | null; producerIds: string[]; dataProducerIds: string[] }[];
	}[];
	decisions: PlacementDecision[];
	/** With `cluster`: this node's id, every node it knows (itself included), the pipes between nodes and the last node placements. */
	nodeId: string | null;
	nodes: ClusterNode[] | null;
	nodePipes: { routerId: string; fromNodeId: string; toNodeId: string; producerId: string }[];
	nodeDecisions: { subject: string; nodeId: string; reason: string; candidates: any[] }[] | null;
}

/** The versions the mediasoup worker runs on, read from the libraries linked into this process. */
export function nativeVersions(): { openssl: string; libuv: string; libsrtp: string; libsrtpCrypto: string };

export class UnsupportedError extends Error {}
export class InvalidStateError extends Error {}

export class Mafalda extends EventEmitter {
	constructor(options?: MafaldaOptions);
	get closed(): boolean;
	get observer(): EventEmitter;
	createRouter(options?: { mediaCodecs?: RtpCodecCapability[]; appData?: AppData }): Promise<MafaldaRouter>;
	createWebRtcServer(options: { listenInfos: TransportListenInfo[]; appData?: AppData }): Promise<WebRtcServer>;
	dump(): Promise<MafaldaDump>;
	/** Resolves once this node joined its cluster (at once without one); rejects when refused. */
	ready(): Promise<void>;
	/** No new placements on this node; resolves once nothing is left on it. */
	drain(): Promise<void>;
	/** This node's metrics, in Prometheus' text format (docs/cluster.md, "Metrics"). */
	metrics(): Promise<string>;
	/** A handler answering with `metrics()`, for `http.createServer()` or a framework's route. */
	metricsHandler(): (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void;
	housekeep(): void;
	simulateWorkerDeath(workerId: string): void;
	close(): void;
	/** A worker died (its process was killed or crashed): `error` says how, `[pid:…, code:…, signal:…]`. */
	on(event: 'workerdied', listener: (info: { workerId: string; pid: number; error: Error; routers: MafaldaRouter[] }) => void): this;
	on(event: 'nodeadded', listener: (info: { nodeId: string; announcedAddress: string }) => void): this;
	on(event: 'nodelost', listener: (info: { nodeId: string; routers: MafaldaRouter[] }) => void): this;
	on(event: 'needmoreservers', listener: (info: { freeCores: number; threshold: number; nodes: number }) => void): this;
	on(event: 'clustererror', listener: (info: { message: string }) => void): this;
	on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface WebRtcTransportOptions {
	webRtcServer?: WebRtcServer;
	listenInfos?: TransportListenInfo[];
	listenIps?: TransportListenIp[];
	port?: number;
	enableUdp?: boolean;
	enableTcp?: boolean;
	preferUdp?: boolean;
	preferTcp?: boolean;
	initialAvailableOutgoingBitrate?: number;
	iceConsentTimeout?: number;
	enableSctp?: boolean;
	numSctpStreams?: NumSctpStreams;
	maxSctpMessageSize?: number;
	sctpSendBufferSize?: number;
	appData?: AppData;
}

export interface PlainTransportOptions {
	listenInfo?: TransportListenInfo;
	rtcpListenInfo?: TransportListenInfo;
	listenIp?: TransportListenIp;
	port?: number;
	rtcpMux?: boolean;
	comedia?: boolean;
	enableSctp?: boolean;
	numSctpStreams?: NumSctpStreams;
	maxSctpMessageSize?: number;
	sctpSendBufferSize?: number;
	enableSrtp?: boolean;
	srtpCryptoSuite?: string;
	appData?: AppData;
}

export interface PipeTransportOptions {
	listenInfo?: TransportListenInfo;
	listenIp?: TransportListenIp;
	port?: number;
	enableSctp?: boolean;
	numSctpStreams?: NumSctpStreams;
	maxSctpMessageSize?: number;
	sctpSendBufferSize?: number;
	enableRtx?: boolean;
	enableSrtp?: boolean;
	appData?: AppData;
}

/** What every object of the API shares (lib/NativeObject.js). */
export class NativeObject extends EventEmitter {
	get closed(): boolean;
	get appData(): AppData;
	set appData(appData: AppData);
	get observer(): EventEmitter;
	close(): void;
}

export class WebRtcServer extends NativeObject {
	get id(): string;
	/** Id of the pool worker the server and its transports live on. */
	get workerId(): string | undefined;
	dump(): Promise<any>;
	on(event: 'workerclose', listener: () => void): this;
	on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export class MafaldaRouter extends NativeObject {
	get id(): string;
	get rtpCapabilities(): RtpCapabilities;
	dump(): Promise<any>;
	createWebRtcTransport(options: WebRtcTransportOptions): Promise<WebRtcTransport>;
	createPlainTransport(options: PlainTransportOptions): Promise<PlainTransport>;
	createPipeTransport(options: PipeTransportOptions): Promise<PipeTransport>;
	createDirectTransport(options?: { maxMessageSize?: number; appData?: AppData }): Promise<DirectTransport>;
	createAudioLevelObserver(options?: { maxEntries?: number; threshold?: number; interval?: number; appData?: AppData }): Promise<AudioLevelObserver>;
	createActiveSpeakerObserver(options?: { interval?: number; appData?: AppData }): Promise<ActiveSpeakerObserver>;
	canConsume(options: { producerId: string; rtpCapabilities: RtpCapabilities }): boolean;
	pipeToRouter(options: {
		producerId?: string;
		dataProducerId?: string;
		router: MafaldaRouter;
		listenIp?: TransportListenIp;
		listenInfo?: TransportListenInfo;
		enableSctp?: boolean;
		numSctpStreams?: NumSctpStreams;
		enableRtx?: boolean;
		enableSrtp?: boolean;
	}): Promise<{ pipeConsumer?: Consumer; pipeProducer?: Producer; pipeDataConsumer?: DataConsumer; pipeDataProducer?: DataProducer }>;
}

export class Transport extends NativeObject {
	get id(): string;
	/** Id of the worker (CPU core) the scheduler placed this transport on (on this node). */
	get workerId(): string | undefined;
	/** Node of the cluster it lives on (undefined: this one). */
	get nodeId(): string | undefined;
	dump(): Promise<any>;
	getStats(): Promise<any[]>;
	setMaxIncomingBitrate(bitrate: number): Promise<void>;
	setMaxOutgoingBitrate(bitrate: number): Promise<void>;
	setMinOutgoingBitrate(bitrate: number): Promise<void>;
	enableTraceEvent(types?: ('probation' | 'bwe')[]): Promise<void>;
	produce(options: { id?: string; kind: MediaKind; rtpParameters: RtpParameters; paused?: boolean; keyFrameRequestDelay?: number; appData?: AppData }): Promise<Producer>;
	consume(options: { producerId: string; rtpCapabilities: RtpCapabilities; paused?: boolean; mid?: string; preferredLayers?: ConsumerLayers; enableRtx?: boolean; pipe?: boolean; appData?: AppData }): Promise<Consumer>;
	produceData(options?: { id?: string; sctpStreamParameters?: SctpStreamParameters; label?: string; protocol?: string; paused?: boolean; appData?: AppData }): Promise<DataProducer>;
	consumeData(options: { dataProducerId: string; ordered?: boolean; maxPacketLifeTime?: number; maxRetransmits?: number; paused?: boolean; subchannels?: number[]; appData?: AppData }): Promise<DataConsumer>;
}

export class WebRtcTransport extends Transport {
	get iceRole(): 'controlled';
	get iceParameters(): IceParameters;
	get iceCandidates(): IceCandidate[];
	get iceState(): IceState;
	get iceSelectedTuple(): TransportTuple | undefined;
	get dtlsParameters(): DtlsParameters;
	get dtlsState(): DtlsState;
	get dtlsRemoteCert(): string | undefined;
	get sctpParameters(): any;
	get sctpState(): SctpState | undefined;
	connect(options: { dtlsParameters: DtlsParameters }): Promise<void>;
	restartIce(): Promise<IceParameters>;
}

export class PlainTransport extends Transport {
	get tuple(): TransportTuple;
	get rtcpTuple(): TransportTuple | undefined;
	get sctpParameters(): any;
	get sctpState(): SctpState | undefined;
	get srtpParameters(): SrtpParameters | undefined;
	connect(options: { ip?: string; port?: number; rtcpPort?: number; srtpParameters?: SrtpParameters }): Promise<void>;
}

export class PipeTransport extends Transport {
	get tuple(): TransportTuple;
	get sctpParameters(): any;
	get sctpState(): SctpState | undefined;
	get srtpParameters(): SrtpParameters | undefined;
	connect(options: { ip: string; port: number; srtpParameters?: SrtpParameters }): Promise<void>;
}

export class DirectTransport extends Transport {
	connect(): Promise<void>;
	sendRtcp(rtcpPacket: Buffer): void;
}

export interface ConsumerLayers { spatialLayer: number; temporalLayer?: number }

export class Producer extends NativeObject {
	get id(): string;
	get kind(): MediaKind;
	get rtpParameters(): RtpParameters;
	get type(): 'simple' | 'simulcast' | 'svc';
	get consumableRtpParameters(): RtpParameters;
	get paused(): boolean;
	get score(): { ssrc: number; rid?: string; score: number }[];
	dump(): Promise<any>;
	getStats(): Promise<any[]>;
	pause(): Promise<void>;
	resume(): Promise<void>;
	enableTraceEvent(types?: string[]): Promise<void>;
	send(rtpPacket: Buffer): void;
}

export class Consumer extends NativeObject {
	get id(): string;
	get producerId(): string;
	get kind(): MediaKind;
	get rtpParameters(): RtpParameters;
	get type(): 'simple' | 'simulcast' | 'svc' | 'pipe';
	get paused(): boolean;
	get producerPaused(): boolean;
	get priority(): number;
	get score(): { score: number; producerScore: number; producerScores: number[] };
	get preferredLayers(): ConsumerLayers | undefined;
	get currentLayers(): ConsumerLayers | undefined;
	/** Whether its producer lives on another worker and is piped to this one. */
	get piped(): boolean;
	dump(): Promise<any>;
	getStats(): Promise<any[]>;
	pause(): Promise<void>;
	resume(): Promise<void>;
	setPreferredLayers(layers: ConsumerLayers): Promise<void>;
	setPriority(priority: number): Promise<void>;
	unsetPriority(): Promise<void>;
	requestKeyFrame(): Promise<void>;
	enableTraceEvent(types?: string[]): Promise<void>;
}

export class DataProducer extends NativeObject {
	get id(): string;
	get type(): 'sctp' | 'direct';
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	get label(): string;
	get protocol(): string;
	get paused(): boolean;
	dump(): Promise<any>;
	getStats(): Promise<any[]>;
	/** Pausing SCTP data producers rejects with UnsupportedError (3.8 worker); DirectTransport ones pause. */
	pause(): Promise<void>;
	resume(): Promise<void>;
	send(message: string | Buffer, ppid?: number, subchannels?: number[], requiredSubchannel?: number): void;
}

export class DataConsumer extends NativeObject {
	get id(): string;
	get dataProducerId(): string;
	get type(): 'sctp' | 'direct';
	get sctpStreamParameters(): SctpStreamParameters | undefined;
	get label(): string;
	get protocol(): string;
	get paused(): boolean;
	get dataProducerPaused(): boolean;
	get subchannels(): number[];
	dump(): Promise<any>;
	getStats(): Promise<any[]>;
	pause(): Promise<void>;
	resume(): Promise<void>;
	setSubchannels(subchannels: number[]): Promise<void>;
	addSubchannel(subchannel: number): Promise<void>;
	removeSubchannel(subchannel: number): Promise<void>;
	getBufferedAmount(): Promise<number>;
	setBufferedAmountLowThreshold(threshold: number): Promise<void>;
	send(message: string | Buffer, ppid?: number): Promise<void>;
}

export class RtpObserver extends NativeObject {
	get id(): string;
	get paused(): boolean;
	pause(): Promise<void>;
	resume(): Promise<void>;
	addProducer(options: { producerId: string }): Promise<void>;
	removeProducer(options: { producerId: string }): Promise<void>;
}

export class AudioLevelObserver extends RtpObserver {
	on(event: 'volumes', listener: (volumes: { producer: Producer; volume: number }[]) => void): this;
	on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export class ActiveSpeakerObserver extends RtpObserver {
	on(event: 'dominantspeaker', listener: (speaker: { producer: Producer }) => void): this;
	on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export const types: {
	UnsupportedError: typeof UnsupportedError;
	InvalidStateError: typeof InvalidStateError;
	MafaldaRouter: typeof MafaldaRouter;
};

export const version: string;
