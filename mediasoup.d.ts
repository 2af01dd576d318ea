// Typings of mafalda-sfu/mediasoup: a module shaped like `mediasoup` (3.14 API) whose
// Workers are virtual and whose routers are MafaldaRouters (typed in ./index.d.ts).

import { EventEmitter } from 'node:events';
import {
	AppData,
	InvalidStateError,
	MafaldaOptions,
	MafaldaRouter,
	RtpCapabilities,
	RtpCodecCapability,
	TransportListenInfo,
	UnsupportedError,
	WebRtcServer,
} from './index';

export type WorkerLogLevel = 'debug' | 'warn' | 'error' | 'none';

export type WorkerLogTag =
	| 'info' | 'ice' | 'dtls' | 'rtp' | 'srtp' | 'rtcp' | 'rtx' | 'bwe' | 'score' | 'simulcast' | 'svc' | 'sctp' | 'message';

export interface WorkerSettings {
	logLevel?: WorkerLogLevel;
	logTags?: WorkerLogTag[];
	rtcMinPort?: number;
	rtcMaxPort?: number;
	dtlsCertificateFile?: string;
	dtlsPrivateKeyFile?: string;
	/** Accepted for compatibility; the 3.8 worker has no field trials. */
	libwebrtcFieldTrials?: string;
	appData?: AppData;
}

export interface WorkerUpdateableSettings {
	logLevel?: WorkerLogLevel;
	logTags?: WorkerLogTag[];
}

export interface WorkerDump {
	pid: number;
	webRtcServerIds: string[];
	routerIds: string[];
	channelMessageHandlers: { channelRequestHandlers: string[]; channelNotificationHandlers: string[] };
}

/** getrusage(2) fields of this process (the worker threads run in it); times in ms. */
export interface WorkerResourceUsage {
	ru_utime: number;
	ru_stime: number;
	ru_maxrss: number;
	ru_ixrss: number;
	ru_idrss: number;
	ru_isrss: number;
	ru_minflt: number;
	ru_majflt: number;
	ru_nswap: number;
	ru_inblock: number;
	ru_oublock: number;
	ru_msgsnd: number;
	ru_msgrcv: number;
	ru_nsignals: number;
	ru_nvcsw: number;
	ru_nivcsw: number;
}

export interface ScalabilityMode {
	spatialLayers: number;
	temporalLayers: number;
	ksvc: boolean;
}

/**
 * mediasoup's Worker, virtual: its routers live in a Mafalda pool shared by every
 * Worker with the same native settings. `pid` is this process's pid.
 */
export class Worker extends EventEmitter {
	private constructor();
	readonly pid: number;
	readonly closed: boolean;
	readonly died: boolean;
	readonly subprocessClosed: boolean;
	appData: AppData;
	readonly observer: EventEmitter;
	close(): void;
	dump(): Promise<WorkerDump>;
	getResourceUsage(): Promise<WorkerResourceUsage>;
	updateSettings(settings?: WorkerUpdateableSettings): Promise<void>;
	/** A WebRtcServer on one of the pool's real workers; its transports are placed there. */
	createWebRtcServer(options: { listenInfos: TransportListenInfo[]; appData?: AppData }): Promise<WebRtcServer>;
	createRouter(options?: { mediaCodecs?: RtpCodecCapability[]; appData?: AppData }): Promise<MafaldaRouter>;
	on(event: 'died', listener: (error: Error) => void): this;
	on(event: 'subprocessclose', listener: () => void): this;
	on(event: string | symbol, listener: (...args: any[]) => void): this;
}

export interface MediasoupTypes {
	UnsupportedError: typeof UnsupportedError;
	InvalidStateError: typeof InvalidStateError;
	Worker: typeof Worker;
	Router: typeof MafaldaRouter;
	MafaldaRouter: typeof MafaldaRouter;
}

/** The Mafalda options of the pools behind the Workers (worker settings come from createWorker()). */
export type MediasoupPoolOptions = Omit<MafaldaOptions, 'workerSettings'>;

/** The shape of this module. */
export interface MediasoupModule {
	/** The mediasoup API version mirrored. */
	readonly version: string;
	readonly observer: EventEmitter;
	createWorker(settings?: WorkerSettings): Promise<Worker>;
	getSupportedRtpCapabilities(): RtpCapabilities;
	parseScalabilityMode(scalabilityMode?: string): ScalabilityMode;
	/** The native addon, which embeds the worker. */
	readonly workerBin: string;
	readonly types: MediasoupTypes;
	createMediasoup(poolOptions?: MediasoupPoolOptions): MediasoupModule;
}

export const version: string;
export const observer: EventEmitter;
export function createWorker(settings?: WorkerSettings): Promise<Worker>;
export function getSupportedRtpCapabilities(): RtpCapabilities;
export function parseScalabilityMode(scalabilityMode?: string): ScalabilityMode;
export const workerBin: string;
export const types: MediasoupTypes;
/** Another such module, whose pools use these Mafalda options (e.g. `{ policy: 'spread', maxWorkers: 2 }`). */
export function createMediasoup(poolOptions?: MediasoupPoolOptions): MediasoupModule;
