// What the ChatSession and Conversation tests share: a real hub on 127.0.0.1 (port 0, history in
// SQLite in a temporary directory, restartable on the same port), sessions of fixed test users
// with QAbstractItemModelTester on every model, and small readers of a MessageModel.
#pragma once

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "hub/hubrunner.h"
#include "hub/hubsettings.h"
#include "testhub.h"
#include "testkeys.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parley::Client;
using Parley::Hub::HubRunner;
using Parley::Hub::HubSettings;
namespace TestKeys = Parley::Testing::TestKeys;

namespace ChatSessionTesting {

// The test users: fixed key pairs, so their user_ids are the same in every run.
inline const QString Ana = TestKeys::userId(QStringLiteral("ana"));
inline const QString Bob = TestKeys::userId(QStringLiteral("bob"));
inline const QString Carol = TestKeys::userId(QStringLiteral("carol"));
inline const QString Eve = TestKeys::userId(QStringLiteral("eve"));

inline const QString General = QStringLiteral("room:general");
inline constexpr int Timeout = 10'000;

inline Timings fastTimings()
{
    Timings timings;
    timings.reconnectSteps = { 10, 50, 100 };
    timings.reconnectMaxMs = 200;
    timings.rejoinSteps = { 100, 200 };
    timings.rejoinMaxMs = 500;
    timings.pushTimeoutMs = 5'000;
    return timings;
}

// Reconnects only when told to (reconnectNow), so a test decides when it comes back.
inline Timings lazyTimings()
{
    Timings timings = fastTimings();
    timings.reconnectSteps = { 600'000 };
    timings.reconnectMaxMs = 600'000;
    return timings;
}

inline QStringList bodies(const MessageModel *model)
{
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result << model->index(row).data(MessageModel::BodyRole).toString();
    return result;
}

inline int rowOfBody(const MessageModel *model, const QString &body)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageModel::BodyRole).toString() == body)
            return row;
    }
    return -1;
}

inline ChatMessage::State stateOf(const MessageModel *model, const QString &body)
{
    const int row = rowOfBody(model, body);
    return row < 0 ? ChatMessage::State::Failed : model->messageAt(row).state;
}

} // namespace ChatSessionTesting

using namespace ChatSessionTesting;

// The hub and sessions of one test function: setUpHub() in init(), tearDownHub() in cleanup().
class ChatSessionFixture
{
protected:
    void setUpHub();
    void tearDownHub();
    bool startHub(quint16 port = 0);
    std::unique_ptr<ChatSession> makeSession(const QString &userId, const QString &nick,
                                             const Timings &timings = fastTimings());
    // Opens topic and waits for its join; the topic's models get testers.
    bool open(ChatSession *session, const QString &topic, const QString &password = {});
    void addTesters(ChatSession *session, const QString &topic);

    HubSettings m_settings;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<HubRunner> m_hub;
    QList<std::shared_ptr<QAbstractItemModelTester>> m_testers;
};

inline void ChatSessionFixture::setUpHub()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    m_settings = Parley::Testing::TestHub::settings();
    m_settings.dataDir = m_dataDir->path();
    m_settings.maxRate = 0;
    QVERIFY(startHub());
}

inline void ChatSessionFixture::tearDownHub()
{
    m_testers.clear();
    if (m_hub)
        m_hub->stop();
    m_hub.reset();
    m_dataDir.reset();
}

inline bool ChatSessionFixture::startHub(quint16 port)
{
    m_settings.port = port;
    m_hub = std::make_unique<HubRunner>(m_settings);
    QString error;
    if (!m_hub->start(&error)) {
        qWarning() << "hub did not start:" << error;
        return false;
    }
    return true;
}

inline std::unique_ptr<ChatSession>
ChatSessionFixture::makeSession(const QString &userId, const QString &nick, const Timings &timings)
{
    auto session = std::make_unique<ChatSession>(Identity { TestKeys::of(userId), nick });
    session->setTimings(timings);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->rooms(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->hubPresence(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    session->connectToHub(m_hub->url());
    return session;
}

inline void ChatSessionFixture::addTesters(ChatSession *session, const QString &topic)
{
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->conversation(topic)->messages(),
        QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->conversation(topic)->presence(),
        QAbstractItemModelTester::FailureReportingMode::QtTest);
}

inline bool ChatSessionFixture::open(ChatSession *session, const QString &topic,
                                     const QString &password)
{
    session->openTopic(topic, password);
    if (!session->conversation(topic))
        return false;
    addTesters(session, topic);
    return QTest::qWaitFor([&] { return session->isJoined(topic); }, Timeout);
}
