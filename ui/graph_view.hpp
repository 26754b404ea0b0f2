#pragma once
// The wait-for graph, the inspector's main view: every process and object, who waits for what, who holds
// what, who joins whom; a deadlock drawn in red in place, with the diagnosis in words above it.
#include "frame.hpp"
#include "selection.hpp"

#include <QGraphicsView>
#include <QHash>
#include <QLabel>
#include <QVariantAnimation>

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mpui {

class GraphNodeItem;
class GraphEdgeItem;
class RingBackdropItem;
class GraphLegend;

class GraphView : public QGraphicsView {
    Q_OBJECT
public:
    explicit GraphView(SelectionHub* selection, QWidget* parent = nullptr);
    ~GraphView() override;

    void setFrame(const FramePtr& frame);
    void clear();
    // Scales the graph to fit the view (and follows new layouts again until the user zooms).
    void fitGraph();
    // Objects nothing waits on and nobody holds: shown while the session has at most kIdleShownUpTo objects,
    // unless the user chose.
    static constexpr std::size_t kIdleShownUpTo = 64;
    void setShowIdle(bool show);
    bool showIdle() const;

    // What the view shows, as tests and screenshots check it.
    QStringList deadlockedLabels() const;   // nodes drawn as deadlocked, sorted
    QList<QStringList> cycles() const;      // per highlighted cycle, its nodes in ring order
    int deadlockedEdgeCount() const;        // edges drawn as deadlocked
    QString diagnosisText() const;          // the banner, as plain text
    GraphNodeItem* node(ItemRef ref) const; // nullptr when not shown
    // Nodes are still gliding to a new layout.
    bool animating() const { return animation_.state() == QAbstractAnimation::Running; }

signals:
    void processMenuRequested(quint32 process, const QPoint& globalPos);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void drawBackground(QPainter* painter, const QRectF& rect) override;

private:
    struct RefHash {
        std::size_t operator()(const ItemRef& r) const noexcept {
            return std::hash<quint64>()((static_cast<quint64>(r.kind) << 32) | r.id);
        }
    };
    struct EdgeKey {
        ItemRef from, to;
        int kind = 0;
        std::uint32_t thread = 0;
        bool operator==(const EdgeKey&) const = default;
    };
    struct EdgeHash {
        std::size_t operator()(const EdgeKey& k) const noexcept {
            return RefHash()(k.from) * 31 + RefHash()(k.to) * 7 + static_cast<std::size_t>(k.kind) * 3 +
                   k.thread;
        }
    };

    using RefSet = std::unordered_set<ItemRef, RefHash>;
    // The nodes that some edge of the current frame touches.
    RefSet connectedNodes() const;
    // A node is on show when it is a process, connected, selected, or an object while idle ones are shown.
    bool shown(const ItemRef& ref, const RefSet& connected) const;
    void updateNodes(const RefSet& connected);
    void updateEdges(const RefSet& connected);
    void updateRings();
    void updateBanner();
    void startLayoutAnimation();
    void placeOverlays();
    void markSelection(ItemRef ref);
    QRectF visibleBounds() const;
    void fitIfFollowing();
    QString tooltipFor(ItemRef ref) const;
    void retranslate();

    SelectionHub* selection_;
    QGraphicsScene scene_;
    FramePtr frame_;
    std::uint64_t layoutKey_ = 0;
    bool hasLayout_ = false;
    std::unordered_map<ItemRef, GraphNodeItem*, RefHash> nodes_;  // owned by scene_
    std::unordered_map<EdgeKey, GraphEdgeItem*, EdgeHash> edges_; // owned by scene_
    std::vector<RingBackdropItem*> rings_;                        // owned by scene_
    std::vector<std::pair<GraphNodeItem*, std::pair<QPointF, QPointF>>> moves_;
    QVariantAnimation animation_;
    bool following_ = true;        // fit new layouts until the user zooms or pans
    std::optional<bool> showIdle_; // the user's choice, if any
    QLabel banner_;
    QLabel empty_;
    std::unique_ptr<GraphLegend> legend_;
    ItemRef marked_;
};

} // namespace mpui
