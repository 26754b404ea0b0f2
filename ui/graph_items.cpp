#include "graph_items.hpp"

#include "cached_text_delegate.hpp"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <algorithm>
#include <cmath>

namespace mpui {

namespace {

constexpr double kHalo = 7;   // room round a node for the deadlock halo and the selection ring
constexpr double kTip = 14;   // how far an object tag's ends point out
constexpr double kArrow = 10; // arrow head length
const QColor kSelection(0x25, 0x63, 0xeb);

QFont nodeFont(double points, bool bold) {
    QFont f = QApplication::font();
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

} // namespace

// ---- nodes ---------------------------------------------------------------------------------------------

GraphNodeItem::GraphNodeItem(ItemRef ref, QSizeF size)
    : ref_(ref)
    , size_(size) {
    setFlag(ItemSendsGeometryChanges);
    setZValue(2);
}

void GraphNodeItem::setContent(const Content& content) {
    if (content == content_) return;
    if (content.label != content_.label || content.detail != content_.detail) textReady_ = false;
    content_ = content;
    setZValue(content.deadlocked ? 3 : 2);
    update();
}

void GraphNodeItem::setMarked(bool marked) {
    if (marked == marked_) return;
    marked_ = marked;
    setZValue(marked ? 4 : content_.deadlocked ? 3 : 2);
    update();
}

void GraphNodeItem::removeEdge(GraphEdgeItem* edge) {
    std::erase(edges_, edge);
}

QPainterPath GraphNodeItem::outline() const {
    const double w = size_.width(), h = size_.height();
    QPainterPath path;
    if (ref_.isProcess()) {
        path.addRoundedRect(QRectF(-w / 2, -h / 2, w, h), 10, 10);
    } else {
        // A tag: flat top and bottom, pointed left and right.
        QPolygonF tag;
        tag << QPointF(-w / 2 + kTip, -h / 2) << QPointF(w / 2 - kTip, -h / 2) << QPointF(w / 2, 0)
            << QPointF(w / 2 - kTip, h / 2) << QPointF(-w / 2 + kTip, h / 2) << QPointF(-w / 2, 0);
        path.addPolygon(tag);
        path.closeSubpath();
    }
    return path;
}

QPointF GraphNodeItem::boundaryPoint(const QPointF& target) const {
    const QPointF c = pos();
    const QPointF d = target - c;
    const double hw = size_.width() / 2, hh = size_.height() / 2;
    if (std::abs(d.x()) < 1e-9 && std::abs(d.y()) < 1e-9) return c;
    // The bounding box's edge; for a tag, pull the point in along the slanted ends.
    double t = std::min(std::abs(d.x()) > 1e-9 ? hw / std::abs(d.x()) : 1e300,
                        std::abs(d.y()) > 1e-9 ? hh / std::abs(d.y()) : 1e300);
    QPointF p = c + d * t;
    if (ref_.isObject()) {
        const double x = std::abs(p.x() - c.x());
        if (x > hw - kTip) {
            // On the slanted end: |x| + (kTip / hh) |y| = hw.
            const double k = kTip / hh;
            t = hw / (std::abs(d.x()) + k * std::abs(d.y()));
            p = c + d * t;
        }
    }
    return p;
}

QRectF GraphNodeItem::boundingRect() const {
    return QRectF(-size_.width() / 2 - kHalo, -size_.height() / 2 - kHalo, size_.width() + 2 * kHalo,
                  size_.height() + 2 * kHalo);
}

QPainterPath GraphNodeItem::shape() const {
    return outline();
}

void GraphNodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const QPainterPath path = outline();
    // Zoomed far out (a large session fitted into the view) the text is unreadable anyway: shapes and
    // colours only, which is what the eye uses at that size.
    const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
    if (lod < 0.45) {
        painter->fillPath(path, content_.deadlocked ? deadlockColour()
                                : content_.faded    ? QColor(0xd1, 0xd5, 0xdb)
                                                    : content_.accent);
        if (marked_) painter->strokePath(path, QPen(kSelection, 4 / lod));
        return;
    }
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor red = deadlockColour();
    if (content_.deadlocked) {
        QPainterPathStroker halo;
        halo.setWidth(10);
        halo.setJoinStyle(Qt::RoundJoin);
        QColor glow = red;
        glow.setAlpha(70);
        painter->fillPath(halo.createStroke(path), glow);
    }
    if (marked_) {
        QPainterPathStroker ring;
        ring.setWidth(content_.deadlocked ? 14 : 8);
        ring.setJoinStyle(Qt::RoundJoin);
        painter->setPen(QPen(kSelection, 2.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(ring.createStroke(path));
    }

    painter->fillPath(path, content_.faded ? QColor(0xf3, 0xf4, 0xf6) : content_.fill);
    const double w = size_.width(), h = size_.height();
    double textLeft = -w / 2 + 12;
    double textRight = w / 2 - 10;
    if (ref_.isProcess()) {
        // The state stripe along the left edge.
        painter->save();
        painter->setClipPath(path);
        painter->fillRect(QRectF(-w / 2, -h / 2, 7, h), content_.accent);
        painter->restore();
        textLeft = -w / 2 + 15;
    } else {
        const QRectF iconRect(-w / 2 + kTip - 2, -9, 18, 18);
        kindIcon(QString::fromStdString(content_.kind)).paint(painter, iconRect.toRect());
        textLeft = iconRect.right() + 6;
        textRight = w / 2 - kTip + 2;
        if (content_.level >= 0) {
            // Queue fill along the bottom, feeder backlog after it, paler.
            const QRectF track(textLeft, h / 2 - 8, textRight - textLeft, 4);
            painter->fillRect(track, QColor(0xe5, 0xe7, 0xeb));
            QRectF fill = track;
            fill.setWidth(track.width() * std::clamp(content_.level, 0.0, 1.0));
            painter->fillRect(fill, content_.accent);
            QRectF backlog(fill.right(), track.top(), track.width() * std::max(content_.backlog, 0.0),
                           track.height());
            backlog.setRight(std::min(backlog.right(), track.right()));
            painter->fillRect(backlog, content_.accent.lighter(160));
        }
    }
    const bool deadlocked = content_.deadlocked;
    painter->setPen(QPen(deadlocked ? red : content_.accent.darker(115), deadlocked ? 3 : 1.4));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path);

    const QColor text = content_.faded ? QColor(0x6b, 0x72, 0x80) : QColor(0x11, 0x18, 0x27);
    const double width = textRight - textLeft;
    if (!textReady_) prepareText(width);
    const bool twoLines = !content_.detail.isEmpty();
    const double titleY = twoLines ? -h / 2 + 5 : -h / 2;
    const double titleH = twoLines ? h / 2 - 3 : h;
    painter->setFont(titleFont_);
    painter->setPen(text);
    painter->drawStaticText(QPointF(textLeft, titleY + (titleH - title_.size().height()) / 2), title_);
    if (twoLines) {
        painter->setFont(detailFont_);
        painter->setPen(deadlocked ? red.darker(120) : QColor(0x4b, 0x55, 0x63));
        const double bottom = content_.level >= 0 ? h / 2 - 9 : h / 2 - 4;
        painter->drawStaticText(QPointF(textLeft, (bottom - detail_.size().height()) / 2), detail_);
    }
}

void GraphNodeItem::prepareText(double width) {
    titleFont_ = nodeFont(9.5, true);
    detailFont_ = nodeFont(8, false);
    // A long name (SpawnPoolWorker-1, ForkServerPoolWorker-12) is set a little smaller before it is elided.
    for (double points = 9;
         points >= 8 && QFontMetricsF(titleFont_).horizontalAdvance(content_.label) > width; points -= 0.5)
        titleFont_ = nodeFont(points, true);
    title_ = preparedText(QFontMetricsF(titleFont_).elidedText(content_.label, Qt::ElideMiddle, width),
                          titleFont_);
    detail_ = preparedText(QFontMetricsF(detailFont_).elidedText(content_.detail, Qt::ElideRight, width),
                           detailFont_);
    textReady_ = true;
}

QVariant GraphNodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemPositionHasChanged)
        for (GraphEdgeItem* e : edges_)
            e->adjust();
    return QGraphicsItem::itemChange(change, value);
}

