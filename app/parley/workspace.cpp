#include "parley/workspace.h"

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hublistmodel.h"
#include "client/hubtrust.h"
#include "client/invitelink.h"
#include "client/roomlistmodel.h"
#include "parley/logging.h"
#include "parley/secretstore.h"
#include "protocol/events.h"
#include "protocol/identity.h"
#include "protocol/topics.h"
#include "ui/appsettings.h"
#include "ui/roomnavigator.h"

#include <QDateTime>

namespace Parley::App {

using Client::ChatSession;

Workspace::Workspace(Ui::AppSettings *settings, WorkspaceOptions options,
                     std::unique_ptr<Hosting> hosting, QObject *parent)
    : HubControl(parent)
    , m_settings(settings)
    , m_options(std::move(options))
    , m_hubs(std::make_unique<Client::HubListModel>())
    , m_host(std::move(hosting))
    , m_secrets(new SecretStore(m_options.secretService, this))
    , m_status(Protocol::Status::Online)
{
    connect(m_secrets, &SecretStore::unavailable, this, &Workspace::passwordsNotKept);
    m_settings->migrateToTrustKeys();
    renameKeptSecrets();
    if (m_host)
        connect(m_host.get(), &Hosting::runningChanged, this, &Workspace::hostingChanged);
    connect(m_hubs.get(), &Client::HubListModel::currentChanged, this,
            [this](ChatSession *session) {
                saveHubs();
                emit currentChanged(session);
            });
}

Workspace::~Workspace()
{
    m_saving = false; // what the app was on is what the next start restores
    if (m_host)
        m_host->stop(); // every client, this app's own session included, is closed with 1001
    while (!m_joined.empty())
        drop(m_joined.back().session.get());
}

bool Workspace::isHosting() const
{
    return m_host && m_host->isRunning();
}

Ui::HostedHub Workspace::hosted() const
{
    if (!isHosting())
        return {};
    return { m_host->options().name, m_host->fingerprint(), m_host->lanAddresses(),
             m_host->localUrl(), m_host->options().announce };
}

bool Workspace::host(const Ui::HostOptions &options, QString *error)
{
    stopHosting();
    if (!m_host) {
        if (error)
            *error = tr("this Parley cannot host hubs, only join them");
        return false;
    }
    if (!m_host->start(options, error))
        return false;
    Joined joined;
    joined.url = m_host->localUrl();
    joined.pin = m_host->fingerprint(); // the app trusts the hub it runs itself
    joined.password = options.password;
    add(std::move(joined), true);
    return true;
}

void Workspace::stopHosting()
{
    if (ChatSession *own = m_hubs->hosted())
        drop(own);
    if (m_host)
        m_host->stop();
}

void Workspace::join(const QUrl &mountUrl, const QString &hubPassword)
{
    const QUrl url = withoutDowngrade(mountUrl);
    if (ChatSession *known = sessionFor(url)) {
        if (!hubPassword.isEmpty())
            rejoin(known, hubPassword);
        m_hubs->setCurrent(sessionFor(url));
        return;
    }
    Joined joined;
    joined.url = url;
    joined.password = hubPassword;
    joined.pin = m_settings->pinnedFingerprint(Client::hubAddressText(url));
    add(std::move(joined), false);
}

QUrl Workspace::withoutDowngrade(const QUrl &url) const
{
    const Client::TrustRecords records = m_settings->trustRecords();
    if (url.scheme() != QLatin1String("ws") || !records.isEncryptedAddress(url)
        || records.isPlainAllowed(url))
        return url;
    // Typed, linked or remembered as ws://, but reached over TLS before: never plain without
    // the user's choice. If the hub really is plain now, the session says so and asks.
    QUrl secure = url;
    secure.setScheme(QStringLiteral("wss"));
    qCInfo(lcApp) << "joining" << secure.toString() << "encrypted, as before, not over plain ws://";
    return secure;
}

Client::BeaconTrust Workspace::judge(const Client::DiscoveredHub &hub) const
{
    return Client::judgeBeacon(hub, m_settings->trustRecords());
}

void Workspace::joinDiscovered(const Client::DiscoveredHub &hub, const QString &hubPassword)
{
    // A hub nobody here knows may be trusted as it announces itself (a neighbour could announce
    // a hub of their own just as well: it is a new hub to the user). A beacon that does not
    // match what was verified changes nothing: joining it asks, as for any hub not trusted yet.
    const QUrl url = hub.mountUrl();
    const QString address = Client::hubAddressText(url);
    if (judge(hub) == Client::BeaconTrust::New && hub.tls && !hub.fingerprint.isEmpty()
        && m_settings->pinnedFingerprint(address).isEmpty())
        m_settings->setPinnedFingerprint(address, hub.fingerprint);
    join(url, hubPassword);
}

void Workspace::allowUnencrypted(ChatSession *session)
{
    Joined *joined = find(session);
    if (!joined || m_hubs->isHosted(session))
        return;
    if (session->refusalReason() == Protocol::Reason::UnverifiedHub) {
        // A plain hub that says it is one known elsewhere: the user chose to join it here.
        m_settings->allowPlain(Client::hubAddressText(joined->url));
        joined->password.clear();
        rejoin(session);
        return;
    }
    m_settings->allowPlain(Client::hubAddressText(joined->url));
    joined->url.setScheme(QStringLiteral("ws"));
    joined->pin.clear();
    joined->password.clear(); // never sent in clear unless typed again for this hub
    qCInfo(lcApp) << "the user chose to join" << joined->url.toString() << "without encryption";
    rejoin(session);
}

void Workspace::openInvite(const Client::InviteLink &link)
{
    const QString topic = link.room.isEmpty() ? QString() : Protocol::roomTopic(link.room);
    if (ChatSession *known = sessionFor(withoutDowngrade(link.mountUrl))) {
        m_hubs->setCurrent(known);
        if (!topic.isEmpty())
            emit topicRequested(known, topic);
        return;
    }
    // The link came through a channel the user trusts: its certificate needs no confirmation.
    // A certificate already trusted for that address is not replaced behind the user's back:
    // the session uses it, and a hub showing the link's one asks as a changed certificate does.
    // A link without a certificate is joined over TLS all the same, asking the user to trust
    // what the hub shows.
    const QString address = Client::hubAddressText(link.mountUrl);
    if (!link.fingerprint.isEmpty() && m_settings->pinnedFingerprint(address).isEmpty())
        m_settings->setPinnedFingerprint(address, link.fingerprint);
    join(link.mountUrl);
    if (Joined *joined = find(sessionFor(withoutDowngrade(link.mountUrl)))) {
        joined->expectedHubId = link.hubId;
        joined->requestedTopic = topic;
    }
}

void Workspace::checkInvite(ChatSession *session)
{
    Joined *joined = find(session);
    if (!joined || session->hubId().isEmpty() || joined->expectedHubId.isEmpty())
        return;
    const QString expected = std::exchange(joined->expectedHubId, {});
    if (session->hubId() != expected)
        emit inviteMismatch(session, expected);
}

void Workspace::rejoin(ChatSession *session, const QString &hubPassword)
{
    Joined *joined = find(session);
    if (!joined)
        return;
    if (!hubPassword.isEmpty())
        joined->password = hubPassword;
    std::unique_ptr<ChatSession> old = std::move(joined->session);
    saveReadPositions(old.get());
    joined->session = makeSession(*joined);
    joined->reopened = false;
    ChatSession *fresh = joined->session.get();
    m_hubs->replace(old.get(), fresh); // the row (and being shown) passes to the new session
    emit sessionRemoved(old.get());
    old->disconnectFromHub();
    old.release()->deleteLater(); // it may be inside one of its own signals
    emit sessionAdded(fresh);
    qCInfo(lcApp) << "joining again" << joined->url.toString();
    fresh->connectToHub(joined->url, joined->password);
}

void Workspace::rejoinAll()
{
    const QList<ChatSession *> sessions = m_hubs->sessions();
    for (ChatSession *session : sessions)
        rejoin(session);
}

void Workspace::leave(ChatSession *session)
{
    if (!session)
        return;
    if (m_hubs->isHosted(session))
        stopHosting();
    else
        drop(session);
}

void Workspace::trustCertificate(ChatSession *session, const QString &fingerprint)
{
    Joined *joined = find(session);
    if (!joined || fingerprint.isEmpty())
        return;
    joined->pin = fingerprint;
    if (!m_hubs->isHosted(session))
        m_settings->setPinnedFingerprint(Client::hubAddressText(joined->url), fingerprint);
    session->trustCertificate(fingerprint);
}

void Workspace::setStatus(const QString &status)
{
    m_status = status;
    for (const Joined &joined : m_joined)
        joined.session->setStatus(status);
}

void Workspace::leaveRoom(ChatSession *session, const QString &topic)
{
    if (!session || topic.isEmpty())
        return;
    session->closeTopic(topic);
    if (const QString key = keyOf(session); Client::isEncryptedKey(key))
        m_secrets->remove(SecretStore::roomKey(key, topic));
}

QString Workspace::keyOf(const ChatSession *session)
{
    return session ? session->trustKey() : QString();
}

QUrl Workspace::hubUrl() const
{
    const Joined *joined = find(session());
    return joined ? joined->url : QUrl();
}

QString Workspace::pinnedFingerprint() const
{
    const Joined *joined = find(session());
    return joined ? joined->pin : QString();
}

ChatSession *Workspace::sessionFor(const QUrl &mountUrl) const
{
    for (const Joined &joined : m_joined) {
        if (joined.url == mountUrl)
            return joined.session.get();
    }
    return nullptr;
}

Workspace::Joined *Workspace::find(const ChatSession *session)
{
    for (Joined &joined : m_joined) {
        if (session && joined.session.get() == session)
            return &joined;
    }
    return nullptr;
}

const Workspace::Joined *Workspace::find(const ChatSession *session) const
{
    return const_cast<Workspace *>(this)->find(session);
}

std::unique_ptr<ChatSession> Workspace::makeSession(const Joined &joined)
{
    Client::Identity identity;
    identity.key = m_settings->identityKey();
    identity.nick = m_settings->nick();
    auto session = std::make_unique<ChatSession>(identity);
    ChatSession *raw = session.get();
    session->setPinnedFingerprint(joined.pin);
    // Plain ws:// to a hub verified over TLS only if the user chose plain for this address.
    session->setPlainHubCheck([this, url = joined.url](const QString &hubId) {
        return m_settings->trustRecords().plainRefusal(url, hubId);
    });
    session->setStatus(m_status); // a chosen status outlives a reconnect and holds on every hub
    connect(raw, &ChatSession::connectionStateChanged, this, [this, raw] {
        rememberIfConnected(raw);
        keepPasswords(raw);
        onRefused(raw);
    });
    connect(raw, &ChatSession::topicOpened, this, [this, raw](const QString &topic) {
        // Kept only for a hub verified by its certificate: over plain ws:// anyone could claim
        // to be the hub and be handed it.
        const Client::Conversation *conversation = raw->conversation(topic);
        if (conversation && !conversation->password().isEmpty()
            && Client::isEncryptedKey(keyOf(raw)))
            m_secrets->write(SecretStore::roomKey(keyOf(raw), topic), conversation->password());
    });
    connect(raw, &ChatSession::topicOpenFailed, this,
            [this, raw](const QString &topic, const QString &reason) {
                // The password kept for it no longer opens it.
                if (reason == Protocol::Reason::Unauthorized && Client::isEncryptedKey(keyOf(raw)))
                    m_secrets->remove(SecretStore::roomKey(keyOf(raw), topic));
            });
    connect(raw, &ChatSession::hubInfoChanged, this, [this, raw] {
        verifyHub(raw);
        rememberIfConnected(raw);
        reopenRooms(raw);
        checkInvite(raw);
    });
    connect(raw, &ChatSession::certificateRejected, this,
            [this, raw](const QString &presented, const QString &pinned) {
                if (const Joined *joined = find(raw))
                    emit certificateRejected(raw, joined->url, presented, pinned);
            });
    return session;
}

void Workspace::add(Joined joined, bool hosted)
{
    joined.session = makeSession(joined);
    ChatSession *session = joined.session.get();
    const QUrl url = joined.url;
    const QString password = joined.password;
    m_joined.push_back(std::move(joined));
    m_hubs->append(session, hosted);
    emit sessionAdded(session);
    qCInfo(lcApp) << (hosted ? "joining the hosted hub at" : "joining") << url.toString();
    session->connectToHub(url, password);
    m_hubs->setCurrent(session); // saves the hubs
}

void Workspace::saveReadPositions(const ChatSession *session)
{
    if (session && !keyOf(session).isEmpty())
        m_settings->setReadPositions(keyOf(session), session->readPositions());
}

void Workspace::drop(ChatSession *session)
{
    const auto it = std::find_if(m_joined.begin(), m_joined.end(), [session](const Joined &joined) {
        return joined.session.get() == session;
    });
    if (it == m_joined.end())
        return;
    std::unique_ptr<ChatSession> old = std::move(it->session);
    saveReadPositions(old.get());
    m_joined.erase(it);
    m_hubs->remove(old.get()); // shows a neighbour if it was shown
    emit sessionRemoved(old.get());
    old->disconnectFromHub();
    saveHubs();
    old.release()->deleteLater(); // it may be inside one of its own signals
}

void Workspace::rememberIfConnected(ChatSession *session)
{
    // A hub that let us in is worth remembering (the hosted one is remembered as "host").
    const Joined *joined = find(session);
    if (!joined || session->connectionState() != ChatSession::ConnectionState::Connected
        || session->hubName().isEmpty() || m_hubs->isHosted(session))
        return;
    m_settings->rememberHub(keyOf(session), session->hubId(), session->hubName(), joined->url,
                            QDateTime::currentMSecsSinceEpoch());
}

void Workspace::keepPasswords(ChatSession *session)
{
    // A hub password that let us in is kept for the next start (the hosted hub's is the
    // app's own).
    // Only for a hub verified by its certificate: never to be sent over plain ws://.
    const Joined *joined = find(session);
    if (joined && session->connectionState() == ChatSession::ConnectionState::Connected
        && !joined->password.isEmpty() && !m_hubs->isHosted(session)
        && Client::isEncryptedKey(keyOf(session)))
        m_secrets->write(SecretStore::hubKey(keyOf(session)), joined->password);
}

void Workspace::onRefused(ChatSession *session)
{
    // Refused for want of the hub password: the kept one is tried once before the user is
    // asked (the banner asks when it fails too, or when none is kept).
    Joined *joined = find(session);
    if (!joined || joined->triedKeptPassword
        || session->connectionState() != ChatSession::ConnectionState::Refused
        || session->refusalReason() != Protocol::Reason::Unauthorized
        || !Client::isEncryptedKey(keyOf(session)))
        return;
    joined->triedKeptPassword = true;
    const QString sent = joined->password;
    m_secrets->read(SecretStore::hubKey(keyOf(session)), session,
                    [this, session, sent](const QString &kept) {
                        if (!kept.isEmpty() && kept != sent)
                            rejoin(session, kept);
                    });
}

void Workspace::verifyHub(ChatSession *session)
{
    Joined *joined = find(session);
    const QString key = keyOf(session);
    if (!joined || session->hubId().isEmpty() || key.isEmpty())
        return;
    if (!Client::isEncryptedKey(key)) {
        // A plain hub: its address is all that tells it from one that claims its id.
        m_settings->notePlainHub(session->hubId(), Client::hubAddressText(joined->url));
        return;
    }
    const QString fingerprint = key.mid(Protocol::Identity::fingerprintBinding(QString()).size());
    if (m_hubs->isHosted(session)) {
        // Ours: its id is no claim. Not recorded as verified either: others reach it at LAN
        // addresses this app never pinned, and its beacon must not look unverified here.
        m_settings->adoptLegacyHubData(session->hubId(), key);
        return;
    }
    const QString verified = m_settings->trustRecords().verifiedHubs.value(session->hubId());
    if (verified.isEmpty() || verified == fingerprint) {
        m_settings->setVerifiedHub(session->hubId(), fingerprint);
        return;
    }
    // It says it is a hub verified with another certificate. Everything kept is filed by
    // certificate, so it gets none of that hub's; the user is told why it looks new.
    QString known = session->hubName();
    const QList<Ui::RecentHub> recent = m_settings->recentHubs();
    for (const Ui::RecentHub &hub : recent) {
        if (hub.trustKey == Protocol::Identity::fingerprintBinding(verified) && !hub.name.isEmpty())
            known = hub.name;
    }
    qCWarning(lcApp).noquote() << "the hub at" << joined->url.toString() << "claims the id of"
                               << known << "but shows another certificate";
    emit hubClaimsAnother(session, known);
}

void Workspace::renameKeptSecrets()
{
    const QList<Ui::AppSettings::SecretRename> renames = m_settings->takeSecretRenames();
    for (const Ui::AppSettings::SecretRename &rename : renames) {
        const QString old = rename.topic.isEmpty()
            ? SecretStore::hubKey(rename.oldHub)
            : SecretStore::roomKey(rename.oldHub, rename.topic);
        const QString renamed = rename.topic.isEmpty()
            ? SecretStore::hubKey(rename.trustKey)
            : SecretStore::roomKey(rename.trustKey, rename.topic);
        // A plain ws:// hub's passwords are not kept any more.
        const bool keep = Client::isEncryptedKey(rename.trustKey);
        m_secrets->read(old, this, [this, old, renamed, keep](const QString &secret) {
            if (secret.isEmpty())
                return;
            if (keep)
                m_secrets->write(renamed, secret);
            m_secrets->remove(old);
        });
    }
}

void Workspace::reopenRooms(ChatSession *session)
{
    // Every hub, shown or not, is in the rooms of the last visit (#general on a first one), so
    // that what arrives in the background counts as unread. A locked room is opened again only
    // with the password kept for it in the secret store: never a prompt the user did not ask
    // for. The window's RoomNavigator picks the one shown. All of it is filed under the hub's
    // trust key: a hub claiming another's id gets nothing of the other's.
    Joined *joined = find(session);
    const QString key = keyOf(session);
    if (!joined || joined->reopened || session->hubId().isEmpty() || key.isEmpty())
        return;
    joined->reopened = true;
    if (!joined->requestedTopic.isEmpty()) {
        // The room of an invite link goes first: the window shows it.
        QStringList topics = m_settings->openTopics(key);
        topics.removeAll(joined->requestedTopic);
        topics.prepend(std::exchange(joined->requestedTopic, {}));
        m_settings->setOpenTopics(key, topics);
    }
    // What was read before (this session has read nothing yet: no room is open before the hub
    // answered): the rooms' first joins count the rest as unread.
    session->setReadPositions(m_settings->readPositions(key));
    QStringList topics = m_settings->openTopics(key);
    if (topics.isEmpty())
        topics.append(Ui::RoomNavigator::defaultTopic());
    for (const QString &topic : std::as_const(topics)) {
        if (!session->rooms()->entry(topic).locked) {
            session->openTopic(topic);
            continue;
        }
        if (!Client::isEncryptedKey(key))
            continue; // no password is kept for a plain ws:// hub
        m_secrets->read(SecretStore::roomKey(key, topic), session,
                        [session, topic](const QString &password) {
                            if (!password.isEmpty() && !session->isOpen(topic))
                                session->openTopic(topic, password);
                        });
    }
}

QString Workspace::savedKey(const ChatSession *session) const
{
    if (m_hubs->isHosted(session))
        return Ui::AppSettings::hostedHubKey();
    const Joined *joined = find(session);
    return joined ? joined->url.toString() : QString();
}

void Workspace::saveHubs()
{
    if (!m_saving)
        return;
    QStringList hubs;
    const QList<ChatSession *> sessions = m_hubs->sessions();
    for (const ChatSession *session : sessions)
        hubs.append(savedKey(session));
    m_settings->setJoinedHubs(hubs);
    m_settings->setCurrentHub(savedKey(m_hubs->current()));
}

} // namespace Parley::App
