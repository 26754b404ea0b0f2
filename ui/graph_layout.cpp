#include "graph_layout.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>

namespace mpui {

namespace {

using Adjacency = std::vector<std::vector<std::size_t>>;

// Tarjan's strongly connected components, iteratively (a long wait chain must not exhaust the stack).
// Component ids per node.
std::vector<std::size_t> stronglyConnected(const Adjacency& out) {
    const std::size_t n = out.size();
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<std::size_t> index(n, none), low(n, 0), comp(n, none);
    std::vector<bool> onStack(n, false);
    std::vector<std::size_t> stack;
    std::vector<std::pair<std::size_t, std::size_t>> calls; // node, next edge
    std::size_t counter = 0, components = 0;
    for (std::size_t root = 0; root < n; ++root) {
        if (index[root] != none) continue;
        auto enter = [&](std::size_t v) {
            index[v] = low[v] = counter++;
            stack.push_back(v);
            onStack[v] = true;
            calls.emplace_back(v, 0);
        };
        enter(root);
        while (!calls.empty()) {
            const std::size_t u = calls.back().first;
            const std::size_t i = calls.back().second;
            if (i < out[u].size()) {
                ++calls.back().second;
                const std::size_t w = out[u][i];
                if (index[w] == none)
                    enter(w);
                else if (onStack[w])
                    low[u] = std::min(low[u], index[w]);
                continue;
            }
            if (low[u] == index[u]) {
                std::size_t w = none;
                do {
                    w = stack.back();
                    stack.pop_back();
                    onStack[w] = false;
                    comp[w] = components;
                } while (w != u);
                ++components;
            }
            calls.pop_back();
            if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[u]);
        }
    }
    return comp;
}

std::size_t findRoot(std::vector<std::size_t>& parent, std::size_t v) {
    while (parent[v] != v)
        v = parent[v] = parent[parent[v]];
    return v;
}

// A strongly connected component as one unit of the layered layout: a single node or a ring.
struct Block {
    std::vector<std::size_t> members; // ring order for rings
    double w = 0, h = 0;
    double rx = 0, ry = 0; // rings only
    std::size_t layer = 0;
    double x = 0, y = 0; // centre, within its weak component
    std::vector<std::size_t> preds, succs;
    std::size_t key = 0; // smallest member: the deterministic tie-break
};

// Orders a cycle's members by walking its edges from the smallest node, so neighbours on the circle are
// neighbours in the cycle.
std::vector<std::size_t> ringOrder(std::vector<std::size_t> members, const Adjacency& out,
                                   const std::vector<std::size_t>& comp) {
    std::sort(members.begin(), members.end());
    std::vector<std::size_t> order;
    std::vector<bool> seen(members.size(), false);
    auto position = [&](std::size_t v) {
        return static_cast<std::size_t>(std::lower_bound(members.begin(), members.end(), v) -
                                        members.begin());
    };
    std::size_t cur = members.front();
    while (order.size() < members.size()) {
        order.push_back(cur);
        seen[position(cur)] = true;
        std::size_t next = static_cast<std::size_t>(-1);
        for (std::size_t w : out[cur])
            if (comp[w] == comp[cur] && !seen[position(w)]) {
                next = w;
                break;
            }
        if (next == static_cast<std::size_t>(-1)) {
            const auto it = std::find(seen.begin(), seen.end(), false);
            if (it == seen.end()) break;
            next = members[static_cast<std::size_t>(it - seen.begin())];
        }
        cur = next;
    }
    return order;
}

struct Placed {
    std::vector<std::size_t> nodes;
    Box box; // relative: x = y = 0 before arrangement
};

class ComponentLayout {
public:
    ComponentLayout(const std::vector<LayoutNode>& nodes, const Adjacency& out,
                    const std::vector<std::size_t>& comp, const LayoutOptions& options,
                    std::vector<Point>& centres, std::vector<Ring>& rings)
        : nodes_(nodes)
        , out_(out)
        , comp_(comp)
        , options_(options)
        , centres_(centres)
        , rings_(rings) {}

