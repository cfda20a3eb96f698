#pragma once

#include <QElapsedTimer>
#include <QString>

namespace Parley::Hub {

class ConnectionRegistry;
class HistoryStore;
class PeerLimits;
class PresenceService;
class PubSub;
class RoomDirectory;
class StoreQueue;
struct HubSettings;

// What a channel may use of the hub: its services, never the Hub itself (which routes frames
// to the channels and owns all of this). Made by Hub::start() once the store is open; every
// reference outlives the channels.
struct ChannelContext
{
    const HubSettings &settings;
    QString hubId;
    HistoryStore &store; // reads, on the hub thread
    StoreQueue &writes; // message writes, committed off the hub thread
    RoomDirectory &rooms;
    PubSub &pubSub;
    PresenceService &presence;
    const ConnectionRegistry &connections;
    PeerLimits &peers; // what each peer address may still do
    const QElapsedTimer &clock;

    qint64 nowMs() const { return clock.elapsed(); } // the hub's monotonic time
};

} // namespace Parley::Hub
