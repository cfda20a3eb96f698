#include "ui/hubcontrol.h"

#include "client/hublistmodel.h"

namespace Parley::Ui {

Client::ChatSession *HubControl::session() const
{
    return hubs()->current();
}

void HubControl::setCurrent(Client::ChatSession *session)
{
    hubs()->setCurrent(session);
}

} // namespace Parley::Ui
