#pragma once
// Layout of the wait-for graph, as plain geometry tested without a GUI. Cycles (a deadlock's processes and
// the objects between them) are laid out on circles, so a cycle looks like one; everything else flows in
// layers from waiter to object to holder; unconnected nodes fill a grid below.
#include <cstddef>
#include <vector>

namespace mpui {

struct Point {
    double x = 0, y = 0;
};

struct Box {
    double x = 0, y = 0, w = 0, h = 0; // top-left corner and size
    double right() const { return x + w; }
    double bottom() const { return y + h; }
    // Overlap of the interiors: boxes that only touch do not intersect.
    bool intersects(const Box& o) const {
        return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
    }
};

struct LayoutNode {
    double w = 0, h = 0;
};

struct LayoutEdge {
    std::size_t from = 0, to = 0; // node indices
};

// A strongly connected group of nodes placed round an ellipse (a circle squeezed vertically as far as the
// nodes allow: they are wider than tall), in the order of its cycle, clockwise from the top.
struct Ring {
    std::vector<std::size_t> nodes;
    Point centre;
    double radiusX = 0, radiusY = 0;
};

struct LayoutOptions {
    double nodeGap = 28;      // between neighbours in a layer and between grid cells
    double layerGap = 56;     // between layers
    double componentGap = 72; // between unconnected parts of the graph
    double aspect = 1.6;      // width / height the whole arrangement aims at
};

struct GraphLayout {
    std::vector<Point> centres; // one per node
    std::vector<Ring> rings;
    Box bounds; // of every node's box

    Box box(std::size_t node, const std::vector<LayoutNode>& nodes) const {
        const Point c = centres[node];
        return {c.x - nodes[node].w / 2, c.y - nodes[node].h / 2, nodes[node].w, nodes[node].h};
    }
};

// Deterministic: the same nodes and edges give the same layout. Self-loops and repeated edges are ignored.
GraphLayout layoutGraph(const std::vector<LayoutNode>& nodes, const std::vector<LayoutEdge>& edges,
                        const LayoutOptions& options = {});

} // namespace mpui
