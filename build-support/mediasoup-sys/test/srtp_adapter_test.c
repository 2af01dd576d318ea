/*
 * Unit test of the libsrtp 3 adapter (subprojects/libsrtp-3.0.0-beta-2fc078db):
 * written against its libsrtp 3 header the way the worker's src/RTC/SrtpSession.cpp
 * uses it (policy calls, separate output buffer for protect, in-place unprotect),
 * for the four crypto suites the worker offers, linked from the built worker archive
 * (libsrtp 2.7.0 on OpenSSL). Run by ../test-srtp-adapter.sh.
 */
#include <arpa/inet.h>
#include <srtp.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

/* The bridge's (src/srtp2_bridge.h): names the crypto library under libsrtp 2. */
const char* mafalda_srtp2_crypto_description(void);

#define CHECK(cond)                                                                      \
	do                                                                                   \
	{                                                                                    \
		if (!(cond))                                                                     \
		{                                                                                \
			fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			return 0;                                                                    \
		}                                                                                \
	} while (0)

#define CHECK_STATUS(call, expected)                                                             \
	do                                                                                           \
	{                                                                                            \
		srtp_err_status_t status_ = (call);                                                      \
		if (status_ != (expected))                                                               \
		{                                                                                        \
			fprintf(                                                                             \
			  stderr, "    %s:%d: %s returned %d, expected %d\n", __FILE__, __LINE__, #call, status_, \
			  (int)(expected));                                                                  \
			return 0;                                                                            \
		}                                                                                        \
	} while (0)

struct suite {
	const char* name;
	srtp_profile_t profile;
	size_t key_len, salt_len, rtp_tag, rtcp_tag;
};

static const struct suite suites[] = {
	{ "AEAD_AES_256_GCM", srtp_profile_aead_aes_256_gcm, 32, 12, 16, 16 },
	{ "AEAD_AES_128_GCM", srtp_profile_aead_aes_128_gcm, 16, 12, 16, 16 },
	{ "AES_CM_128_HMAC_SHA1_80", srtp_profile_aes128_cm_sha1_80, 16, 14, 10, 10 },
	/* RFC 5764: the _32 suite keeps the 80-bit tag for SRTCP. */
	{ "AES_CM_128_HMAC_SHA1_32", srtp_profile_aes128_cm_sha1_32, 16, 14, 4, 10 },
};

static uint8_t master[SRTP_MAX_KEY_LEN];

/* A session set up exactly as SrtpSession's constructor does. */
static srtp_err_status_t make_session(srtp_t* session, const struct suite* suite, srtp_ssrc_type_t type)
{
	srtp_policy_t policy = NULL;
	srtp_ssrc_t ssrc     = { type, 0 };
	srtp_err_status_t err;
	size_t key_len, salt_len;

	if ((err = srtp_policy_create(&policy)) != srtp_err_status_ok)
		return err;
	if ((err = srtp_policy_set_ssrc(policy, ssrc)) != srtp_err_status_ok)
		goto done;
	if ((err = srtp_policy_set_profile(policy, suite->profile)) != srtp_err_status_ok)
		goto done;
	key_len  = srtp_profile_get_master_key_length(suite->profile);
	salt_len = srtp_profile_get_master_salt_length(suite->profile);
	if (key_len != suite->key_len || salt_len != suite->salt_len)
	{
		err = srtp_err_status_fail;
		goto done;
	}
	if ((err = srtp_policy_add_key(policy, master, key_len, master + key_len, salt_len, NULL, 0)) != srtp_err_status_ok)
		goto done;
	if ((err = srtp_policy_set_allow_repeat_tx(policy, true)) != srtp_err_status_ok)
		goto done;
	if ((err = srtp_policy_set_window_size(policy, 1024)) != srtp_err_status_ok)
		goto done;
	err = srtp_create(session, policy);
done:
	srtp_policy_destroy(policy);
	return err;
}

/* 32-bit aligned packet buffers, as libsrtp wants. */
union packet {
	uint32_t align;
	uint8_t bytes[1500];
};

static size_t make_rtp(union packet* p, uint16_t seq, uint32_t ssrc)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->bytes[0] = 0x80; /* V=2 */
	p->bytes[1] = 111;  /* PT (opus) */
	p->bytes[2] = (uint8_t)(seq >> 8);
	p->bytes[3] = (uint8_t)seq;
	p->bytes[7] = (uint8_t)(seq * 960);
	memcpy(p->bytes + 8, &(uint32_t){ htonl(ssrc) }, 4);
	for (i = 0; i < 160; i++)
		p->bytes[12 + i] = (uint8_t)(i * 7 + seq);
	return 12 + 160;
}

