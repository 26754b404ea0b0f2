#pragma once
// One refresh of the inspector: a snapshot of the session, the events since the previous one, the deadlock
// diagnosis, the wait-for graph and its layout. Built off the GUI thread (SessionPoller) and shared
// read-only with every model and view.
#include "graph_layout.hpp"

#include <mp/scope/analysis.hpp>
#include <mp/scope/snapshot.hpp>

#include <QMetaType>

#include <cstdint>
#include <memory>
#include <vector>

namespace mpui {

// Node sizes of the wait-for graph; fixed so that the layout can be computed away from the GUI thread.
inline constexpr double kProcessNodeWidth = 172;
inline constexpr double kProcessNodeHeight = 52;
inline constexpr double kObjectNodeWidth = 156;
inline constexpr double kObjectNodeHeight = 48;
// A wait counts for the layout once it is this old: short hand-offs of a busy program come and go without
// moving nodes around, stuck processes and their objects settle into place.
inline constexpr double kSettledWaitAge = 0.25;
// Seconds between two layouts of the same nodes (a new node is placed at once).
inline constexpr double kMinRelayoutInterval = 1.0;

struct Frame {
    std::uint64_t serial = 0;
    mp::scope::Snapshot snapshot;
    std::vector<mp::scope::Event> events; // recorded since the previous frame
    std::uint64_t eventsDropped = 0;      // overwritten before they were read, since attaching
    bool alive = true;                    // some process of the session still runs
    std::vector<mp::scope::Diagnosis> deadlocks;
    std::vector<mp::scope::Diagnosis> notes; // locks recovered from dead holders
    mp::scope::WaitGraph graph;
    std::shared_ptr<const GraphLayout> layout; // of graph.nodes, shared between frames while it holds
    std::uint64_t layoutKey = 0;               // changes exactly when the layout does
    double buildMs = 0;                        // time the poller spent reading and analysing
};
using FramePtr = std::shared_ptr<const Frame>;

// Turns raw reads into frames, keeping the layout while the graph's settled shape is unchanged (and for at
// least kMinRelayoutInterval while only edges change).
class FrameBuilder {
public:
    FramePtr build(mp::scope::Snapshot snapshot, std::vector<mp::scope::Event> events, std::uint64_t dropped,
                   bool alive);

private:
    std::uint64_t serial_ = 0;
    std::uint64_t layoutKey_ = 0;
    std::uint64_t nodesKey_ = 0;
    double layoutTime_ = 0; // session time of the last layout
    std::shared_ptr<const GraphLayout> layout_;
};

// The graph's nodes as layout boxes, and the edges that shape the layout (settled waits and joins, deadlocked
// edges, and the holders of what settled waits wait for).
std::vector<LayoutNode> layoutNodes(const mp::scope::WaitGraph& graph);
std::vector<LayoutEdge> layoutEdges(const mp::scope::WaitGraph& graph);

} // namespace mpui

Q_DECLARE_METATYPE(mpui::FramePtr)
