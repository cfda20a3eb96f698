// The rules behind the window's widgets, without a hub: links found in plain text, hub
// addresses as typed, when a message notifies, room names from titles, a nickname that is too
// long, and the app's own icons on dialogs.

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/composer.h"
#include "ui/connectionbanner.h"
#include "ui/createroomdialog.h"
#include "ui/elidedlabel.h"
#include "ui/hubheader.h"
#include "ui/icons.h"
#include "ui/linkfinder.h"
#include "ui/mainwindow.h"
#include "ui/messagedelegate.h"
#include "ui/messageview.h"
#include "ui/nicknamedialog.h"
#include "ui/notifier.h"
#include "ui/onlineuserspanel.h"
#include "ui/roomlistview.h"
#include "ui/roomnavigator.h"
#include "ui/settingsdialog.h"
#include "ui/statusbutton.h"
#include "ui/timetext.h"
#include "ui/usercolors.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUdpSocket>

#include <ctime>
#include <memory>

using namespace Parley;

class TestWidgetRules : public QObject
{
    Q_OBJECT

private slots:
    void findsLinks_data();
    void findsLinks();
    void parsesHubAddresses_data();
    void parsesHubAddresses();
    void notificationRules_data();
    void notificationRules();
    void notificationChoices_data();
    void notificationChoices();
    void settingsApplyAtOnceAndAreKept();
    void roomNamesFromTitles();
    void dialogsUseTheAppsIcons();
    void aLongNicknameIsRefusedNotCut();
    void namesUseTheRowAndRightToLeftTextReadsFromTheRight();
    void headersAreCutAtAWholeLetter();
    void partOfAMessageIsSelectedAndCopied();
    void localTimesNeedNoZoneLookupEachTime();
    void rowsAreLaidOutOnceAndPaintedWithoutLookups();
};

void TestWidgetRules::findsLinks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("urls");
    QTest::addRow("none") << QStringLiteral("no links here") << QStringList();
    QTest::addRow("sentence end") << QStringLiteral("see https://example.org/a.")
                                  << QStringList { QStringLiteral("https://example.org/a") };
    QTest::addRow("www") << QStringLiteral("www.example.org, ok")
                         << QStringList { QStringLiteral("http://www.example.org") };
    QTest::addRow("parenthesis") << QStringLiteral("(http://example.org/x_(y))")
                                 << QStringList { QStringLiteral("http://example.org/x_(y)") };
    QTest::addRow("html around") << QStringLiteral("<a href=\"http://a.example\">x</a>")
                                 << QStringList { QStringLiteral("http://a.example") };
    QTest::addRow("e-mail") << QStringLiteral("write to ana.b+lan@example.org, thanks")
                            << QStringList { QStringLiteral("mailto:ana.b+lan@example.org") };
    QTest::addRow("not an e-mail") << QStringLiteral("meet @ana at 5 or a@b") << QStringList();
    QTest::addRow("two") << QStringLiteral("http://a.example and https://b.example/p?q=1")
                         << QStringList { QStringLiteral("http://a.example"),
                                          QStringLiteral("https://b.example/p?q=1") };
}

void TestWidgetRules::findsLinks()
{
    QFETCH(QString, text);
    QFETCH(QStringList, urls);
    QStringList found;
    for (const Ui::TextLink &link : Ui::findLinks(text))
        found << link.url.toString();
    QCOMPARE(found, urls);
}

void TestWidgetRules::parsesHubAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("url"); // empty: refused
    // A bare address is wss://: hubs are encrypted unless started with --no-tls.
    QTest::addRow("host:port") << QStringLiteral("192.168.1.20:4001")
                               << QStringLiteral("wss://192.168.1.20:4001/socket");
    QTest::addRow("host only") << QStringLiteral(" pc.local ")
                               << QStringLiteral("wss://pc.local:4000/socket");
    QTest::addRow("plain url") << QStringLiteral("ws://10.0.0.2:5000/socket")
                               << QStringLiteral("ws://10.0.0.2:5000/socket");
    QTest::addRow("wss url") << QStringLiteral("wss://10.0.0.2:5000")
                             << QStringLiteral("wss://10.0.0.2:5000/socket");
    QTest::addRow("ipv6") << QStringLiteral("[::1]:4002")
                          << QStringLiteral("wss://[::1]:4002/socket");
    QTest::addRow("empty") << QString() << QString();
    QTest::addRow("http") << QStringLiteral("http://x:1") << QString();
    QTest::addRow("bad port") << QStringLiteral("x:99999") << QString();
    QTest::addRow("other path") << QStringLiteral("ws://x:1/other") << QString();
}

