#pragma once
// The wait-for graph's scene items: processes as rounded cards, objects as tags with pointed ends (two shapes
// that never read as each other), and edges whose line style says what they are - waits dashed, holds solid,
// joins dotted - with deadlocked ones in red.
#include "selection.hpp"
#include "style.hpp"

#include <QFont>
#include <QGraphicsItem>
#include <QPainterPath>
#include <QStaticText>
#include <QString>

#include <vector>

namespace mpui {

class GraphEdgeItem;

class GraphNodeItem : public QGraphicsItem {
public:
    struct Content {
        QString label;
        QString detail;
        std::string kind; // objects: the kind; processes: empty
        QColor accent;    // state colour (processes) or kind colour (objects)
        QColor fill;
        bool deadlocked = false;
        bool faded = false; // ended processes
        double level = -1;  // queues: fill 0..1 drawn as a bar; -1: none
        double backlog = 0; // queues: feeder backlog beyond the fill
        bool operator==(const Content&) const = default;
    };

    GraphNodeItem(ItemRef ref, QSizeF size);
    ItemRef ref() const { return ref_; }
    const Content& content() const { return content_; }
    void setContent(const Content& content);
    void setMarked(bool marked); // the shared selection
    bool marked() const { return marked_; }

    void addEdge(GraphEdgeItem* edge) { edges_.push_back(edge); }
    void removeEdge(GraphEdgeItem* edge);
    // Where the straight line from this node's centre towards `target` (scene coordinates) leaves its
    // outline.
    QPointF boundaryPoint(const QPointF& target) const;

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    QPainterPath outline() const;
    // Lays the label and detail out for `width` once per change of either: nodes are repainted every
    // refresh, their text changes far less often.
    void prepareText(double width);

    ItemRef ref_;
    QSizeF size_;
    Content content_;
    bool marked_ = false;
    bool textReady_ = false;
    QFont titleFont_, detailFont_;
    QStaticText title_, detail_;
    std::vector<GraphEdgeItem*> edges_; // not owned: the scene owns every item
};

class GraphEdgeItem : public QGraphicsItem {
public:
    enum class Kind { Waits, HeldBy, Joins };
    GraphEdgeItem(GraphNodeItem* from, GraphNodeItem* to, Kind kind);
    ~GraphEdgeItem() override;

    GraphNodeItem* from() const { return from_; }
    GraphNodeItem* to() const { return to_; }
    Kind kind() const { return kind_; }
    void setLabel(const QString& label);
    void setDeadlocked(bool deadlocked);
    bool deadlocked() const { return deadlocked_; }
    void setTimed(bool timed);
    // Sideways shift in pixels, so that two edges between the same nodes do not cover each other.
    void setOffset(double offset);
    // Follows the nodes after they moved.
    void adjust();

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    static QColor colour(Kind kind);
    static Qt::PenStyle penStyle(Kind kind);

private:
    QRectF labelRect() const;

    GraphNodeItem* from_;
    GraphNodeItem* to_;
    Kind kind_;
    QString label_;
    QSizeF labelSize_; // measured once per label: boundingRect() is asked for it often
    bool deadlocked_ = false;
    bool timed_ = false;
    double offset_ = 0;
    QPointF p1_, p2_;
};

// A faint ellipse behind a deadlocked cycle, so the cycle reads as one thing at a glance. `rx`, `ry`: its
// radii, large enough to take in the nodes round the ring.
class RingBackdropItem : public QGraphicsItem {
public:
    RingBackdropItem(QPointF centre, double rx, double ry);
    bool sameAs(QPointF centre, double rx, double ry) const {
        return pos() == centre && rx == rx_ && ry == ry_;
    }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    double rx_, ry_;
};

} // namespace mpui
