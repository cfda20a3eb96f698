// parley-loadgen: client identities and signed connects (see identity.h).
#include "identity.h"

#include "options.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace loadgen {

namespace {

struct Identity
{
    EVP_PKEY *key = nullptr;
    std::string userId;
    std::string publicKey; // base64url
};

std::vector<Identity> g_identities;
std::unordered_map<std::string, size_t> g_clientOf;
int64_t g_lastTs = 0;
std::string g_binding; // learnBinding()

std::string base64Url(const unsigned char *data, size_t size)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0)
        out += alphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

[[noreturn]] void die(const char *what)
{
    std::fprintf(stderr, "parley-loadgen: %s\n", what);
    std::exit(2);
}

} // namespace

void makeIdentities(size_t count)
{
    g_identities.resize(count);
    g_clientOf.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        // The private key (seed): SHA-256 of "parley-loadgen-<index>".
        const std::string label = "parley-loadgen-" + std::to_string(i);
        unsigned char seed[32];
        unsigned int seedSize = 0;
        if (EVP_Digest(label.data(), label.size(), seed, &seedSize, EVP_sha256(), nullptr) != 1)
            die("SHA-256 failed");
        Identity &id = g_identities[i];
        id.key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed);
        unsigned char publicKey[32];
        size_t publicSize = sizeof publicKey;
        if (!id.key || EVP_PKEY_get_raw_public_key(id.key, publicKey, &publicSize) != 1)
            die("cannot make an Ed25519 key");
        unsigned char digest[32];
        unsigned int digestSize = 0;
        EVP_Digest(publicKey, sizeof publicKey, digest, &digestSize, EVP_sha256(), nullptr);
        id.userId = base64Url(digest, 16);
        id.publicKey = base64Url(publicKey, sizeof publicKey);
        g_clientOf.emplace(id.userId, i);
    }
}

const std::string &userIdOf(size_t index)
{
    return g_identities.at(index).userId;
}

long clientOfUserId(std::string_view userId)
{
    const auto it = g_clientOf.find(std::string(userId));
    return it == g_clientOf.end() ? -1 : long(it->second);
}

bool learnBinding()
{
    if (g_opt.tls) {
        g_binding = "fp:" + g_opt.tlsFingerprint;
        return true;
    }
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const timeval timeout { 5, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string response;
    if (fd >= 0
        && connect(fd, reinterpret_cast<const sockaddr *>(&g_target), sizeof g_target) == 0) {
        const std::string request = "GET /hub HTTP/1.1\r\nHost: " + g_opt.host + ":"
            + std::to_string(g_opt.port) + "\r\nConnection: close\r\n\r\n";
        if (write(fd, request.data(), request.size()) == ssize_t(request.size())) {
            char buffer[4096];
            ssize_t got = 0;
            while (response.size() < 65536 && (got = read(fd, buffer, sizeof buffer)) > 0)
                response.append(buffer, size_t(got));
        }
    }
    if (fd >= 0)
        close(fd);
    // {"fp":null,"hub_id":"…",…}: the one string field needed, read without a JSON library.
    const std::string key = "\"hub_id\":\"";
    const size_t start = response.find(key);
    const size_t end = start == std::string::npos ? start : response.find('"', start + key.size());
    if (response.compare(0, 12, "HTTP/1.1 200") != 0 || end == std::string::npos) {
        std::fprintf(stderr,
                     "parley-loadgen: GET /hub on %s:%d gave no hub id: the target is not a Parley "
                     "hub (or one from before connect v2)\n",
                     g_opt.host.c_str(), g_opt.port);
        return false;
    }
    g_binding = "hub:" + response.substr(start + key.size(), end - start - key.size());
    return true;
}

std::string signedConnectQuery(size_t index)
{
    const Identity &id = g_identities.at(index);
    // Wall-clock ms, strictly increasing within the run: a user's two connects in one
    // millisecond would otherwise be the same signed connect.
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    g_lastTs = now > g_lastTs ? now : g_lastTs + 1;
    const std::string message
        = "parley-connect-v2\n" + g_binding + "\n" + std::to_string(g_lastTs) + "\n" + id.userId;
    unsigned char signature[64];
    size_t signatureSize = sizeof signature;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, id.key) != 1
        || EVP_DigestSign(ctx, signature, &signatureSize,
                          reinterpret_cast<const unsigned char *>(message.data()), message.size())
                != 1)
        die("signing failed");
    EVP_MD_CTX_free(ctx);
    return "user_id=" + id.userId + "&key=" + id.publicKey + "&ts=" + std::to_string(g_lastTs)
            + "&sig=" + base64Url(signature, signatureSize);
}

} // namespace loadgen