void TestWidgetRules::parsesHubAddresses()
{
    QFETCH(QString, text);
    QFETCH(QString, url);
    QString error;
    const std::optional<QUrl> parsed = Client::parseHubAddress(text, &error);
    if (url.isEmpty()) {
        QVERIFY(!parsed);
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->toString(), url);
    }
}

void TestWidgetRules::notificationRules_data()
{
    QTest::addColumn<bool>("active");
    QTest::addColumn<bool>("shown");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("notify");
    QTest::addRow("looking at it") << true << true << "online"
                                   << "hi" << false;
    QTest::addRow("other room") << true << false << "online"
                                << "hi" << true;
    QTest::addRow("inactive") << false << true << "online"
                              << "hi" << true;
    QTest::addRow("away") << false << true << "away"
                          << "hi" << true;
    QTest::addRow("busy") << false << true << "busy"
                          << "hi" << false;
    QTest::addRow("busy, mentioned") << false << true << "busy"
                                     << "hey @ana look" << true;
    QTest::addRow("busy, name in text") << false << true << "busy"
                                        << "Ana: look" << true;
    QTest::addRow("busy, part of a word") << false << true << "busy"
                                          << "banana" << false;
}

void TestWidgetRules::notificationRules()
{
    QFETCH(bool, active);
    QFETCH(bool, shown);
    QFETCH(QString, status);
    QFETCH(QString, body);
    QFETCH(bool, notify);
    Ui::Notifier::Situation situation { active, shown, status, QStringLiteral("Ana"), body };
    QCOMPARE(Ui::Notifier::shouldNotify(situation), notify);
}

void TestWidgetRules::notificationChoices_data()
{
    using Notify = Ui::Preferences::Notify;
    QTest::addColumn<Notify>("choice");
    QTest::addColumn<QString>("status");
    QTest::addColumn<bool>("direct");
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("notify");
    QTest::addRow("all, a room") << Notify::All << "online" << false << "hi" << true;
    QTest::addRow("dms and mentions, a room")
        << Notify::DirectAndMentions << "online" << false << "hi" << false;
    QTest::addRow("dms and mentions, a dm")
        << Notify::DirectAndMentions << "online" << true << "hi" << true;
    QTest::addRow("dms and mentions, mentioned")
        << Notify::DirectAndMentions << "away" << false << "@ana see this" << true;
    QTest::addRow("nothing, a dm") << Notify::Nothing << "online" << true << "hi" << false;
    QTest::addRow("nothing, mentioned") << Notify::Nothing << "online" << false << "@ana!" << false;
    QTest::addRow("busy, a dm") << Notify::All << "busy" << true << "hi" << false;
    QTest::addRow("busy, a dm mentioning")
        << Notify::DirectAndMentions << "busy" << true << "ana?" << true;
}

void TestWidgetRules::notificationChoices()
{
    QFETCH(Ui::Preferences::Notify, choice);
    QFETCH(QString, status);
    QFETCH(bool, direct);
    QFETCH(QString, body);
    QFETCH(bool, notify);
    Ui::Notifier::Situation situation { false, false,  status, QStringLiteral("Ana"),
                                        body,  direct, choice };
    QCOMPARE(Ui::Notifier::shouldNotify(situation), notify);
}