    // Lays out the nodes of one weakly connected component around (0, 0); returns its bounding box.
    Box place(const std::vector<std::size_t>& members) {
        buildBlocks(members);
        assignLayers();
        orderLayers();
        assignCoordinates();
        return writeCentres();
    }

private:
    // Adjacent centres one node width plus a gap apart, so that on a circle no two boxes overlap; then the
    // circle is squeezed vertically while no two boxes (with half a gap round each) come to overlap.
    void ringRadii(Block& b, double maxW, double maxH) const {
        const std::size_t k = b.members.size();
        b.rx = b.ry = (maxW + options_.nodeGap) / (2 * std::sin(std::numbers::pi / static_cast<double>(k)));
        if (k > 64) return; // the squeeze checks every pair
        const double w = maxW + options_.nodeGap / 2, h = maxH + options_.nodeGap / 2;
        for (double ratio = 0.95; ratio >= 0.45; ratio -= 0.05) {
            const double ry = b.rx * ratio;
            bool fits = true;
            for (std::size_t i = 0; i < k && fits; ++i)
                for (std::size_t j = i + 1; j < k && fits; ++j) {
                    const Point p = ringPoint(i, k, b.rx, ry), q = ringPoint(j, k, b.rx, ry);
                    fits = std::abs(p.x - q.x) >= w || std::abs(p.y - q.y) >= h;
                }
            if (!fits) break;
            b.ry = ry;
        }
    }

    static Point ringPoint(std::size_t j, std::size_t k, double rx, double ry) {
        // Clockwise from the top.
        const double angle =
            -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(k);
        return {rx * std::cos(angle), ry * std::sin(angle)};
    }

    void buildBlocks(const std::vector<std::size_t>& members) {
        std::map<std::size_t, std::vector<std::size_t>> byComp;
        for (std::size_t v : members)
            byComp[comp_[v]].push_back(v);
        for (auto& [c, group] : byComp) {
            Block b;
            b.key = *std::min_element(group.begin(), group.end());
            if (group.size() == 1) {
                b.members = group;
                b.w = nodes_[group[0]].w;
                b.h = nodes_[group[0]].h;
            } else {
                b.members = ringOrder(group, out_, comp_);
                double maxW = 0, maxH = 0;
                for (std::size_t v : group) {
                    maxW = std::max(maxW, nodes_[v].w);
                    maxH = std::max(maxH, nodes_[v].h);
                }
                ringRadii(b, maxW, maxH);
                b.w = 2 * b.rx + maxW;
                b.h = 2 * b.ry + maxH;
            }
            blockOf_.emplace(c, blocks_.size());
            blocks_.push_back(std::move(b));
        }
        std::sort(blocks_.begin(), blocks_.end(),
                  [](const Block& a, const Block& b) { return a.key < b.key; });
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            blockOf_[comp_[blocks_[i].members.front()]] = i;
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            for (std::size_t v : blocks_[i].members)
                for (std::size_t w : out_[v]) {
                    const std::size_t j = blockOf_.at(comp_[w]);
                    if (j != i) blocks_[i].succs.push_back(j);
                }
        for (std::size_t i = 0; i < blocks_.size(); ++i) {
            auto& s = blocks_[i].succs;
            std::sort(s.begin(), s.end());
            s.erase(std::unique(s.begin(), s.end()), s.end());
            for (std::size_t j : s)
                blocks_[j].preds.push_back(i);
        }
    }

    // Longest path from the sources, over the (acyclic) graph of blocks.
    void assignLayers() {
        std::vector<std::size_t> indegree(blocks_.size());
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            indegree[i] = blocks_[i].preds.size();
        std::vector<std::size_t> ready;
        for (std::size_t i = blocks_.size(); i-- > 0;)
            if (indegree[i] == 0) ready.push_back(i);
        while (!ready.empty()) {
            const std::size_t i = ready.back();
            ready.pop_back();
            for (std::size_t j : blocks_[i].succs) {
                blocks_[j].layer = std::max(blocks_[j].layer, blocks_[i].layer + 1);
                if (--indegree[j] == 0) ready.push_back(j);
            }
        }
        std::size_t layers = 0;
        for (const Block& b : blocks_)
            layers = std::max(layers, b.layer + 1);
        layers_.assign(layers, {});
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            layers_[blocks_[i].layer].push_back(i); // by key: blocks_ is sorted
    }

