#include "graph_view.hpp"

#include "graph_items.hpp"
#include "words.hpp"

#include <QContextMenuEvent>
#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextDocument>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace mpui {

namespace {

constexpr double kMaxFitScale = 1.25;
constexpr int kMargin = 12;
constexpr int kMaxBannerItems = 3;

template <class T> void dispose(QGraphicsScene& scene, T* item) {
    scene.removeItem(item);
    std::unique_ptr<T> owned(item); // the scene gave it back: delete it here
}

template <class T, class... Args> T* addItem(QGraphicsScene& scene, Args&&... args) {
    auto item = std::make_unique<T>(std::forward<Args>(args)...);
    scene.addItem(item.get());
    return item.release(); // owned by the scene
}

ItemRef refOf(const mp::scope::GraphNode& n) {
    return n.kind == mp::scope::GraphNode::Kind::Process ? ItemRef::process(n.id) : ItemRef::object(n.id);
}

QSizeF sizeOf(ItemRef ref) {
    return ref.isProcess() ? QSizeF(kProcessNodeWidth, kProcessNodeHeight)
                           : QSizeF(kObjectNodeWidth, kObjectNodeHeight);
}

GraphEdgeItem::Kind edgeKind(mp::scope::GraphEdge::Kind kind) {
    switch (kind) {
    case mp::scope::GraphEdge::Kind::Waits:
        return GraphEdgeItem::Kind::Waits;
    case mp::scope::GraphEdge::Kind::HeldBy:
        return GraphEdgeItem::Kind::HeldBy;
    case mp::scope::GraphEdge::Kind::Joins:
        return GraphEdgeItem::Kind::Joins;
    }
    return GraphEdgeItem::Kind::Waits;
}

bool isCycle(mp::scope::DiagnosisKind kind) {
    return kind == mp::scope::DiagnosisKind::LockCycle ||
           std::string_view(mp::scope::to_string(kind)) == "queue_cycle";
}

} // namespace

// The key to shapes, line styles and colours, along the bottom of the view.
class GraphLegend : public QWidget {
public:
    using QWidget::QWidget;

    QSize sizeHint() const override {
        int width = kPad;
        const QFontMetrics fm(font());
        for (const Entry& e : entries())
            width += kSwatch + 4 + fm.horizontalAdvance(e.text) + kGap;
        return {width, fm.height() + 2 * kPad};
    }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QColor(0xd1, 0xd5, 0xdb));
        p.setBrush(QColor(255, 255, 255, 235));
        p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        const QFontMetrics fm(font());
        int x = kPad;
        const int mid = height() / 2;
        for (const Entry& e : entries()) {
            const QRectF swatch(x, mid - 6, kSwatch, 12);
            p.save();
            switch (e.shape) {
            case Shape::State:
                p.setPen(QPen(e.colour.darker(120), 1));
                p.setBrush(e.colour);
                p.drawEllipse(swatch.center(), 5, 5);
                break;
            case Shape::Process:
                p.setPen(QPen(QColor(0x4b, 0x55, 0x63), 1.2));
                p.setBrush(QColor(0xf3, 0xf4, 0xf6));
                p.drawRoundedRect(swatch, 3, 3);
                break;
            case Shape::Object: {
                QPolygonF tag;
                tag << QPointF(swatch.left() + 4, swatch.top()) << QPointF(swatch.right() - 4, swatch.top())
                    << QPointF(swatch.right(), swatch.center().y())
                    << QPointF(swatch.right() - 4, swatch.bottom())
                    << QPointF(swatch.left() + 4, swatch.bottom())
                    << QPointF(swatch.left(), swatch.center().y());
                p.setPen(QPen(QColor(0x4b, 0x55, 0x63), 1.2));
                p.setBrush(QColor(0xf3, 0xf4, 0xf6));
                p.drawPolygon(tag);
                break;
            }
            case Shape::Edge:
                p.setPen(QPen(e.colour, e.edge == GraphEdgeItem::Kind::HeldBy ? 2.2 : 1.8,
                              GraphEdgeItem::penStyle(e.edge), Qt::FlatCap));
                p.drawLine(QPointF(swatch.left(), mid), QPointF(swatch.right() - 5, mid));
                p.setPen(Qt::NoPen);
                p.setBrush(e.colour);
                p.drawPolygon(QPolygonF{QPointF(swatch.right(), mid), QPointF(swatch.right() - 6, mid - 4),
                                        QPointF(swatch.right() - 6, mid + 4)});
                break;
            }
            p.restore();
            x += kSwatch + 4;
            p.setPen(QColor(0x37, 0x41, 0x51));
            p.drawText(QRect(x, 0, fm.horizontalAdvance(e.text) + 2, height()), Qt::AlignVCenter, e.text);
            x += fm.horizontalAdvance(e.text) + kGap;
        }
    }

