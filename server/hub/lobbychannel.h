#pragma once

#include "hub/channel.h"
#include "hub/channelcontext.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Parley::Hub {

struct RoomRecord;

// hub:lobby: hub info and the room list on join, create_room, set_status, and the coalesced
// rooms_changed broadcast (room list or member counts changed). Owned by the Hub; hub thread
// only.
class LobbyChannel : public QObject, public Channel
{
    Q_OBJECT
public:
    LobbyChannel(const ChannelContext &context, QObject *parent);

    JoinResult join(Connection *connection, const Protocol::Topic &topic,
                    const QString &topicName, const QJsonObject &params) override;
    void handleIn(Connection *connection, const Protocol::Message &message) override;

    // The room list or a member count changed: rooms_changed goes out, at most 2 per second.
    void markRoomsChanged(bool countsOnly);
    QJsonArray roomsJson() const;

private:
    void createRoom(Connection *connection, const Protocol::Message &message);
    void setStatus(Connection *connection, const Protocol::Message &message);
    void sendRoomsChanged();
    QJsonObject roomJson(const RoomRecord &room) const;

    ChannelContext m_context;
    QTimer m_roomsTimer;
    QElapsedTimer m_sinceRoomsChanged;
};

} // namespace Parley::Hub