    // Barycentre sweeps: each block moves towards the average position of its neighbours in other layers.
    void orderLayers() {
        std::vector<double> pos(blocks_.size());
        auto number = [&] {
            for (const auto& layer : layers_)
                for (std::size_t k = 0; k < layer.size(); ++k)
                    pos[layer[k]] = (static_cast<double>(k) + 0.5) / static_cast<double>(layer.size());
        };
        number();
        auto sweep = [&](std::size_t l, bool down) {
            auto& layer = layers_[l];
            std::vector<std::pair<double, std::size_t>> keyed;
            for (std::size_t b : layer) {
                const auto& nbrs = down ? blocks_[b].preds : blocks_[b].succs;
                double sum = 0;
                for (std::size_t n : nbrs)
                    sum += pos[n];
                keyed.emplace_back(nbrs.empty() ? pos[b] : sum / static_cast<double>(nbrs.size()), b);
            }
            std::stable_sort(keyed.begin(), keyed.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            for (std::size_t k = 0; k < layer.size(); ++k)
                layer[k] = keyed[k].second;
            number();
        };
        for (int round = 0; round < 4; ++round) {
            for (std::size_t l = 1; l < layers_.size(); ++l)
                sweep(l, true);
            for (std::size_t l = layers_.size() - 1; l-- > 0;)
                sweep(l, false);
        }
    }

    void assignCoordinates() {
        double y = 0;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const auto& layer = layers_[l];
            double height = 0;
            for (std::size_t b : layer)
                height = std::max(height, blocks_[b].h);
            // Wanted centre: above its predecessors' average (the first layer has none: packed).
            std::vector<double> wanted(layer.size());
            double right = 0;
            for (std::size_t k = 0; k < layer.size(); ++k) {
                Block& b = blocks_[layer[k]];
                const bool first = k == 0;
                if (b.preds.empty()) {
                    wanted[k] = first ? b.w / 2 : right + options_.nodeGap + b.w / 2;
                } else {
                    double sum = 0;
                    for (std::size_t p : b.preds)
                        sum += blocks_[p].x;
                    wanted[k] = sum / static_cast<double>(b.preds.size());
                }
                const double left =
                    first ? wanted[k] - b.w / 2 : std::max(wanted[k] - b.w / 2, right + options_.nodeGap);
                b.x = left + b.w / 2;
                b.y = y + height / 2;
                right = left + b.w;
            }
            // Shift the layer as a whole so that, on average, blocks sit where they want to be.
            double shift = 0;
            for (std::size_t k = 0; k < layer.size(); ++k)
                shift += wanted[k] - blocks_[layer[k]].x;
            shift /= static_cast<double>(layer.size());
            for (std::size_t b : layer)
                blocks_[b].x += shift;
            y += height + options_.layerGap;
        }
    }

    Box writeCentres() {
        double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
        for (const Block& b : blocks_) {
            minX = std::min(minX, b.x - b.w / 2);
            maxX = std::max(maxX, b.x + b.w / 2);
            minY = std::min(minY, b.y - b.h / 2);
            maxY = std::max(maxY, b.y + b.h / 2);
        }
        for (const Block& b : blocks_) {
            const double cx = b.x - minX, cy = b.y - minY;
            if (b.members.size() == 1) {
                centres_[b.members[0]] = {cx, cy};
                continue;
            }
            Ring ring{b.members, {cx, cy}, b.rx, b.ry};
            for (std::size_t j = 0; j < b.members.size(); ++j) {
                const Point p = ringPoint(j, b.members.size(), b.rx, b.ry);
                centres_[b.members[j]] = {cx + p.x, cy + p.y};
            }
            rings_.push_back(std::move(ring));
        }
        return {0, 0, maxX - minX, maxY - minY};
    }

    const std::vector<LayoutNode>& nodes_;
    const Adjacency& out_;
    const std::vector<std::size_t>& comp_;
    const LayoutOptions& options_;
    std::vector<Point>& centres_;
    std::vector<Ring>& rings_;
    std::vector<Block> blocks_;
    std::map<std::size_t, std::size_t> blockOf_;
    std::vector<std::vector<std::size_t>> layers_;
};

void translate(Placed& part, std::vector<Point>& centres, std::vector<Ring>& rings, std::size_t ringsFrom,
               std::size_t ringsTo, double dx, double dy) {
    for (std::size_t v : part.nodes) {
        centres[v].x += dx;
        centres[v].y += dy;
    }
    for (std::size_t r = ringsFrom; r < ringsTo; ++r) {
        rings[r].centre.x += dx;
        rings[r].centre.y += dy;
    }
    part.box.x += dx;
    part.box.y += dy;
}

} // namespace

