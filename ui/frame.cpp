#include "frame.hpp"

#include <chrono>

namespace mpui {

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    // FNV-1a over 64-bit words: the key only has to change when the layout input does.
    h ^= v;
    return h * 0x100000001b3ull;
}

} // namespace

std::vector<LayoutNode> layoutNodes(const mp::scope::WaitGraph& graph) {
    std::vector<LayoutNode> nodes;
    nodes.reserve(graph.nodes.size());
    for (const auto& n : graph.nodes) {
        if (n.kind == mp::scope::GraphNode::Kind::Process)
            nodes.push_back({kProcessNodeWidth, kProcessNodeHeight});
        else
            nodes.push_back({kObjectNodeWidth, kObjectNodeHeight});
    }
    return nodes;
}

std::vector<LayoutEdge> layoutEdges(const mp::scope::WaitGraph& graph) {
    using Kind = mp::scope::GraphEdge::Kind;
    std::vector<bool> waitedOn(graph.nodes.size(), false);
    std::vector<LayoutEdge> edges;
    for (const auto& e : graph.edges) {
        if (e.kind == Kind::HeldBy) continue;
        if (e.deadlocked || (!e.timed && e.age >= kSettledWaitAge)) {
            edges.push_back({e.from, e.to});
            if (e.kind == Kind::Waits) waitedOn[e.to] = true;
        }
    }
    for (const auto& e : graph.edges)
        if (e.kind == Kind::HeldBy && (e.deadlocked || waitedOn[e.from])) edges.push_back({e.from, e.to});
    return edges;
}

FramePtr FrameBuilder::build(mp::scope::Snapshot snapshot, std::vector<mp::scope::Event> events,
                             std::uint64_t dropped, bool alive) {
    const auto start = std::chrono::steady_clock::now();
    auto frame = std::make_shared<Frame>();
    frame->serial = ++serial_;
    frame->deadlocks = mp::scope::find_deadlocks(snapshot);
    frame->notes = mp::scope::find_recoveries(snapshot);
    frame->graph = mp::scope::build_wait_graph(snapshot, frame->deadlocks);
    frame->snapshot = std::move(snapshot);
    frame->events = std::move(events);
    frame->eventsDropped = dropped;
    frame->alive = alive;

    const std::vector<LayoutNode> nodes = layoutNodes(frame->graph);
    const std::vector<LayoutEdge> edges = layoutEdges(frame->graph);
    std::uint64_t nodesKey = 0xcbf29ce484222325ull;
    for (const auto& n : frame->graph.nodes)
        nodesKey = mix(nodesKey, (static_cast<std::uint64_t>(n.kind) << 32) | n.id);
    std::uint64_t key = mix(nodesKey, 0xffffffffffffffffull);
    for (const auto& e : edges)
        key = mix(key, (static_cast<std::uint64_t>(e.from) << 32) | e.to);
    // New or gone nodes need places now; edges alone rearrange at most once per kMinRelayoutInterval, so a
    // busy program's settled waits coming and going do not keep the picture moving.
    const double now = frame->snapshot.time;
    const bool nodesChanged = !layout_ || nodesKey != nodesKey_;
    if (nodesChanged || (key != layoutKey_ && now - layoutTime_ >= kMinRelayoutInterval)) {
        layout_ = std::make_shared<const GraphLayout>(layoutGraph(nodes, edges));
        layoutKey_ = key;
        nodesKey_ = nodesKey;
        layoutTime_ = now;
    }
    frame->layout = layout_;
    frame->layoutKey = layoutKey_;
    frame->buildMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return frame;
}

} // namespace mpui
