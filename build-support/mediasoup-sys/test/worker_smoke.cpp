// Smoke test of a built libmediasoup-worker.a: links against it and the static
// OpenSSL cargo links after it (openssl-sys), and runs the worker's own
// dependency wrappers and SRTP class over the shims: libuv (a timer on the
// worker's loop), OpenSSL (SHA-256 through that libcrypto), libsrtp
// (RTC::SrtpSession, the worker's class, round trips over the libsrtp 3 adapter
// for its four crypto suites). Run by ../check-worker-lib.sh.
#include "DepLibSRTP.hpp"
#include "DepLibUV.hpp"
#include "DepOpenSSL.hpp"
#include "RTC/SrtpSession.hpp"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <cstdio>
#include <cstring>
#include <vector>

static int passed, failed;

static void check(const char* name, bool ok)
{
	std::printf("  %s %s\n", ok ? "ok  " : "FAIL", name);
	(ok ? passed : failed)++;
}

static void onTimer(uv_timer_t* timer)
{
	*static_cast<int*>(timer->data) += 1;
	uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
}

static bool srtpRoundTrip(RTC::SrtpSession::CryptoSuite suite, size_t keyLen)
{
	std::vector<uint8_t> key(keyLen);
	for (size_t i = 0; i < keyLen; ++i)
		key[i] = static_cast<uint8_t>(i * 29 + 3);

	RTC::SrtpSession sender(RTC::SrtpSession::Type::OUTBOUND, suite, key.data(), key.size());
	RTC::SrtpSession receiver(RTC::SrtpSession::Type::INBOUND, suite, key.data(), key.size());

	alignas(4) uint8_t rtp[200]{ 0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef };
	for (size_t i = 12; i < 172; ++i)
		rtp[i] = static_cast<uint8_t>(i);

	const uint8_t* data = rtp;
	size_t len          = 172;
	if (!sender.EncryptRtp(&data, &len) || len <= 172)
		return false;

	alignas(4) uint8_t wire[1500];
	std::memcpy(wire, data, len);
	if (!receiver.DecryptSrtp(wire, &len) || len != 172 || std::memcmp(wire, rtp, 172) != 0)
		return false;

	// Tampered.
	data = rtp;
	len  = 172;
	rtp[3] += 1; // next sequence number
	if (!sender.EncryptRtp(&data, &len))
		return false;
	std::memcpy(wire, data, len);
	wire[40] ^= 0x80;
	return !receiver.DecryptSrtp(wire, &len);
}

int main()
{
	DepLibUV::ClassInit();
	DepOpenSSL::ClassInit();
	DepLibSRTP::ClassInit();
	RTC::SrtpSession::ClassInit();

	std::printf(
	  "worker smoke: libuv %s, %s, %s\n", uv_version_string(), OpenSSL_version(OPENSSL_VERSION), srtp_get_version_string());

	uv_timer_t timer;
	int fired = 0;
	uv_timer_init(DepLibUV::GetLoop(), &timer);
	timer.data = &fired;
	uv_timer_start(&timer, onTimer, 5, 0);
	uv_run(DepLibUV::GetLoop(), UV_RUN_DEFAULT);
	check("libuv: a timer fires on the worker's loop", fired == 1);

	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digestLen = 0;
	EVP_Digest("abc", 3, digest, &digestLen, EVP_sha256(), nullptr);
	check("openssl: SHA-256(\"abc\")", digestLen == 32 && digest[0] == 0xba && digest[1] == 0x78 && digest[31] == 0xad);

	check("RTC::SrtpSession AEAD_AES_256_GCM", srtpRoundTrip(RTC::SrtpSession::CryptoSuite::AEAD_AES_256_GCM, 44));
	check("RTC::SrtpSession AEAD_AES_128_GCM", srtpRoundTrip(RTC::SrtpSession::CryptoSuite::AEAD_AES_128_GCM, 28));
	check(
	  "RTC::SrtpSession AES_CM_128_HMAC_SHA1_80",
	  srtpRoundTrip(RTC::SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_80, 30));
	check(
	  "RTC::SrtpSession AES_CM_128_HMAC_SHA1_32",
	  srtpRoundTrip(RTC::SrtpSession::CryptoSuite::AES_CM_128_HMAC_SHA1_32, 30));

	DepLibSRTP::ClassDestroy();
	DepLibUV::ClassDestroy();

	std::printf("worker smoke: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