GraphLayout layoutGraph(const std::vector<LayoutNode>& nodes, const std::vector<LayoutEdge>& edges,
                        const LayoutOptions& options) {
    const std::size_t n = nodes.size();
    GraphLayout result;
    result.centres.resize(n);
    if (n == 0) return result;

    Adjacency out(n);
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    std::vector<bool> connected(n, false);
    for (const LayoutEdge& e : edges) {
        if (e.from >= n || e.to >= n || e.from == e.to) continue;
        out[e.from].push_back(e.to);
        connected[e.from] = connected[e.to] = true;
        const std::size_t a = findRoot(parent, e.from), b = findRoot(parent, e.to);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
    for (auto& o : out) {
        std::sort(o.begin(), o.end());
        o.erase(std::unique(o.begin(), o.end()), o.end());
    }
    const std::vector<std::size_t> comp = stronglyConnected(out);

    // Weakly connected components, each laid out on its own, keyed by their smallest node.
    std::map<std::size_t, std::vector<std::size_t>> weak;
    std::vector<std::size_t> isolated;
    for (std::size_t v = 0; v < n; ++v) {
        if (connected[v])
            weak[findRoot(parent, v)].push_back(v);
        else
            isolated.push_back(v);
    }
    struct Part {
        Placed placed;
        std::size_t ringsFrom = 0, ringsTo = 0;
    };
    std::vector<Part> parts;
    for (auto& [root, members] : weak) {
        Part part;
        part.ringsFrom = result.rings.size();
        ComponentLayout layout(nodes, out, comp, options, result.centres, result.rings);
        part.placed.box = layout.place(members);
        part.placed.nodes = members;
        part.ringsTo = result.rings.size();
        parts.push_back(std::move(part));
    }
    // Biggest parts first (a deadlock's ring is usually one of them), then shelves as wide as the aspect
    // ratio asks.
    std::stable_sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
        return a.placed.box.w * a.placed.box.h > b.placed.box.w * b.placed.box.h;
    });
    double area = 0, widest = 0;
    for (const Part& p : parts) {
        area += (p.placed.box.w + options.componentGap) * (p.placed.box.h + options.componentGap);
        widest = std::max(widest, p.placed.box.w);
    }
    double cellW = 0, cellH = 0;
    for (std::size_t v : isolated) {
        cellW = std::max(cellW, nodes[v].w + options.nodeGap);
        cellH = std::max(cellH, nodes[v].h + options.nodeGap);
    }
    area += static_cast<double>(isolated.size()) * cellW * cellH;
    const double shelfWidth = std::max({widest, std::sqrt(area * options.aspect), cellW});

    double x = 0, y = 0, shelfHeight = 0, usedWidth = 0;
    for (Part& p : parts) {
        if (x > 0 && x + p.placed.box.w > shelfWidth) {
            y += shelfHeight + options.componentGap;
            x = shelfHeight = 0;
        }
        translate(p.placed, result.centres, result.rings, p.ringsFrom, p.ringsTo, x, y);
        x += p.placed.box.w + options.componentGap;
        usedWidth = std::max(usedWidth, x - options.componentGap);
        shelfHeight = std::max(shelfHeight, p.placed.box.h);
    }
    if (!isolated.empty()) {
        const auto count = static_cast<double>(isolated.size());
        double left = 0, top = 0;
        std::size_t columns = 1;
        if (parts.empty()) {
            // Alone, the grid takes the aspect ratio.
            columns = static_cast<std::size_t>(std::ceil(std::sqrt(count * options.aspect * cellH / cellW)));
        } else {
            // Beside the connected parts (as tall as they are) or below them (as wide), whichever keeps the
            // whole closer to the aspect ratio.
            const double partsH = y + shelfHeight;
            const auto rowsBeside =
                std::max<std::size_t>(1, static_cast<std::size_t>((partsH + options.nodeGap) / cellH));
            const auto colsBeside =
                static_cast<std::size_t>(std::ceil(count / static_cast<double>(rowsBeside)));
            const auto colsBelow =
                std::max<std::size_t>(1, static_cast<std::size_t>((usedWidth + options.nodeGap) / cellW));
            const double rowsBelow = std::ceil(count / static_cast<double>(colsBelow));
            const double besideW = usedWidth + options.componentGap + static_cast<double>(colsBeside) * cellW;
            const double belowH = partsH + options.componentGap + rowsBelow * cellH;
            const double besideMiss = std::abs(std::log(besideW / std::max(partsH, cellH) / options.aspect));
            const double belowMiss = std::abs(std::log(usedWidth / belowH / options.aspect));
            if (besideMiss < belowMiss) {
                left = usedWidth + options.componentGap;
                columns = colsBeside;
            } else {
                top = partsH + options.componentGap;
                columns = colsBelow;
            }
        }
        for (std::size_t k = 0; k < isolated.size(); ++k) {
            const double col = static_cast<double>(k % columns), row = static_cast<double>(k / columns);
            result.centres[isolated[k]] = {left + col * cellW + (cellW - options.nodeGap) / 2,
                                           top + row * cellH + (cellH - options.nodeGap) / 2};
        }
    }

    double minX = 1e300, minY = 1e300, maxX = -1e300, maxY = -1e300;
    for (std::size_t v = 0; v < n; ++v) {
        const Box b = result.box(v, nodes);
        minX = std::min(minX, b.x);
        minY = std::min(minY, b.y);
        maxX = std::max(maxX, b.right());
        maxY = std::max(maxY, b.bottom());
    }
    result.bounds = {minX, minY, maxX - minX, maxY - minY};
    return result;
}

} // namespace mpui