private:
    enum class Shape { State, Process, Object, Edge };
    struct Entry {
        Shape shape;
        QString text;
        QColor colour;
        GraphEdgeItem::Kind edge = GraphEdgeItem::Kind::Waits;
    };
    static constexpr int kPad = 8, kSwatch = 22, kGap = 12;

    static std::vector<Entry> entries() {
        using K = GraphEdgeItem::Kind;
        return {
            {Shape::Process, GraphView::tr("process"), {}},
            {Shape::Object, GraphView::tr("object"), {}},
            {Shape::Edge, GraphView::tr("waits for"), GraphEdgeItem::colour(K::Waits), K::Waits},
            {Shape::Edge, GraphView::tr("held by"), GraphEdgeItem::colour(K::HeldBy), K::HeldBy},
            {Shape::Edge, GraphView::tr("joins"), GraphEdgeItem::colour(K::Joins), K::Joins},
            {Shape::State, Words::stateName(VisualState::Running), stateColour(VisualState::Running)},
            {Shape::State, Words::stateName(VisualState::Blocked), stateColour(VisualState::Blocked)},
            {Shape::State, Words::stateName(VisualState::Exited), stateColour(VisualState::Exited)},
            {Shape::State, Words::stateName(VisualState::Died), stateColour(VisualState::Died)},
            {Shape::State, GraphView::tr("deadlocked"), deadlockColour()},
        };
    }
};

GraphView::GraphView(SelectionHub* selection, QWidget* parent)
    : QGraphicsView(parent)
    , selection_(selection)
    , banner_(this)
    , empty_(this)
    , legend_(std::make_unique<GraphLegend>(this)) {
    setObjectName(QStringLiteral("graphView"));
    setScene(&scene_);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setViewportUpdateMode(BoundingRectViewportUpdate);
    setOptimizationFlags(DontSavePainterState | DontAdjustForAntialiasing);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // pan by dragging, zoom with the wheel
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scene_.setItemIndexMethod(QGraphicsScene::NoIndex); // items move all the time

    banner_.setObjectName(QStringLiteral("diagnosisBanner"));
    banner_.setWordWrap(true);
    banner_.setTextFormat(Qt::RichText);
    banner_.setAttribute(Qt::WA_TransparentForMouseEvents, false);
    banner_.hide();
    empty_.setObjectName(QStringLiteral("graphPlaceholder"));
    empty_.setAlignment(Qt::AlignCenter);
    empty_.setWordWrap(true);
    empty_.setStyleSheet(QStringLiteral("color: #6b7280; font-size: 11pt;"));

    animation_.setDuration(350);
    animation_.setEasingCurve(QEasingCurve::OutCubic);
    animation_.setStartValue(0.0);
    animation_.setEndValue(1.0);
    connect(&animation_, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        const double t = v.toDouble();
        for (auto& [item, move] : moves_)
            item->setPos(move.first + (move.second - move.first) * t);
    });
    connect(&animation_, &QVariantAnimation::finished, this, [this] { moves_.clear(); });
    connect(selection_, &SelectionHub::changed, this, &GraphView::markSelection);
    retranslate();
}

