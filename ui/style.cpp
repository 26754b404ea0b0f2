#include "style.hpp"

#include <QFile>
#include <QHash>
#include <QPainter>
#include <QPixmap>

#include <array>

namespace mpui {

VisualState visualState(const mp::scope::ProcessInfo& p) {
    using S = mp::scope::ProcessState;
    switch (p.state) {
    case S::Starting:
        return VisualState::Starting;
    case S::Exited:
        return VisualState::Exited;
    case S::Killed:
    case S::Vanished:
        return VisualState::Died;
    case S::Running:
        break;
    }
    if (p.parked) return VisualState::Parked;
    for (const auto& w : p.waits)
        if (!w.internal) return VisualState::Blocked;
    return VisualState::Running;
}

QColor stateColour(VisualState state) {
    switch (state) {
    case VisualState::Starting:
        return QColor(0x0e, 0xa5, 0xe9);
    case VisualState::Running:
        return QColor(0x16, 0xa3, 0x4a);
    case VisualState::Blocked:
        return QColor(0xd9, 0x77, 0x06);
    case VisualState::Parked:
        return QColor(0x7c, 0x3a, 0xed);
    case VisualState::Exited:
        return QColor(0x6b, 0x72, 0x80);
    case VisualState::Died:
        return QColor(0xb9, 0x1c, 0x1c);
    }
    return Qt::gray;
}

QColor stateFill(VisualState state) {
    QColor c = stateColour(state);
    return QColor::fromHsvF(c.hsvHueF(), c.hsvSaturationF() * 0.16, 0.99);
}

QColor deadlockColour() {
    return QColor(0xdc, 0x26, 0x26);
}

QColor processColour(quint32 process) {
    // Tableau 10: distinct, and readable on white and on the heat map's colours.
    static constexpr std::array<QRgb, 10> palette{0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                                  0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    return QColor(palette[process % palette.size()]);
}

QColor kindColour(const std::string& kind) {
    if (isLockKind(kind)) return QColor(0xd9, 0x77, 0x06);
    if (isSemaphoreKind(kind)) return QColor(0x0f, 0x76, 0x6e);
    if (kind == "Condition") return QColor(0x7c, 0x3a, 0xed);
    if (kind == "Event") return QColor(0xdb, 0x27, 0x77);
    if (kind == "Barrier") return QColor(0x47, 0x55, 0x69);
    if (isSharedMemoryKind(kind)) return QColor(0x25, 0x63, 0xeb);
    if (isQueueKind(kind)) return QColor(0x15, 0x80, 0x3d);
    if (kind == "Pool" || kind == "Manager") return QColor(0x4f, 0x46, 0xe5);
    return QColor(0x6b, 0x72, 0x80);
}

QColor kindFill(const std::string& kind) {
    const QColor c = kindColour(kind);
    return QColor::fromHsvF(c.hsvHueF(), c.hsvSaturationF() * 0.12, 1.0);
}

QIcon kindIcon(const QString& kind) {
    static QHash<QString, QIcon> cache;
    auto it = cache.find(kind);
    if (it != cache.end()) return *it;
    QString path = QStringLiteral(":/icons/kinds/%1.svg").arg(kind.toLower());
    if (!QFile::exists(path)) path = QStringLiteral(":/icons/kinds/object.svg");
    return *cache.insert(kind, QIcon(path));
}

QIcon processIcon() {
    return kindIcon(QStringLiteral("process"));
}

QIcon dotIcon(const QColor& colour) {
    static QHash<QRgb, QIcon> cache;
    auto it = cache.find(colour.rgba());
    if (it != cache.end()) return *it;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour.darker(130), 2));
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(6, 6, 20, 20));
    painter.end();
    return *cache.insert(colour.rgba(), QIcon(pixmap));
}

bool isLockKind(const std::string& kind) {
    return kind == "Lock" || kind == "RLock";
}
bool isSemaphoreKind(const std::string& kind) {
    return kind == "Semaphore" || kind == "BoundedSemaphore";
}
bool isQueueKind(const std::string& kind) {
    return kind == "Queue" || kind == "SimpleQueue" || kind == "JoinableQueue";
}
bool isSharedMemoryKind(const std::string& kind) {
    return kind == "Value" || kind == "Array";
}

} // namespace mpui