// ---- edges ---------------------------------------------------------------------------------------------

GraphEdgeItem::GraphEdgeItem(GraphNodeItem* from, GraphNodeItem* to, Kind kind)
    : from_(from)
    , to_(to)
    , kind_(kind) {
    from_->addEdge(this);
    to_->addEdge(this);
    setZValue(0);
    setAcceptedMouseButtons(Qt::NoButton);
    adjust();
}

GraphEdgeItem::~GraphEdgeItem() {
    from_->removeEdge(this);
    to_->removeEdge(this);
}

QColor GraphEdgeItem::colour(Kind kind) {
    switch (kind) {
    case Kind::Waits:
        return QColor(0xd9, 0x77, 0x06);
    case Kind::HeldBy:
        return QColor(0x33, 0x41, 0x55);
    case Kind::Joins:
        return QColor(0x7c, 0x3a, 0xed);
    }
    return Qt::black;
}

Qt::PenStyle GraphEdgeItem::penStyle(Kind kind) {
    switch (kind) {
    case Kind::Waits:
        return Qt::DashLine;
    case Kind::HeldBy:
        return Qt::SolidLine;
    case Kind::Joins:
        return Qt::DotLine;
    }
    return Qt::SolidLine;
}

void GraphEdgeItem::setLabel(const QString& label) {
    if (label == label_) return;
    prepareGeometryChange();
    label_ = label;
    const QFontMetricsF fm(nodeFont(7.5, false));
    labelSize_ = label_.isEmpty() ? QSizeF() : QSizeF(fm.horizontalAdvance(label_) + 8, fm.height() + 2);
}