GraphView::~GraphView() {
    clear();
}

void GraphView::clear() {
    animation_.stop();
    moves_.clear();
    // Edges before nodes: an edge unregisters itself from its nodes.
    for (auto& [key, edge] : edges_)
        dispose(scene_, edge);
    edges_.clear();
    for (auto& [ref, node] : nodes_)
        dispose(scene_, node);
    nodes_.clear();
    for (RingBackdropItem* ring : rings_)
        dispose(scene_, ring);
    rings_.clear();
    frame_.reset();
    hasLayout_ = false;
    following_ = true;
    banner_.hide();
    empty_.show();
    placeOverlays();
}

GraphNodeItem* GraphView::node(ItemRef ref) const {
    auto it = nodes_.find(ref);
    return it == nodes_.end() ? nullptr : it->second;
}

void GraphView::setFrame(const FramePtr& frame) {
    frame_ = frame;
    empty_.hide();
    const RefSet connected = connectedNodes();
    updateNodes(connected);
    updateEdges(connected);
    if (!hasLayout_ || frame->layoutKey != layoutKey_) {
        layoutKey_ = frame->layoutKey;
        hasLayout_ = true;
        startLayoutAnimation();
    }
    updateRings();
    updateBanner();
}

GraphView::RefSet GraphView::connectedNodes() const {
    const auto& graph = frame_->graph;
    RefSet connected;
    for (const auto& e : graph.edges) {
        connected.insert(refOf(graph.nodes[e.from]));
        connected.insert(refOf(graph.nodes[e.to]));
    }
    return connected;
}

bool GraphView::shown(const ItemRef& ref, const RefSet& connected) const {
    return ref.isProcess() || connected.count(ref) || ref == marked_ || showIdle();
}

void GraphView::updateNodes(const RefSet& connected) {
    const auto& graph = frame_->graph;
    const auto& snap = frame_->snapshot;
    std::unordered_map<ItemRef, bool, RefHash> seen;
    // Nodes that stay hidden (idle objects of a large session) keep their old content: describing all of
    // them on every refresh was a good part of the GUI thread's time. One about to be shown is described.
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        const auto& n = graph.nodes[i];
        const ItemRef ref = refOf(n);
        seen.emplace(ref, true);
        GraphNodeItem* item = node(ref);
        if (!item) {
            item = addItem<GraphNodeItem>(scene_, ref, sizeOf(ref));
            nodes_.emplace(ref, item);
            if (frame_->layout && i < frame_->layout->centres.size())
                item->setPos(frame_->layout->centres[i].x, frame_->layout->centres[i].y);
            item->setMarked(ref == marked_);
        } else if (!item->isVisible() && !shown(ref, connected)) {
            continue;
        }
        GraphNodeItem::Content c;
        c.label = QString::fromStdString(n.label);
        c.deadlocked = n.deadlocked;
        if (ref.isProcess()) {
            if (const auto* p = snap.process(n.id)) {
                const VisualState vs = visualState(*p);
                c.detail = format(tr("pid %1 · %2"), {QString::number(p->pid), Words::processState(*p)});
                c.accent = stateColour(vs);
                c.fill = stateFill(vs);
                c.faded = !p->alive();
            }
        } else if (const auto* o = snap.object(n.id)) {
            c.kind = o->kind;
            c.detail = Words::objectBrief(*o);
            c.accent = kindColour(o->kind);
            c.fill = kindFill(o->kind);
            if (isQueueKind(o->kind)) {
                c.level = o->maxsize ? static_cast<double>(o->items) / o->maxsize
                          : o->capacity_bytes
                              ? static_cast<double>(o->used_bytes) / static_cast<double>(o->capacity_bytes)
                              : 0;
                std::uint64_t backlog = 0;
                for (const auto& f : o->feeders)
                    backlog += f.bytes;
                c.backlog = o->capacity_bytes
                                ? static_cast<double>(backlog) / static_cast<double>(o->capacity_bytes)
                                : 0;
            }
        }
        item->setContent(c);
    }
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (seen.count(it->first)) {
            ++it;
            continue;
        }
        GraphNodeItem* gone = it->second;
        for (auto e = edges_.begin(); e != edges_.end();) {
            if (e->second->from() == gone || e->second->to() == gone) {
                dispose(scene_, e->second);
                e = edges_.erase(e);
            } else {
                ++e;
            }
        }
        std::erase_if(moves_, [gone](const auto& m) { return m.first == gone; });
        dispose(scene_, gone);
        it = nodes_.erase(it);
    }
}