static size_t make_rtcp(union packet* p, uint32_t ssrc)
{
	memset(p, 0, sizeof(*p));
	p->bytes[0] = 0x80; /* V=2, RC=0 */
	p->bytes[1] = 200;  /* sender report */
	p->bytes[3] = 6;    /* length in words minus one: 28 bytes */
	memcpy(p->bytes + 4, &(uint32_t){ htonl(ssrc) }, 4);
	memcpy(p->bytes + 8, "NTPtimeRTPTpcnt8oct", 20);
	return 28;
}

static int round_trip(const struct suite* suite, int rtcp)
{
	srtp_t sender = NULL, receiver = NULL;
	union packet plain, wire, copy;
	size_t plain_len = rtcp ? make_rtcp(&plain, 0x11223344) : make_rtp(&plain, 1000, 0x11223344);
	size_t trailer   = rtcp ? suite->rtcp_tag + SRTP_SRCTP_INDEX_LEN : suite->rtp_tag;
	size_t wire_len  = sizeof(wire.bytes);
	size_t len;
	int ok = 0;

	CHECK_STATUS(make_session(&sender, suite, ssrc_any_outbound), srtp_err_status_ok);
	CHECK_STATUS(make_session(&receiver, suite, ssrc_any_inbound), srtp_err_status_ok);

	/* Sender side: like SrtpSession::EncryptRtp(), into a separate buffer. */
	CHECK_STATUS(
	  (rtcp ? srtp_protect_rtcp : srtp_protect)(sender, plain.bytes, plain_len, wire.bytes, &wire_len, 0),
	  srtp_err_status_ok);
	CHECK(wire_len == plain_len + trailer);
	CHECK(memcmp(wire.bytes, plain.bytes, rtcp ? 8 : 12) == 0);               /* header in clear */
	CHECK(memcmp(wire.bytes + (rtcp ? 8 : 12), plain.bytes + (rtcp ? 8 : 12), 16) != 0); /* body encrypted */

	/* Tampered: one bit of the body flipped, rejected. */
	copy = wire;
	copy.bytes[20] ^= 0x01;
	len = wire_len;
	CHECK_STATUS((rtcp ? srtp_unprotect_rtcp : srtp_unprotect)(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_auth_fail);

	/* Receiver side: like SrtpSession::DecryptSrtp(), in place. */
	copy = wire;
	len  = wire_len;
	CHECK_STATUS((rtcp ? srtp_unprotect_rtcp : srtp_unprotect)(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_ok);
	CHECK(len == plain_len);
	CHECK(memcmp(copy.bytes, plain.bytes, plain_len) == 0);

	/* The same packet again is a replay. */
	copy = wire;
	len  = wire_len;
	CHECK_STATUS((rtcp ? srtp_unprotect_rtcp : srtp_unprotect)(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_replay_fail);

	ok = 1;
	CHECK_STATUS(srtp_dealloc(sender), srtp_err_status_ok);
	CHECK_STATUS(srtp_dealloc(receiver), srtp_err_status_ok);
	return ok;
}

/* Output capacity: exactly length + trailer is enough, one byte less is not. */
static int buffer_capacity(void)
{
	const struct suite* suite = &suites[2];
	srtp_t sender             = NULL;
	union packet plain, wire;
	size_t plain_len = make_rtp(&plain, 7, 0x55667788);
	size_t wire_len;

	CHECK_STATUS(make_session(&sender, suite, ssrc_any_outbound), srtp_err_status_ok);
	wire_len = plain_len + suite->rtp_tag - 1;
	CHECK_STATUS(srtp_protect(sender, plain.bytes, plain_len, wire.bytes, &wire_len, 0), srtp_err_status_buffer_small);
	wire_len = plain_len + suite->rtp_tag;
	CHECK_STATUS(srtp_protect(sender, plain.bytes, plain_len, wire.bytes, &wire_len, 0), srtp_err_status_ok);
	CHECK(wire_len == plain_len + suite->rtp_tag);
	/* allow_repeat_tx: the same sequence number may be protected again (retransmission). */
	wire_len = sizeof(wire.bytes);
	CHECK_STATUS(srtp_protect(sender, plain.bytes, plain_len, wire.bytes, &wire_len, 0), srtp_err_status_ok);
	CHECK_STATUS(srtp_dealloc(sender), srtp_err_status_ok);
	return 1;
}

/* What the policy calls refuse. */
static int policy_validation(void)
{
	srtp_policy_t policy = NULL;
	srtp_t session       = NULL;
	srtp_ssrc_t ssrc     = { ssrc_any_inbound, 0 };
	uint8_t mki[4]       = { 1, 2, 3, 4 };

	CHECK_STATUS(srtp_policy_create(&policy), srtp_err_status_ok);
	CHECK_STATUS(srtp_policy_set_profile(policy, srtp_profile_reserved), srtp_err_status_bad_param);
	CHECK_STATUS(srtp_policy_set_window_size(policy, 32), srtp_err_status_bad_param);
	CHECK_STATUS(srtp_policy_add_key(policy, master, 16, master + 16, 14, mki, sizeof(mki)), srtp_err_status_bad_param);
	CHECK_STATUS(srtp_create(&session, policy), srtp_err_status_bad_param); /* no profile, no key */
	CHECK_STATUS(srtp_policy_set_ssrc(policy, ssrc), srtp_err_status_ok);
	CHECK_STATUS(srtp_policy_set_profile(policy, srtp_profile_aead_aes_256_gcm), srtp_err_status_ok);
	/* An AES-128 key for an AES-256 profile. */
	CHECK_STATUS(srtp_policy_add_key(policy, master, 16, master + 16, 12, NULL, 0), srtp_err_status_ok);
	CHECK_STATUS(srtp_create(&session, policy), srtp_err_status_bad_param);
	srtp_policy_destroy(policy);
	srtp_policy_destroy(NULL);
	return 1;
}

/*
 * RemoveStream as the worker calls it, srtp_stream_remove(session, htonl(ssrc)):
 * the stream goes, so the next packet of that SSRC starts a new one (an old
 * packet is no replay any more).
 */
static int stream_remove(void)
{
	const struct suite* suite = &suites[0];
	srtp_t sender = NULL, receiver = NULL;
	union packet plain, wire, copy;
	size_t plain_len = make_rtp(&plain, 42, 0x0a0b0c0d);
	size_t wire_len  = sizeof(wire.bytes);
	size_t len;

	CHECK_STATUS(make_session(&sender, suite, ssrc_any_outbound), srtp_err_status_ok);
	CHECK_STATUS(make_session(&receiver, suite, ssrc_any_inbound), srtp_err_status_ok);
	CHECK_STATUS(srtp_protect(sender, plain.bytes, plain_len, wire.bytes, &wire_len, 0), srtp_err_status_ok);
	copy = wire;
	len  = wire_len;
	CHECK_STATUS(srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_ok);
	copy = wire;
	len  = wire_len;
	CHECK_STATUS(srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_replay_fail);
	CHECK_STATUS(srtp_stream_remove(receiver, htonl(0x0a0b0c0d)), srtp_err_status_ok);
	copy = wire;
	len  = wire_len;
	CHECK_STATUS(srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_ok);
	CHECK(len == plain_len && memcmp(copy.bytes, plain.bytes, len) == 0);
	CHECK_STATUS(srtp_stream_remove(receiver, htonl(0x01010101)), srtp_err_status_no_ctx);
	CHECK_STATUS(srtp_dealloc(sender), srtp_err_status_ok);
	CHECK_STATUS(srtp_dealloc(receiver), srtp_err_status_ok);
	return 1;
}

/* Protects packet `seq` of `ssrc` and unprotects it at the receiver: the status. */
static srtp_err_status_t send_one(srtp_t sender, srtp_t receiver, uint32_t ssrc, uint16_t seq, union packet* wire, size_t* wire_len)
{
	union packet plain, copy;
	size_t plain_len = make_rtp(&plain, seq, ssrc);
	size_t len;
	srtp_err_status_t err;

	*wire_len = sizeof(wire->bytes);
	if ((err = srtp_protect(sender, plain.bytes, plain_len, wire->bytes, wire_len, 0)) != srtp_err_status_ok)
		return err;
	copy = *wire;
	len  = *wire_len;
	if ((err = srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len)) != srtp_err_status_ok)
		return err;
	return len == plain_len && memcmp(copy.bytes, plain.bytes, len) == 0 ? srtp_err_status_ok : srtp_err_status_fail;
}

/*
 * The stream list (src/stream_list.c, a hash table): one session with as many
 * streams as a pipe between servers holds, lookups of each, removals in the middle
 * (a removed SSRC gets a fresh stream, a kept one keeps its replay window), growth
 * past several doublings, and dealloc of a session with hundreds of streams.
 */
static int many_streams(void)
{
	enum { STREAMS = 600 };
	const struct suite* suite = &suites[0];
	srtp_t sender = NULL, receiver = NULL;
	union packet wire, copy;
	size_t wire_len, len;
	uint32_t i;

	CHECK_STATUS(make_session(&sender, suite, ssrc_any_outbound), srtp_err_status_ok);
	CHECK_STATUS(make_session(&receiver, suite, ssrc_any_inbound), srtp_err_status_ok);
	for (i = 0; i < STREAMS; i++)
		CHECK_STATUS(send_one(sender, receiver, 0x5eed0000 + i * 7919, 1, &wire, &wire_len), srtp_err_status_ok);
	/* Every stream is found again: a replay of its last packet is refused. */
	for (i = 0; i < STREAMS; i++)
	{
		CHECK_STATUS(send_one(sender, receiver, 0x5eed0000 + i * 7919, 2, &wire, &wire_len), srtp_err_status_ok);
		copy = wire;
		len  = wire_len;
		CHECK_STATUS(srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_replay_fail);
	}
	/* Remove every other stream at the receiver: those start over, the rest do not. */
	for (i = 0; i < STREAMS; i += 2)
		CHECK_STATUS(srtp_stream_remove(receiver, htonl(0x5eed0000 + i * 7919)), srtp_err_status_ok);
	for (i = 0; i < STREAMS; i += 2)
		CHECK_STATUS(srtp_stream_remove(receiver, htonl(0x5eed0000 + i * 7919)), srtp_err_status_no_ctx);
	for (i = 0; i < STREAMS; i++)
	{
		CHECK_STATUS(send_one(sender, receiver, 0x5eed0000 + i * 7919, 3, &wire, &wire_len), srtp_err_status_ok);
		copy = wire;
		len  = wire_len;
		CHECK_STATUS(srtp_unprotect(receiver, copy.bytes, len, copy.bytes, &len), srtp_err_status_replay_fail);
	}
	CHECK_STATUS(srtp_dealloc(sender), srtp_err_status_ok);
	CHECK_STATUS(srtp_dealloc(receiver), srtp_err_status_ok);
	return 1;
}

static void on_event(srtp_event_data_t* data)
{
	(void)data;
}

static void run(const char* name, int ok)
{
	printf("  %s %s\n", ok ? "ok  " : "FAIL", name);
	if (ok)
		passed++;
	else
		failed++;
}

static int runs_on_openssl(void)
{
	const char* description = mafalda_srtp2_crypto_description();

	CHECK(description != NULL);
	CHECK(strcmp(description, "AES-128 counter mode using openssl") == 0);
	return 1;
}

int main(void)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(0xa5 ^ (i * 13));

	if (srtp_init() != srtp_err_status_ok || srtp_install_event_handler(on_event) != srtp_err_status_ok)
	{
		printf("srtp adapter: 0 passed, 1 failed\n");
		return 1;
	}
	printf("srtp adapter over %s (%s)\n", srtp_get_version_string(), mafalda_srtp2_crypto_description());
	run("libsrtp runs on OpenSSL", runs_on_openssl());

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
	{
		snprintf(name, sizeof(name), "%s: RTP round trip, tampered and replayed packets rejected", suites[i].name);
		run(name, round_trip(&suites[i], 0));
		snprintf(name, sizeof(name), "%s: RTCP round trip, tampered and replayed packets rejected", suites[i].name);
		run(name, round_trip(&suites[i], 1));
	}
	run("output capacity checked (buffer_small), repeated transmission allowed", buffer_capacity());
	run("policy validation", policy_validation());
	run("srtp_stream_remove(session, htonl(ssrc)) as the worker calls it", stream_remove());
	run("600 streams in one session: found, removed, grown, deallocated (our stream list)", many_streams());

	srtp_shutdown();
	printf("srtp adapter: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
