#include "ui/roomnavigator.h"

#include "client/chatsession.h"
#include "client/roomlistmodel.h"
#include "protocol/events.h"
#include "ui/appsettings.h"

namespace Parley::Ui {

RoomNavigator::RoomNavigator(AppSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
}

void RoomNavigator::setSession(Client::ChatSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_current.clear();
    m_previous.clear();
    m_triedPasswordFor.clear();
    m_asked.clear();
    m_awaited.clear();
    m_restored = false;
    if (session) {
        connect(session, &Client::ChatSession::hubInfoChanged, this,
                &RoomNavigator::onHubInfoChanged);
        connect(session, &Client::ChatSession::topicOpenFailed, this,
                &RoomNavigator::onTopicOpenFailed);
        connect(session, &Client::ChatSession::topicClosed, this, &RoomNavigator::onTopicClosed);
        connect(session, &Client::ChatSession::topicOpened, this, &RoomNavigator::onTopicOpened);
    }
    emit shown(nullptr, 0);
    onHubInfoChanged();
}

void RoomNavigator::activate(const QString &topic, const QString &password)
{
    if (!m_session || topic.isEmpty())
        return;
    m_asked = topic;
    if (topic != m_awaited)
        m_awaited.clear(); // the user chose another room: stay there
    show(topic, password);
}

void RoomNavigator::show(const QString &topic, const QString &password)
{
    if (!m_session->isOpen(topic)) {
        m_triedPasswordFor = password.isEmpty() ? QString() : topic;
        m_session->openTopic(topic, password);
        if (!m_session->isOpen(topic))
            return; // refused at once (topicOpenFailed was emitted)
    }
    const int unread = m_session->rooms()->entry(topic).unread;
    if (m_current != topic && !m_current.isEmpty())
        m_previous = m_current;
    m_current = topic;
    m_session->setCurrentTopic(topic);
    emit shown(m_session->conversation(topic), unread);
    saveOpenTopics();
}

void RoomNavigator::onHubInfoChanged()
{
    // Once per session, as soon as we know which hub this is: reopen the last visit's topics.
    if (!m_session || m_restored || m_session->hubId().isEmpty() || m_session->trustKey().isEmpty())
        return;
    m_restored = true;
    QStringList topics = m_settings->openTopics(m_session->trustKey());
    // A locked room needs its password: the Workspace opens it with the kept one, if any; it
    // is never asked for here (no password prompt the user did not ask for). One open already
    // (the user chose it in this run) stays.
    const auto locked = [this](const QString &topic) {
        return m_session->rooms()->entry(topic).locked && !m_session->isOpen(topic);
    };
    const QString awaited
        = !topics.isEmpty() && locked(topics.first()) ? topics.first() : QString();
    topics.removeIf(locked);
    if (topics.isEmpty())
        topics.append(defaultTopic());
    const QString current = topics.first();
    for (const QString &topic : std::as_const(topics)) {
        if (topic != current)
            m_session->openTopic(topic);
    }
    activate(current);
    m_awaited = awaited;
}

void RoomNavigator::onTopicOpened(const QString &topic)
{
    if (!m_awaited.isEmpty() && topic == m_awaited) {
        m_awaited.clear();
        activate(topic);
        return; // activate() saved the topics
    }
    saveOpenTopics();
}

void RoomNavigator::onTopicOpenFailed(const QString &topic, const QString &reason)
{
    const bool hadPassword = m_triedPasswordFor == topic;
    m_triedPasswordFor.clear();
    if (topic == m_awaited)
        m_awaited.clear(); // its kept password no longer opens it: the user may open it again
    if (topic != m_asked) {
        return; // a room reopened in the background: nobody is waiting for it
    } else if (reason == Protocol::Reason::Unauthorized
               && topic.startsWith(QLatin1String("room:"))) {
        emit passwordNeeded(topic, hadPassword);
    } else if (reason == Protocol::Reason::NoSuchRoom && topic != defaultTopic()) {
        activate(defaultTopic()); // a remembered room that is gone
    } else
        emit openFailed(topic, reason);
}

void RoomNavigator::onTopicClosed(const QString &topic)
{
    if (topic == m_current) {
        m_current.clear();
        // A room that refused us (or went away): back to where the user was.
        if (!m_previous.isEmpty() && m_previous != topic && m_session->isOpen(m_previous))
            show(m_previous); // not asked for: a refusal of `topic` is still the user's to see
        else
            emit shown(nullptr, 0);
    }
    saveOpenTopics();
}

void RoomNavigator::saveOpenTopics()
{
    if (!m_session || !m_restored || m_session->trustKey().isEmpty())
        return;
    QStringList topics = m_session->openTopics();
    topics.sort();
    if (!m_current.isEmpty()) {
        topics.removeAll(m_current);
        topics.prepend(m_current);
    }
    m_settings->setOpenTopics(m_session->trustKey(), topics);
}

} // namespace Parley::Ui