void GraphView::updateEdges(const RefSet& connected) {
    const auto& graph = frame_->graph;
    std::unordered_map<EdgeKey, bool, EdgeHash> seen;
    for (const auto& e : graph.edges) {
        const ItemRef from = refOf(graph.nodes[e.from]), to = refOf(graph.nodes[e.to]);
        const EdgeKey key{from, to, static_cast<int>(e.kind), e.thread};
        seen.emplace(key, true);
        GraphEdgeItem*& item = edges_[key];
        if (!item) item = addItem<GraphEdgeItem>(scene_, node(from), node(to), edgeKind(e.kind));
        QString label;
        switch (e.kind) {
        case mp::scope::GraphEdge::Kind::Waits:
            label = QString::fromStdString(e.op);
            break;
        case mp::scope::GraphEdge::Kind::HeldBy:
            // The solid line says "held by" (the legend too); only a count is worth a label.
            label = e.units > 1 ? QStringLiteral("×%1").arg(e.units) : QString();
            break;
        case mp::scope::GraphEdge::Kind::Joins:
            label = QStringLiteral("join");
            break;
        }
        item->setLabel(label);
        item->setDeadlocked(e.deadlocked);
        item->setTimed(e.timed);
    }
    for (auto it = edges_.begin(); it != edges_.end();) {
        if (seen.count(it->first)) {
            ++it;
            continue;
        }
        dispose(scene_, it->second);
        it = edges_.erase(it);
    }
    // Two edges between the same pair of nodes (a wait and a hold, say) are drawn side by side.
    for (auto& [key, item] : edges_) {
        bool twin = false;
        for (const auto& [other, otherItem] : edges_)
            if (otherItem != item && ((other.from == key.to && other.to == key.from) ||
                                      (other.from == key.from && other.to == key.to))) {
                twin = true;
                break;
            }
        item->setOffset(twin ? 5 : 0);
    }
    for (auto& [ref, item] : nodes_)
        item->setVisible(shown(ref, connected));
}

void GraphView::updateRings() {
    // The deadlocked rings as they should be now; the scene's items change only when these do (adding and
    // removing items every refresh costs the scene a full re-index and repaint).
    struct Wanted {
        QPointF centre;
        double rx, ry;
    };
    std::vector<Wanted> wanted;
    if (frame_->layout) {
        const auto& graph = frame_->graph;
        for (const Ring& ring : frame_->layout->rings) {
            const bool deadlocked = std::all_of(ring.nodes.begin(), ring.nodes.end(), [&](std::size_t v) {
                return v < graph.nodes.size() && graph.nodes[v].deadlocked;
            });
            if (deadlocked)
                wanted.push_back({QPointF(ring.centre.x, ring.centre.y),
                                  ring.radiusX + kProcessNodeWidth / 2 + 22,
                                  ring.radiusY + kProcessNodeHeight / 2 + 22});
        }
    }
    const bool same =
        wanted.size() == rings_.size() &&
        std::equal(wanted.begin(), wanted.end(), rings_.begin(),
                   [](const Wanted& w, RingBackdropItem* r) { return r->sameAs(w.centre, w.rx, w.ry); });
    if (same) return;
    for (RingBackdropItem* ring : rings_)
        dispose(scene_, ring);
    rings_.clear();
    for (const Wanted& w : wanted)
        rings_.push_back(addItem<RingBackdropItem>(scene_, w.centre, w.rx, w.ry));
}

