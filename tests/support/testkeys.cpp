#include "testkeys.h"

#include <QCryptographicHash>
#include <QHash>
#include <QMutex>

#include <memory>

namespace Parley::Testing::TestKeys {

using Protocol::Identity::KeyPair;

namespace {

struct Registry
{
    QMutex mutex;
    QHash<QString, std::shared_ptr<KeyPair>> byLabel;
    QHash<QString, std::shared_ptr<KeyPair>> byUserId;
    QHash<quint16, QString> bindings; // by hub port
};

Registry &registry()
{
    static Registry instance;
    return instance;
}

} // namespace

const KeyPair &forLabel(const QString &label)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    if (const auto it = r.byLabel.constFind(label); it != r.byLabel.cend())
        return **it;
    const QByteArray seed = QCryptographicHash::hash(label.toUtf8(), QCryptographicHash::Sha256);
    auto key = std::make_shared<KeyPair>(*KeyPair::fromPrivateKey(seed));
    r.byLabel.insert(label, key);
    r.byUserId.insert(key->userId(), key);
    return *key;
}

QString userId(const QString &label)
{
    return forLabel(label).userId();
}

const KeyPair *findByUserId(const QString &userId)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    const auto it = r.byUserId.constFind(userId);
    return it == r.byUserId.cend() ? nullptr : it->get();
}

const KeyPair &of(const QString &labelOrUserId)
{
    if (const KeyPair *key = findByUserId(labelOrUserId))
        return *key;
    return forLabel(labelOrUserId);
}

void setHubBinding(quint16 port, const QString &binding)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.bindings.insert(port, binding);
}

QString hubBinding(quint16 port)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    return r.bindings.value(port);
}

} // namespace Parley::Testing::TestKeys
