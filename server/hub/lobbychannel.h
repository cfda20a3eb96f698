#pragma once

#include "hub/channel.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Parley::Hub {

class Hub;

// hub:lobby: hub info and the room list on join, create_room, set_status, and the coalesced
// rooms_changed broadcast. Owned by the Hub; hub thread only.
class LobbyChannel : public QObject, public Channel
{
    Q_OBJECT
public:
    explicit LobbyChannel(Hub *hub);

    JoinResult join(Connection *connection, const Protocol::Topic &topic,
                    const QString &topicName, const QJsonObject &params) override;
    void handleIn(Connection *connection, const Protocol::Message &message) override;

    // The room list or a member count changed: rooms_changed goes out, at most 2 per second.
    void markRoomsChanged();
    QJsonArray roomsJson() const;

private:
    void createRoom(Connection *connection, const Protocol::Message &message);
    void setStatus(Connection *connection, const Protocol::Message &message);
    void sendRoomsChanged();

    Hub *m_hub;
    QTimer m_roomsTimer;
    QElapsedTimer m_sinceRoomsChanged;
};

bool isValidStatus(const QString &status);

} // namespace Parley::Hub