void GraphView::startLayoutAnimation() {
    animation_.stop();
    moves_.clear();
    if (!frame_->layout) return;
    const auto& centres = frame_->layout->centres;
    const auto& graph = frame_->graph;
    for (std::size_t i = 0; i < graph.nodes.size() && i < centres.size(); ++i) {
        GraphNodeItem* item = node(refOf(graph.nodes[i]));
        const QPointF target(centres[i].x, centres[i].y);
        if (item && item->pos() != target) moves_.push_back({item, {item->pos(), target}});
    }
    if (!moves_.empty()) animation_.start();
    fitIfFollowing();
}

QRectF GraphView::visibleBounds() const {
    QRectF bounds;
    if (!frame_ || !frame_->layout) return bounds;
    const auto& centres = frame_->layout->centres;
    const auto& graph = frame_->graph;
    for (std::size_t i = 0; i < graph.nodes.size() && i < centres.size(); ++i) {
        const GraphNodeItem* item = node(refOf(graph.nodes[i]));
        if (!item || !item->isVisible()) continue;
        const QSizeF size = sizeOf(item->ref());
        bounds |=
            QRectF(QPointF(centres[i].x, centres[i].y) - QPointF(size.width() / 2, size.height() / 2), size);
    }
    for (const Ring& ring : frame_->layout->rings) {
        if (rings_.empty()) break;
        const double rx = ring.radiusX + kProcessNodeWidth / 2 + 24,
                     ry = ring.radiusY + kProcessNodeHeight / 2 + 24;
        bounds |= QRectF(ring.centre.x - rx, ring.centre.y - ry, 2 * rx, 2 * ry);
    }
    return bounds;
}

void GraphView::fitIfFollowing() {
    if (following_) fitGraph();
}

void GraphView::fitGraph() {
    following_ = true;
    QRectF bounds = visibleBounds();
    if (bounds.isEmpty()) return;
    bounds.adjust(-24, -24, 24, 24);
    scene_.setSceneRect(bounds.adjusted(-2000, -2000, 2000, 2000));
    // Leave the banner's and the legend's room free of nodes.
    const double top = banner_.isVisible() ? banner_.height() + kMargin : 0;
    const double bottom = legend_->height() + kMargin;
    const QRectF room(0, top, viewport()->width(), std::max(80.0, viewport()->height() - top - bottom));
    const double scale =
        std::min({room.width() / bounds.width(), room.height() / bounds.height(), kMaxFitScale});
    setTransform(QTransform::fromScale(scale, scale));
    // Centre the graph in the free room rather than in the whole viewport.
    const QPointF roomCentre = mapToScene(room.center().toPoint());
    const QPointF viewCentre = mapToScene(viewport()->rect().center());
    centerOn(bounds.center() - (roomCentre - viewCentre));
}

