#include "hubprocess.h"

#include "testkeys.h"

#include <QDebug>
#include <QRegularExpression>
#include <QTest>

#include <csignal>
#include <sys/prctl.h>

namespace Parley::Testing {

HubProcess::HubProcess(Options options)
    : m_options(std::move(options))
{
}

HubProcess::~HubProcess()
{
    stop();
}

bool HubProcess::start()
{
    QStringList arguments { QStringLiteral("--bind"),
                            QStringLiteral("127.0.0.1"),
                            QStringLiteral("--port"),
                            QString::number(m_options.port),
                            QStringLiteral("--name"),
                            m_options.name,
                            QStringLiteral("--max-rate"),
                            QStringLiteral("0"),
                            QStringLiteral("--discovery"),
                            m_options.announce ? QStringLiteral("loopback")
                                               : QStringLiteral("off") };
    if (m_options.dataDir.isEmpty())
        arguments << QStringLiteral("--ephemeral");
    else
        arguments << QStringLiteral("--data-dir") << m_options.dataDir;
    if (!m_options.tls)
        arguments << QStringLiteral("--no-tls");
    if (!m_options.password.isEmpty())
        arguments << QStringLiteral("--password") << m_options.password;
    if (!m_options.passwordFile.isEmpty())
        arguments << QStringLiteral("--password-file") << m_options.passwordFile;
    if (m_options.lobbyPresenceLimit > 0)
        arguments << QStringLiteral("--lobby-presence-limit")
                  << QString::number(m_options.lobbyPresenceLimit);
    if (m_options.presenceListed > 0)
        arguments << QStringLiteral("--presence-listed")
                  << QString::number(m_options.presenceListed);
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    // A test that crashes takes its hub with it: no hub is left announcing itself to the next.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_process.start(QStringLiteral(PARLEY_HUB_PROGRAM), arguments);

    // "Listening on ws://127.0.0.1:PORT/socket hub id ID" or "... wss://... fingerprint
    // sha256:HEX hub id ID".
    static const QRegularExpression listening(QStringLiteral(
        "^Listening on (wss?://\\S+)(?: fingerprint sha256:([0-9a-f]{64}))? hub id (\\S+)\n"));
    QByteArray output;
    const bool up = QTest::qWaitFor(
        [&] {
            output += m_process.readAllStandardOutput();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
            if (!match.hasMatch())
                return m_process.state() == QProcess::NotRunning;
            m_url = QUrl(match.captured(1));
            m_fingerprint = match.captured(2);
            m_hubId = match.captured(3);
            TestKeys::setHubBinding(quint16(m_url.port()),
                                    m_fingerprint.isEmpty()
                                        ? Protocol::Identity::hubIdBinding(m_hubId)
                                        : Protocol::Identity::fingerprintBinding(m_fingerprint));
            return true;
        },
        15'000);
    if (!up || !m_url.isValid()) {
        qWarning().noquote() << "parley-hub did not start:" << m_process.readAllStandardError();
        stop();
        return false;
    }
    return true;
}

void HubProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, 10'000)) {
        m_process.kill();
        m_process.waitForFinished(5'000);
    }
}

} // namespace Parley::Testing