void TestWidgetRules::settingsApplyAtOnceAndAreKept()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    Ui::AppSettings settings;
    QCOMPARE(settings.preferences(), Ui::Preferences {}); // system theme, every message notifies

    const QPalette system = QApplication::palette();
    // An icon a widget keeps, drawn in the palette's text colour: lit in the middle of "plus".
    const QIcon plus = Ui::Icons::icon(QStringLiteral("plus"), QPalette::WindowText);
    const auto inkOf = [&plus] { return plus.pixmap(QSize(24, 24)).toImage().pixelColor(12, 12); };

    Ui::SettingsDialog dialog(&settings);
    QSignalSpy changed(&dialog, &Ui::SettingsDialog::preferencesChanged);
    connect(&dialog, &Ui::SettingsDialog::preferencesChanged, this,
            [](const Ui::Preferences &chosen) { Ui::AppStyle::applyTheme(chosen.theme); });
    dialog.themeBox()->setCurrentIndex(int(Ui::Preferences::Theme::Dark));
    QCOMPARE(changed.count(), 1);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    QVERIFY2(inkOf().lightness() > 180, "the kept icon turned light on the dark theme");
    dialog.themeBox()->setCurrentIndex(int(Ui::Preferences::Theme::Light));
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 200);
    QVERIFY2(inkOf().lightness() < 80, "and dark again on the light one");

    dialog.notifyBox()->setCurrentIndex(int(Ui::Preferences::Notify::Nothing));
    QVERIFY(!dialog.notificationTextBox()->isEnabled()); // nothing to show text of
    dialog.startMinimisedBox()->setChecked(true);
    const Ui::Preferences kept = Ui::AppSettings().preferences();
    QCOMPARE(kept.theme, Ui::Preferences::Theme::Light);
    QCOMPARE(kept.notify, Ui::Preferences::Notify::Nothing);
    QCOMPARE(kept.startMinimised, true);
    QCOMPARE(kept.notificationText, true);

    // Back to the system's: the palette the app started with.
    dialog.themeBox()->setCurrentIndex(int(Ui::Preferences::Theme::System));
    QCOMPARE(QApplication::palette().color(QPalette::Window), system.color(QPalette::Window));
    QSettings().clear();
}

void TestWidgetRules::roomNamesFromTitles()
{
    QCOMPARE(Ui::CreateRoomDialog::nameFromTitle(QStringLiteral("Design Review!")),
             QStringLiteral("design-review"));
    QCOMPARE(Ui::CreateRoomDialog::nameFromTitle(QStringLiteral("  Café  2  ")),
             QStringLiteral("cafe-2"));
    QVERIFY(Ui::CreateRoomDialog::isValidName(QStringLiteral("a-b_c1")));
    QVERIFY(!Ui::CreateRoomDialog::isValidName(QStringLiteral("-a")));
    QVERIFY(!Ui::CreateRoomDialog::isValidName(QString(41, QLatin1Char('a'))));
}

void TestWidgetRules::dialogsUseTheAppsIcons()
{
    // The app's line icons, in the palette's accent colour, not the toolkit's bitmaps.
    Ui::AppStyle style(QStyleFactory::create(QStringLiteral("Fusion")));
    const QColor accent = QApplication::palette().color(QPalette::Highlight);
    const auto usesAccent = [&](QStyle::StandardPixmap which) {
        const QImage image = style.standardIcon(which).pixmap(QSize(32, 32)).toImage();
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor pixel = image.pixelColor(x, y);
                if (pixel.alpha() > 200 && pixel.rgb() == accent.rgb())
                    return true;
            }
        }
        return false;
    };
    QVERIFY(usesAccent(QStyle::SP_MessageBoxQuestion));
    QVERIFY(usesAccent(QStyle::SP_MessageBoxInformation));
    const QColor ink = QApplication::palette().color(QPalette::ButtonText);
    const QImage ok = style.standardIcon(QStyle::SP_DialogOkButton).pixmap(QSize(32, 32)).toImage();
    bool inked = false;
    for (int y = 0; y < ok.height() && !inked; ++y) {
        for (int x = 0; x < ok.width() && !inked; ++x)
            inked = ok.pixelColor(x, y).alpha() > 200 && ok.pixelColor(x, y).rgb() == ink.rgb();
    }
    QVERIFY(inked);
}