void GraphView::updateBanner() {
    QStringList items;
    int shown = 0;
    for (const auto& d : frame_->deadlocks) {
        if (shown++ == kMaxBannerItems) break;
        items << QStringLiteral(
                     "<p style='margin:0 0 4px 0'><img src=':/icons/actions/deadlock.svg' width='14' "
                     "height='14'> <b>%1</b> %2</p>")
                     .arg(format(tr("Deadlock — %1:"), {Words::diagnosisTitle(d.kind)}).toHtmlEscaped(),
                          Words::diagnosisText(d).toHtmlEscaped());
    }
    const int more = static_cast<int>(frame_->deadlocks.size()) - kMaxBannerItems;
    if (more > 0)
        items << QStringLiteral("<p style='margin:0'>%1</p>")
                     .arg(format(tr("… and %1 more."), {QString::number(more)}));
    const bool deadlocked = !items.isEmpty();
    for (const auto& d : frame_->notes)
        items << QStringLiteral("<p style='margin:0 0 4px 0'><img src=':/icons/actions/note.svg' width='14' "
                                "height='14'> <b>%1</b> %2</p>")
                     .arg(format(tr("Note — %1:"), {Words::diagnosisTitle(d.kind)}).toHtmlEscaped(),
                          Words::diagnosisText(d).toHtmlEscaped());
    if (!frame_->alive)
        items
            << QStringLiteral("<p style='margin:0'>%1</p>").arg(tr("The session has ended.").toHtmlEscaped());
    if (items.isEmpty()) {
        if (banner_.isVisible()) {
            banner_.hide();
            fitIfFollowing();
        }
        return;
    }
    const QString sheet =
        deadlocked ? QStringLiteral("QLabel { background: rgba(254,242,242,240); color: #7f1d1d; "
                                    "border: 1px solid #fca5a5; border-radius: 6px; padding: 8px; }")
                   : QStringLiteral("QLabel { background: rgba(255,251,235,240); color: #78350f; "
                                    "border: 1px solid #fcd34d; border-radius: 6px; padding: 8px; }");
    // Setting a style sheet polishes the label again (about a millisecond): only when it changes.
    if (banner_.styleSheet() != sheet) banner_.setStyleSheet(sheet);
    const QString text = items.join(QString());
    const bool wasVisible = banner_.isVisible();
    if (banner_.text() != text) {
        banner_.setText(text);
        placeOverlays();
    }
    banner_.show();
    if (!wasVisible) {
        placeOverlays();
        fitIfFollowing();
    }
}

QString GraphView::diagnosisText() const {
    if (!banner_.isVisible()) return {};
    QTextDocument doc;
    doc.setHtml(banner_.text());
    return doc.toPlainText();
}

QStringList GraphView::deadlockedLabels() const {
    QStringList out;
    for (const auto& [ref, item] : nodes_)
        if (item->content().deadlocked) out << item->content().label;
    out.sort();
    return out;
}

QList<QStringList> GraphView::cycles() const {
    QList<QStringList> out;
    if (!frame_ || !frame_->layout) return out;
    const auto& graph = frame_->graph;
    for (const auto& d : frame_->deadlocks) {
        if (!isCycle(d.kind)) continue;
        // The ring of the layout that holds exactly this cycle's processes, in ring order.
        for (const Ring& ring : frame_->layout->rings) {
            QStringList labels;
            std::vector<quint32> processes;
            for (std::size_t v : ring.nodes) {
                if (v >= graph.nodes.size()) continue;
                const GraphNodeItem* item = node(refOf(graph.nodes[v]));
                if (!item || !item->content().deadlocked) continue;
                labels << item->content().label;
                if (graph.nodes[v].kind == mp::scope::GraphNode::Kind::Process)
                    processes.push_back(graph.nodes[v].id);
            }
            std::vector<quint32> members(d.processes.begin(), d.processes.end());
            std::sort(members.begin(), members.end());
            std::sort(processes.begin(), processes.end());
            if (processes == members && labels.size() == static_cast<qsizetype>(ring.nodes.size()))
                out << labels;
        }
    }
    return out;
}

int GraphView::deadlockedEdgeCount() const {
    return static_cast<int>(
        std::count_if(edges_.begin(), edges_.end(), [](const auto& e) { return e.second->deadlocked(); }));
}

void GraphView::markSelection(ItemRef ref) {
    if (GraphNodeItem* old = node(marked_)) old->setMarked(false);
    marked_ = ref;
    if (GraphNodeItem* item = node(ref)) {
        item->setMarked(true);
        if (!item->isVisible() && frame_) updateNodes(connectedNodes()); // left as it was while hidden
        item->setVisible(true);
        const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
        if (!visible.contains(item->sceneBoundingRect())) centerOn(item);
    }
}

bool GraphView::showIdle() const {
    if (showIdle_) return *showIdle_;
    return !frame_ || frame_->snapshot.objects.size() <= kIdleShownUpTo;
}