void GraphEdgeItem::setDeadlocked(bool deadlocked) {
    if (deadlocked == deadlocked_) return;
    deadlocked_ = deadlocked;
    setZValue(deadlocked ? 1 : 0);
    update();
}

void GraphEdgeItem::setTimed(bool timed) {
    if (timed == timed_) return;
    timed_ = timed;
    update();
}

void GraphEdgeItem::setOffset(double offset) {
    if (offset == offset_) return;
    offset_ = offset;
    adjust();
}

void GraphEdgeItem::adjust() {
    prepareGeometryChange();
    QPointF a = from_->pos(), b = to_->pos();
    const QPointF d = b - a;
    const double len = std::hypot(d.x(), d.y());
    const QPointF normal = len > 0 ? QPointF(-d.y() / len, d.x() / len) : QPointF();
    a += normal * offset_;
    b += normal * offset_;
    p1_ = from_->boundaryPoint(b) + normal * offset_;
    p2_ = to_->boundaryPoint(a) + normal * offset_;
}

QRectF GraphEdgeItem::labelRect() const {
    if (label_.isEmpty()) return {};
    const QPointF mid = (p1_ + p2_) / 2;
    return QRectF(mid - QPointF(labelSize_.width() / 2, labelSize_.height() / 2), labelSize_);
}

QRectF GraphEdgeItem::boundingRect() const {
    return QRectF(p1_, p2_).normalized().adjusted(-kArrow, -kArrow, kArrow, kArrow).united(labelRect());
}

QPainterPath GraphEdgeItem::shape() const {
    QPainterPath line(p1_);
    line.lineTo(p2_);
    QPainterPathStroker stroker;
    stroker.setWidth(8);
    return stroker.createStroke(line);
}

void GraphEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) {
    const QPointF d = p2_ - p1_;
    const double len = std::hypot(d.x(), d.y());
    if (len < 1) return;
    const bool far = option->levelOfDetailFromTransform(painter->worldTransform()) < 0.45;
    painter->setRenderHint(QPainter::Antialiasing, !far);
    QColor c = deadlocked_ ? deadlockColour() : colour(kind_);
    if (timed_ && !deadlocked_) c.setAlpha(140);
    const double width = deadlocked_ ? 3.2 : kind_ == Kind::HeldBy ? 2.2 : 1.8;
    const QPointF unit = d / len;
    const QPointF base = p2_ - unit * kArrow;
    QPen pen(c, width, penStyle(kind_), Qt::FlatCap);
    painter->setPen(pen);
    painter->drawLine(p1_, base);
    // Arrow head at the target.
    const QPointF side(-unit.y() * kArrow * 0.45, unit.x() * kArrow * 0.45);
    QPolygonF head;
    head << p2_ << base + side << base - side;
    painter->setPen(Qt::NoPen);
    painter->setBrush(c);
    painter->drawPolygon(head);
    // A label only where the edge is long enough to show it clear of the nodes, and readable.
    if (!far && !label_.isEmpty() && labelRect().width() + 12 < len) {
        const QRectF r = labelRect();
        painter->setBrush(QColor(255, 255, 255, 225));
        painter->setPen(QPen(c, 0.8));
        painter->drawRoundedRect(r, 4, 4);
        painter->setFont(nodeFont(7.5, false));
        painter->setPen(deadlocked_ ? deadlockColour().darker(120) : c.darker(130));
        painter->drawText(r, Qt::AlignCenter, label_);
    }
}

// ---- ring backdrop -------------------------------------------------------------------------------------

RingBackdropItem::RingBackdropItem(QPointF centre, double rx, double ry)
    : rx_(rx)
    , ry_(ry) {
    setPos(centre);
    setZValue(-1);
    setAcceptedMouseButtons(Qt::NoButton);
}

QRectF RingBackdropItem::boundingRect() const {
    return QRectF(-rx_ - 2, -ry_ - 2, 2 * rx_ + 4, 2 * ry_ + 4);
}

void RingBackdropItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fill = deadlockColour();
    fill.setAlpha(18);
    QColor line = deadlockColour();
    line.setAlpha(90);
    painter->setBrush(fill);
    painter->setPen(QPen(line, 2, Qt::DashLine));
    painter->drawEllipse(QPointF(0, 0), rx_, ry_);
}

} // namespace mpui