void TestWidgetRules::aLongNicknameIsRefusedNotCut()
{
    Ui::NicknameDialog dialog;
    const QString pasted(40, QLatin1Char('n'));
    dialog.nickEdit()->setText(pasted);
    QCOMPARE(dialog.nickEdit()->text(), pasted); // all of it, not 32 characters of it
    QVERIFY(!dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    const auto labels = dialog.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *label) {
        return label->text() == QStringLiteral("A nickname has at most 32 characters.");
    }));
    dialog.nickEdit()->setText(pasted.left(32));
    QVERIFY(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
}

namespace {
// A confirmed message of room:general, as the hub would send it.
Client::ChatMessage chatMessage(qint64 id, const QString &userId, const QString &nick,
                                const QString &body,
                                qint64 ts = QDateTime::currentMSecsSinceEpoch())
{
    Client::ChatMessage message;
    message.id = id;
    message.topic = QStringLiteral("room:general");
    message.userId = userId;
    message.nick = nick;
    message.body = body;
    message.ts = ts;
    return message;
}

// The leftmost and rightmost columns (-1 if none) where `image` has a pixel of `color` in rows
// [top, bottom), right of the avatars.
std::pair<int, int> columnsOf(const QImage &image, const QColor &color, int top, int bottom)
{
    int left = -1;
    int right = -1;
    for (int y = qMax(0, top); y < qMin(bottom, image.height()); ++y) {
        for (int x = 52; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (qAbs(pixel.red() - color.red()) + qAbs(pixel.green() - color.green())
                    + qAbs(pixel.blue() - color.blue())
                < 40) {
                left = left < 0 ? x : qMin(left, x);
                right = qMax(right, x);
            }
        }
    }
    return { left, right };
}
} // namespace