void GraphView::setShowIdle(bool show) {
    showIdle_ = show;
    if (frame_) {
        const RefSet connected = connectedNodes();
        updateNodes(connected); // idle nodes about to be shown are described again
        updateEdges(connected);
        fitIfFollowing();
    }
}

QString GraphView::tooltipFor(ItemRef ref) const {
    if (!frame_) return {};
    const auto& snap = frame_->snapshot;
    if (ref.isProcess()) {
        const auto* p = snap.process(ref.id);
        if (!p) return {};
        QStringList lines{QStringLiteral("<b>%1</b> (pid %2)")
                              .arg(QString::fromStdString(p->name).toHtmlEscaped())
                              .arg(p->pid),
                          Words::processState(*p).toHtmlEscaped()};
        for (const auto& w : p->waits)
            lines << Words::waitText(snap, w).toHtmlEscaped();
        return lines.join(QStringLiteral("<br>"));
    }
    const auto* o = snap.object(ref.id);
    if (!o) return {};
    return QStringLiteral("<b>%1</b> (%2)<br>%3")
        .arg(QString::fromStdString(o->name).toHtmlEscaped(), QString::fromStdString(o->kind),
             Words::objectState(snap, *o).toHtmlEscaped());
}

namespace {
GraphNodeItem* nodeAt(const QGraphicsView* view, const QPoint& pos) {
    for (QGraphicsItem* item : view->items(pos))
        if (auto* n = dynamic_cast<GraphNodeItem*>(item)) return n;
    return nullptr;
}
} // namespace

bool GraphView::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        if (GraphNodeItem* n = nodeAt(this, help->pos()))
            QToolTip::showText(help->globalPos(), tooltipFor(n->ref()), viewport());
        else
            QToolTip::hideText();
        return true;
    }
    return QGraphicsView::viewportEvent(event);
}

void GraphView::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        if (GraphNodeItem* n = nodeAt(this, event->position().toPoint())) {
            selection_->select(n->ref());
            event->accept();
            return;
        }
        following_ = false; // a drag on the background pans
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (!nodeAt(this, event->position().toPoint())) {
        fitGraph();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
    if (GraphNodeItem* n = nodeAt(this, event->pos())) {
        selection_->select(n->ref());
        if (n->ref().isProcess()) emit processMenuRequested(n->ref().id, event->globalPos());
    }
}

void GraphView::wheelEvent(QWheelEvent* event) {
    const double factor = std::pow(1.0015, event->angleDelta().y());
    const double scale = transform().m11() * factor;
    if (scale < 0.05 || scale > 4) return;
    following_ = false;
    this->scale(factor, factor);
}

void GraphView::resizeEvent(QResizeEvent* event) {
    QGraphicsView::resizeEvent(event);
    placeOverlays();
    fitIfFollowing();
}

void GraphView::placeOverlays() {
    const QRect area = viewport()->geometry();
    const int width = area.width() - 2 * kMargin;
    banner_.setFixedWidth(std::max(width, 100));
    if (const int h = banner_.heightForWidth(banner_.width()); h > 0) banner_.setFixedHeight(h);
    banner_.move(area.left() + kMargin, area.top() + kMargin);
    banner_.raise();
    legend_->resize(legend_->sizeHint());
    legend_->move(area.left() + kMargin, area.bottom() - kMargin - legend_->height());
    legend_->raise();
    empty_.setGeometry(area.adjusted(40, 40, -40, -40));
}

void GraphView::drawBackground(QPainter* painter, const QRectF& rect) {
    painter->fillRect(rect, QColor(0xf8, 0xfa, 0xfc));
}

void GraphView::retranslate() {
    empty_.setText(tr("No session yet. Choose a scenario and press Run, or attach to a running program "
                      "(Session ▸ Attach)."));
    legend_->updateGeometry();
    placeOverlays();
    if (frame_) {
        const RefSet connected = connectedNodes();
        updateNodes(connected);
        updateEdges(connected);
        updateBanner();
    }
}

void GraphView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QGraphicsView::changeEvent(event);
}

} // namespace mpui
