// Typings of mafalda-sfu/mediasoup: a module shaped like `mediasoup` (3.14 API) whose
// Workers are virtual and whose routers are MafaldaRouters (typed in ./index.d.ts).

// Node.js types (EventEmitter, Buffer) come from @types/node, which every TypeScript app on Node has.
/// <reference types="node" />
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
import * as mafalda from './index';

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
/**
 * mediasoup's `types`: every type of the API by name, as apps write them
 * (`let worker: mediasoup.types.Worker`, `types.RtpCapabilities` …), plus the values
 * mediasoup.js puts in it (the error classes, Worker, Router).
 */
export declare namespace types {
	export import AppData = mafalda.AppData;
	export import MediaKind = mafalda.MediaKind;
	export import RtcpFeedback = mafalda.RtcpFeedback;
	export import RtpCodecCapability = mafalda.RtpCodecCapability;
	export import RtpHeaderExtension = mafalda.RtpHeaderExtension;
	export import RtpCapabilities = mafalda.RtpCapabilities;
	export import RtpCodecParameters = mafalda.RtpCodecParameters;
	export import RtpEncodingParameters = mafalda.RtpEncodingParameters;
	export import RtpParameters = mafalda.RtpParameters;
	export import TransportTuple = mafalda.TransportTuple;
	export import TransportListenIp = mafalda.TransportListenIp;
	export import TransportListenInfo = mafalda.TransportListenInfo;
	export import NumSctpStreams = mafalda.NumSctpStreams;
	export import SctpStreamParameters = mafalda.SctpStreamParameters;
	export import SrtpParameters = mafalda.SrtpParameters;
	export import DtlsParameters = mafalda.DtlsParameters;
	export import IceParameters = mafalda.IceParameters;
	export import IceCandidate = mafalda.IceCandidate;
	export import IceState = mafalda.IceState;
	export import DtlsState = mafalda.DtlsState;
	export import SctpState = mafalda.SctpState;
	export import WebRtcTransportOptions = mafalda.WebRtcTransportOptions;
	export import PlainTransportOptions = mafalda.PlainTransportOptions;
	export import PipeTransportOptions = mafalda.PipeTransportOptions;
	export import UnsupportedError = mafalda.UnsupportedError;
	export import InvalidStateError = mafalda.InvalidStateError;
	export import WebRtcServer = mafalda.WebRtcServer;
	export import Router = mafalda.MafaldaRouter;
	export import MafaldaRouter = mafalda.MafaldaRouter;
	export import Transport = mafalda.Transport;
	export import WebRtcTransport = mafalda.WebRtcTransport;
	export import PlainTransport = mafalda.PlainTransport;
	export import PipeTransport = mafalda.PipeTransport;
	export import DirectTransport = mafalda.DirectTransport;
	export import ConsumerLayers = mafalda.ConsumerLayers;
	export import Producer = mafalda.Producer;
	export import Consumer = mafalda.Consumer;
	export import DataProducer = mafalda.DataProducer;
	export import DataConsumer = mafalda.DataConsumer;
	export import RtpObserver = mafalda.RtpObserver;
	export import AudioLevelObserver = mafalda.AudioLevelObserver;
	export import ActiveSpeakerObserver = mafalda.ActiveSpeakerObserver;
	export type Worker = WorkerClass;
	export const Worker: typeof WorkerClass;
	export type WorkerSettings = WorkerSettingsShape;
	export type WorkerLogLevel = WorkerLogLevelName;
	export type WorkerLogTag = WorkerLogTagName;
	export type WorkerUpdateableSettings = WorkerUpdateableSettingsShape;
	export type WorkerDump = WorkerDumpShape;
	export type WorkerResourceUsage = WorkerResourceUsageShape;
	export type ScalabilityMode = ScalabilityModeShape;
}
// This module's own names under other names, for `types` (whose members share them).
declare const WorkerClass: typeof Worker;
type WorkerClass = Worker;
type WorkerSettingsShape = WorkerSettings;
type WorkerLogLevelName = WorkerLogLevel;
type WorkerLogTagName = WorkerLogTag;
type WorkerUpdateableSettingsShape = WorkerUpdateableSettings;
type WorkerDumpShape = WorkerDump;
type WorkerResourceUsageShape = WorkerResourceUsage;
type ScalabilityModeShape = ScalabilityMode;
/** Another such module, whose pools use these Mafalda options (e.g. `{ policy: 'spread', maxWorkers: 2 }`). */
export function createMediasoup(poolOptions?: MediasoupPoolOptions): MediasoupModule;
