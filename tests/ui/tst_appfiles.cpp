// What another account on the user's computer could read of the desktop app: its settings file
// (pins, recent hubs, drafts) is 0600 in a 0700 folder, and so are the app data folder (the
// identity, the embedded hub's history) and the hub's database, also when an older version left
// them 0644 in 0755 folders.

#include "filemodes.h"
#include "ui/appsettings.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Parley;
using namespace Parley::Testing::FileModes;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes, int mode)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.flush()
        && setMode(path, mode);
}

} // namespace

class tst_AppFiles : public QObject
{
    Q_OBJECT
private slots:
    void settingsAreOwnerOnly();
    void readableSettingsAreNarrowed();
    void theAppKeepsItsFoldersPrivate();

private:
    QString keepSettingsIn(const QString &name); // the settings file AppSettings will use

    QTemporaryDir m_dir;
};

QString tst_AppFiles::keepSettingsIn(const QString &name)
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(name));
    return m_dir.filePath(name + QStringLiteral("/Parley/parley.ini"));
}

void tst_AppFiles::settingsAreOwnerOnly()
{
    const Umask umask;
    const QString file = keepSettingsIn(QStringLiteral("new"));
    {
        Ui::AppSettings settings;
        QCOMPARE(settings.fileName(), file);
        settings.setNick(QStringLiteral("Ana"));
        settings.setPinnedFingerprint(QStringLiteral("127.0.0.1:4000"), QString(64, u'a'));
        settings.sync();
    }
    QCOMPARE(modeOf(QFileInfo(file).absolutePath()), 0700);
    QCOMPARE(modeOf(file), 0600); // also after QSettings replaced it with what it wrote
    QCOMPARE(Ui::AppSettings().nick(), QStringLiteral("Ana"));
}

void tst_AppFiles::readableSettingsAreNarrowed()
{
    const Umask umask;
    const QString file = keepSettingsIn(QStringLiteral("old"));
    QVERIFY(writeFile(file, "[identity]\nnick=Ana\n", 0644));
    QVERIFY(setMode(QFileInfo(file).absolutePath(), 0755));
    Ui::AppSettings settings;
    QCOMPARE(modeOf(QFileInfo(file).absolutePath()), 0700);
    QCOMPARE(modeOf(file), 0600);
    QCOMPARE(settings.nick(), QStringLiteral("Ana")); // kept
    settings.setNick(QStringLiteral("Bea"));
    settings.sync();
    QCOMPARE(modeOf(file), 0600);
}

void tst_AppFiles::theAppKeepsItsFoldersPrivate()
{
    // The real program in a home of its own (XDG folders), hosting a hub, over what an older
    // version left: settings, app data folder and hub folder open to everyone.
    const Umask umask;
    const QString home = m_dir.filePath(QStringLiteral("home"));
    const QString config = home + QStringLiteral("/config/Parley");
    const QString data = home + QStringLiteral("/share/Parley/parley");
    const QString hub = data + QStringLiteral("/hub");
    QVERIFY(writeFile(config + QStringLiteral("/parley.conf"), "[identity]\nnick=Ana\n", 0644));
    QVERIFY(QDir().mkpath(hub));
    for (const QString &folder : { config, data, hub })
        QVERIFY(setMode(folder, 0755));
    QTemporaryDir runtime; // 0700: the instance socket's folder

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("HOME"), home);
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    environment.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/share"));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
    QProcess app;
    app.setProcessEnvironment(environment);
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(PARLEY_APP_PROGRAM),
              { QStringLiteral("--discovery"), QStringLiteral("off"), QStringLiteral("--host"),
                QStringLiteral("Files hub"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("files.png")) });
    QVERIFY(app.waitForStarted(10'000));
    QVERIFY(QTest::qWaitFor([&] { return app.state() == QProcess::NotRunning; }, 30'000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);

    QCOMPARE(modeOf(config), 0700);
    QCOMPARE(modeOf(config + QStringLiteral("/parley.conf")), 0600);
    QCOMPARE(modeOf(data), 0700);
    QCOMPARE(modeOf(data + QStringLiteral("/identity.pem")), 0600);
    QCOMPARE(modeOf(hub), 0700);
    QCOMPARE(modeOf(hub + QStringLiteral("/hub.sqlite3")), 0600);
}

QTEST_GUILESS_MAIN(tst_AppFiles)
#include "tst_appfiles.moc"