void TestWidgetRules::namesUseTheRowAndRightToLeftTextReadsFromTheRight()
{
    // A long name in a wide row is shown whole (it was cut at half the row), its time after
    // it; a Hebrew message is drawn against the right edge of the text column.
    const QString ana = QStringLiteral("ana-000001");
    const QString longNick = QStringLiteral("Alexandra Konstantinopoulou-Papa"); // 32, the most
    Client::MessageModel model(QStringLiteral("room:general"), QStringLiteral("self-0001"));
    const Client::ChatMessage first = chatMessage(1, ana, longNick, QStringLiteral("hello"));
    const Client::ChatMessage hebrew = chatMessage(
        2, QStringLiteral("bo-0000001"), QStringLiteral("Bo"), QStringLiteral("שלום לכולם"));
    model.mergeAll({ first, hebrew });

    Ui::MessageView view;
    view.resize(500, 300);
    view.setMessages(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QListView *list = &view;
    const QImage image = list->viewport()->grab().toImage();
    if (qEnvironmentVariableIsSet("PARLEY_TEST_SAVE"))
        image.save(qEnvironmentVariable("PARLEY_TEST_SAVE"));
    const QRect firstRow = list->visualRect(model.index(0));
    const QRect secondRow = list->visualRect(model.index(1));
    QVERIFY(firstRow.isValid() && secondRow.isValid());

    QFont bold = list->font();
    bold.setBold(true);
    const int wholeName = QFontMetrics(bold).horizontalAdvance(longNick);
    const int header = list->viewport()->width() - 58 - 34; // the text column
    QVERIFY2(wholeName > header / 2 && wholeName < header - 60,
             "the name must fit the row but not half of it");
    const QColor nickColor = Ui::UserColors::nickColor(ana, list->palette());
    const auto [nickLeft, nickRight]
        = columnsOf(image, nickColor, firstRow.top(), firstRow.bottom());
    QVERIFY(nickLeft > 0);
    // Drawn whole: as wide as the full name (a cut one would end at half the row, with "…").
    QVERIFY2(nickRight - nickLeft > wholeName - 12,
             qPrintable(QStringLiteral("name drawn %1 px wide, whole it is %2 px")
                            .arg(nickRight - nickLeft)
                            .arg(wholeName)));

    // The Hebrew body: its text ends near the right edge of the column, far from the left.
    const QColor text = list->palette().color(QPalette::Text);
    const int bodyTop = secondRow.top() + secondRow.height() / 2;
    const auto [bodyLeft, bodyRight] = columnsOf(image, text, bodyTop, secondRow.bottom());
    QVERIFY(bodyRight > 0);
    QVERIFY2(bodyLeft > list->viewport()->width() / 2,
             qPrintable(QStringLiteral("right-to-left text starts at x=%1").arg(bodyLeft)));
}

void TestWidgetRules::headersAreCutAtAWholeLetter()
{
    const QString title = QStringLiteral("Quarterly planning for the design and research teams");
    QWidget header;
    auto *layout = new QHBoxLayout(&header);
    auto *label = new Ui::ElidedLabel(&header);
    label->setText(title);
    layout->addWidget(label);
    header.resize(label->sizeHint().width() + 40, 40);
    header.show();
    QVERIFY(QTest::qWaitForWindowExposed(&header));
    QCOMPARE(label->shownText(), title); // room for all of it: all of it
    QVERIFY(label->minimumSizeHint().width() < 80); // it may shrink far

    header.resize(200, 40);
    QTRY_VERIFY(label->width() < 200);
    const QString shown = label->shownText();
    QVERIFY2(shown.endsWith(QChar(0x2026)) && shown.size() > 4, qPrintable(shown));
    QVERIFY(title.startsWith(shown.chopped(1)));
    QVERIFY(label->fontMetrics().horizontalAdvance(shown) <= label->contentsRect().width());
    label->grab(); // paints: the whole title becomes the tooltip
    QCOMPARE(label->toolTip(), title);
}

void TestWidgetRules::partOfAMessageIsSelectedAndCopied()
{
    Client::MessageModel model(QStringLiteral("room:general"), QStringLiteral("self-0001"));
    const Client::ChatMessage first
        = chatMessage(1, QStringLiteral("ana-000001"), QStringLiteral("Ana"),
                      QStringLiteral("The build server is down again today"));
    const Client::ChatMessage second = chatMessage(
        2, QStringLiteral("bo-0000001"), QStringLiteral("Bo"), QStringLiteral("Restarting it now"));
    model.mergeAll({ first, second });
    Ui::MessageView view;
    view.resize(600, 300);
    view.setMessages(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QWidget *viewport = view.viewport();
    const QRect row0 = view.visualRect(model.index(0));
    const QRect row1 = view.visualRect(model.index(1));
    const int textLeft = 58; // the body column
    const QPoint bodyStart(row0.left() + textLeft + 1, row0.bottom() - 8);

    // A drag over the start of Ana's message selects that much of it, not the whole.
    QTest::mousePress(viewport, Qt::LeftButton, {}, bodyStart);
    QTest::mouseMove(viewport, bodyStart + QPoint(80, 0));
    QTest::mouseRelease(viewport, Qt::LeftButton, {}, bodyStart + QPoint(80, 0));
    const QString part = view.selectedText();
    QVERIFY2(!part.isEmpty() && first.body.startsWith(part) && part.size() < first.body.size(),
             qPrintable(part));
    // Ctrl+C copies it (the view takes the focus on a click).
    view.setFocus();
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), part);

    // A double click selects one word.
    const QPoint inWord = bodyStart
        + QPoint(QFontMetrics(view.font()).horizontalAdvance(QStringLiteral("The bu")), 0);
    QTest::mouseDClick(viewport, Qt::LeftButton, {}, inWord);
    QCOMPARE(view.selectedText(), QStringLiteral("build"));

    // Down into Bo's message: both, each after its sender's name.
    QTest::mousePress(viewport, Qt::LeftButton, {}, bodyStart);
    QTest::mouseMove(viewport, QPoint(row1.left() + textLeft + 400, row1.bottom() - 8));
    QTest::mouseRelease(viewport, Qt::LeftButton, {},
                        QPoint(row1.left() + textLeft + 400, row1.bottom() - 8));
    QCOMPARE(view.selectedText(), QStringLiteral("Ana: %1\nBo: %2").arg(first.body, second.body));
    if (qEnvironmentVariableIsSet("PARLEY_TEST_SAVE"))
        viewport->grab().save(qEnvironmentVariable("PARLEY_TEST_SAVE"));

    // A click clears it; typing while the view has the focus goes to whoever writes.
    QTest::mouseClick(viewport, Qt::LeftButton, {}, bodyStart);
    QCOMPARE(view.selectedText(), QString());
    QSignalSpy typed(&view, &Ui::MessageView::typedWhileReading);
    QTest::keyClick(&view, Qt::Key_H);
    QCOMPARE(typed.count(), 1);
}

