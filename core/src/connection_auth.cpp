// Mutual HMAC challenge/response over a Connection (SPEC §15.2), compatible with CPython 3.11's legacy
// HMAC-MD5 form and 3.12+'s `{digest}`-prefixed form in both roles.
#include "mp/connection.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>

namespace mp::connection {

namespace {

constexpr std::string_view challenge_prefix = "#CHALLENGE#";
constexpr std::string_view welcome = "#WELCOME#";
constexpr std::string_view failure = "#FAILURE#";
constexpr std::size_t challenge_random_bytes = 40;
// A legacy challenge is 20 random bytes; a legacy reply is a raw 16-byte HMAC-MD5. Prefixed messages are
// always longer, so these lengths alone identify the old protocol.
constexpr std::size_t legacy_challenge_length = 20;
constexpr std::size_t md5_length = 16;
// Handshake messages are received with this cap so a peer cannot make us read an arbitrary amount.
constexpr std::int64_t handshake_maxlength = 256;

const EVP_MD* digest_named(std::string_view name) {
    if (name == "md5") return EVP_md5();
    if (name == "sha256") return EVP_sha256();
    if (name == "sha384") return EVP_sha384();
    if (name == "sha3_256") return EVP_sha3_256();
    if (name == "sha3_384") return EVP_sha3_384();
    return nullptr;
}

// The longest allowed name ("sha3_256"), which bounds where the closing brace may be.
constexpr std::size_t longest_digest_name = 8;

std::string hmac(std::string_view digest_name, std::string_view key, std::string_view message) {
    const EVP_MD* digest = digest_named(digest_name);
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int length = 0;
    if (digest == nullptr || HMAC(digest, key.data(), static_cast<int>(key.size()),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                  out.data(), &length) == nullptr)
        throw AuthenticationError("response_digest='" + std::string(digest_name) + "' unsupported");
    return std::string(reinterpret_cast<const char*>(out.data()), length);
}

struct DigestAndPayload {
    std::string_view digest_name; // empty for the legacy, unprefixed form
    std::string_view payload;
};

// Splits `{name}payload`; a message of a legacy length is unprefixed by definition.
DigestAndPayload split_digest_prefix(std::string_view message) {
    if (message.size() == legacy_challenge_length || message.size() == md5_length) return {{}, message};
    if (message.starts_with('{')) {
        const std::size_t brace = message.substr(0, longest_digest_name + 2).find('}', 1);
        if (brace != std::string_view::npos) {
            const std::string_view name = message.substr(1, brace - 1);
            if (digest_named(name) != nullptr) return {name, message.substr(brace + 1)};
        }
    }
    throw AuthenticationError(
        "unsupported message length, missing digest prefix, or unsupported digest: message=" +
        Object::bytes(std::string(message)).repr());
}

// "{name}" followed by `rest`.
std::string with_digest_prefix(std::string_view name, std::string_view rest) {
    std::string out;
    out.reserve(name.size() + 2 + rest.size());
    out.append("{").append(name).append("}").append(rest);
    return out;
}

} // namespace

std::string challenge_response(std::string_view authkey, std::string_view message) {
    const DigestAndPayload parsed = split_digest_prefix(message);
    if (parsed.digest_name.empty()) return hmac("md5", authkey, message);
    // The MAC covers the whole message, prefix included, so the digest choice cannot be downgraded.
    return with_digest_prefix(parsed.digest_name, hmac(parsed.digest_name, authkey, message));
}

void verify_challenge_response(std::string_view authkey, std::string_view message,
                               std::string_view response) {
    const DigestAndPayload parsed = split_digest_prefix(response);
    const std::string_view digest_name = parsed.digest_name.empty() ? "md5" : parsed.digest_name;
    const std::string expected = hmac(digest_name, authkey, message);
    if (expected.size() != parsed.payload.size())
        throw AuthenticationError("expected '" + std::string(digest_name) + "' of length " +
                                  std::to_string(expected.size()) + " got " +
                                  std::to_string(parsed.payload.size()));
    if (CRYPTO_memcmp(expected.data(), parsed.payload.data(), expected.size()) != 0)
        throw AuthenticationError("digest received was wrong");
}

void deliver_challenge(const Connection& connection, std::string_view authkey, std::string_view digest_name) {
    if (digest_named(digest_name) == nullptr)
        throw ValueError("unsupported digest '" + std::string(digest_name) + "'");
    std::array<unsigned char, challenge_random_bytes> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
        throw OSError("no random bytes available for the challenge");
    const std::string message = with_digest_prefix(
        digest_name, std::string_view(reinterpret_cast<const char*>(random.data()), random.size()));
    // A legacy peer takes the whole prefixed message as an opaque challenge and answers with raw
    // HMAC-MD5 over it, which verify_challenge_response accepts.
    connection.send_bytes(std::string(challenge_prefix) + message);
    const std::string response = connection.recv_bytes(handshake_maxlength);
    try {
        verify_challenge_response(authkey, message, response);
    } catch (const AuthenticationError&) {
        connection.send_bytes(failure);
        throw;
    }
    connection.send_bytes(welcome);
}

void answer_challenge(const Connection& connection, std::string_view authkey) {
    const std::string challenge = connection.recv_bytes(handshake_maxlength);
    if (!std::string_view(challenge).starts_with(challenge_prefix))
        throw AuthenticationError("Protocol error, expected challenge: message=" +
                                  Object::bytes(challenge).repr());
    const std::string_view message = std::string_view(challenge).substr(challenge_prefix.size());
    if (message.size() < legacy_challenge_length)
        throw AuthenticationError("challenge too short: " + std::to_string(message.size()) + " bytes");
    connection.send_bytes(challenge_response(authkey, message));
    if (connection.recv_bytes(handshake_maxlength) != welcome)
        throw AuthenticationError("digest sent was rejected");
}

} // namespace mp::connection
