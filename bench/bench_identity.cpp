// What a signed connect costs the hub on one core (docs/protocol.md, "Identity"): Ed25519
// verifications per second, the whole ConnectVerifier::check (parse, derive the user_id,
// verify, look up the replay cache) and accept(), and, for comparison, what signing costs a
// client. Usage: bench_identity [seconds per measurement, default 2]. Prints one line each.

#include "hub/connectverifier.h"
#include "protocol/identity.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <cstdio>
#include <cstdlib>
#include <vector>

using Parley::Hub::ConnectVerifier;
using namespace Parley::Protocol::Identity;

namespace {

// Runs `work` until `seconds` have passed; returns calls per second.
template<typename Work>
double rate(double seconds, Work work)
{
    QElapsedTimer clock;
    clock.start();
    qint64 calls = 0;
    while (clock.nsecsElapsed() < qint64(seconds * 1e9)) {
        for (int i = 0; i < 64; ++i)
            work(calls++);
    }
    return double(calls) / (double(clock.nsecsElapsed()) / 1e9);
}

} // namespace

int main(int argc, char **argv)
{
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const QString host = fingerprintBinding(QString(64, u'a')); // a wss:// hub's binding
    constexpr int users = 4096;
    std::vector<KeyPair> keys;
    std::vector<ConnectVerifier::Params> connects;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < users; ++i) {
        keys.push_back(KeyPair::generate());
        const QMap<QString, QString> p = keys.back().connectParams(host, now + i);
        connects.push_back({ host, p["key"], p["ts"], p["sig"], p["user_id"] });
    }
    const QByteArray message = connectMessage(host, now, keys[0].userId());
    const QByteArray signature = keys[0].sign(message);
    const QByteArray publicKey = keys[0].publicKey();

    const double signs = rate(seconds, [&](qint64 i) { (void)keys[size_t(i % users)].sign(message); });
    const double verifies = rate(seconds, [&](qint64) { (void)verify(publicKey, message, signature); });
    ConnectVerifier verifier(1'000'000);
    const double checks = rate(seconds, [&](qint64 i) {
        (void)verifier.check(connects[size_t(i % users)], now);
    });
    std::printf("{\"sign_per_s\":%.0f,\"verify_per_s\":%.0f,\"check_per_s\":%.0f,"
                "\"verify_us\":%.1f,\"check_us\":%.1f}\n",
                signs, verifies, checks, 1e6 / verifies, 1e6 / checks);
    return 0;
}