void TestWidgetRules::localTimesNeedNoZoneLookupEachTime()
{
    // Around both changes of summer time in Berlin (2026-03-29 01:00 UTC, 2026-10-25 01:00 UTC),
    // every seven minutes: the same dates and times as the C library's conversion.
    const QByteArray zoneBefore = qgetenv("TZ");
    qputenv("TZ", "Europe/Berlin");
    tzset();
    for (const qint64 change : { qint64(1774746000000), qint64(1792890000000) }) {
        for (qint64 ms = change - 3 * 3'600'000; ms <= change + 3 * 3'600'000; ms += 7 * 60'000) {
            const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
            QCOMPARE(Ui::LocalClock::date(ms), local.date());
            QCOMPARE(Ui::LocalClock::time(ms), local.time());
        }
    }
    // One lookup per quarter hour of time, then none.
    const qint64 noon = 1790000000000;
    Ui::LocalClock::shortTime(noon);
    const int lookups = Ui::LocalClock::lookups();
    for (int i = 0; i < 1000; ++i)
        Ui::LocalClock::shortTime(noon + i);
    QCOMPARE(Ui::LocalClock::lookups(), lookups);
    if (zoneBefore.isEmpty())
        qunsetenv("TZ");
    else
        qputenv("TZ", zoneBefore);
    tzset();
}

void TestWidgetRules::rowsAreLaidOutOnceAndPaintedWithoutLookups()
{
    Client::MessageModel model(QStringLiteral("room:general"), QStringLiteral("self-0001"));
    QList<Client::ChatMessage> messages;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 1; i <= 40; ++i) {
        const bool ana = i % 3 != 0;
        messages << chatMessage(
            i, ana ? QStringLiteral("ana-000001") : QStringLiteral("bo-0000001"),
            ana ? QStringLiteral("Ana") : QStringLiteral("Bo"),
            QStringLiteral("message %1 with a link https://example.org/%1").arg(i),
            now - (40 - i) * 1000);
    }
    model.mergeAll(messages);
    Ui::MessageView view;
    view.resize(600, 400);
    view.setMessages(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.viewport()->grab();
    const int rows = view.delegate()->cachedRows();
    QVERIFY(rows >= 40); // every row laid out once for the layout of the view
    const int lookups = Ui::LocalClock::lookups();

    // Painted again and again (as each new message and each hover does): no row is laid out
    // again, and no time needs the zone.
    for (int i = 0; i < 5; ++i)
        view.viewport()->grab();
    QCOMPARE(view.delegate()->cachedRows(), rows);
    QCOMPARE(Ui::LocalClock::lookups(), lookups);

    // An edit lays out that row only, with its new text.
    Client::ChatMessage edited = messages.last();
    edited.body = QStringLiteral("message 40, now much longer: ") + QString(300, QLatin1Char('x'));
    edited.edited = true;
    const int heightBefore = view.visualRect(model.index(39)).height();
    QVERIFY(model.applyEdit(edited));
    QTRY_VERIFY(view.visualRect(model.index(39)).height() > heightBefore);
    QCOMPARE(view.delegate()->cachedRows(), rows + 1);
}

QTEST_MAIN(TestWidgetRules)
#include "tst_widgetrules.moc"
