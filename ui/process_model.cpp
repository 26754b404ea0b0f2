#include "process_model.hpp"

#include "words.hpp"

#include <algorithm>
#include <unordered_set>

namespace mpui {

using mp::scope::ProcessInfo;

struct ProcessModel::Node {
    ProcessInfo info;
    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;
    int row = 0; // index in parent->children
};

namespace {

bool sameWaits(const ProcessInfo& a, const ProcessInfo& b) {
    if (a.waits.size() != b.waits.size() || a.parked.has_value() != b.parked.has_value()) return false;
    for (std::size_t i = 0; i < a.waits.size(); ++i) {
        const auto &x = a.waits[i], &y = b.waits[i];
        if (x.thread != y.thread || x.op != y.op || x.object != y.object || x.target != y.target ||
            x.internal != y.internal)
            return false;
    }
    return !a.parked || (a.parked->op == b.parked->op && a.parked->object == b.parked->object);
}

} // namespace

ProcessModel::ProcessModel(QObject* parent)
    : QAbstractItemModel(parent)
    , root_(std::make_unique<Node>()) {}

ProcessModel::~ProcessModel() = default;

ProcessModel::Node* ProcessModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : root_.get();
}

QModelIndex ProcessModel::indexOfNode(const Node* node, int column) const {
    if (!node || node == root_.get()) return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

QModelIndex ProcessModel::indexOf(quint32 process, int column) const {
    auto it = byId_.find(process);
    return it == byId_.end() ? QModelIndex() : indexOfNode(it->second, column);
}

const ProcessInfo* ProcessModel::process(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this) return nullptr;
    return &nodeOf(index)->info;
}

void ProcessModel::clear() {
    if (root_->children.empty()) return;
    beginResetModel();
    root_->children.clear();
    byId_.clear();
    frame_.reset();
    deadlocked_.clear();
    endResetModel();
}

void ProcessModel::removeNode(Node* node) {
    Node* parent = node->parent;
    const int row = node->row;
    beginRemoveRows(indexOfNode(parent), row, row);
    // Forget the whole subtree: the children still in the session come back under their new parent.
    std::vector<Node*> stack{node};
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        byId_.erase(n->info.id);
        for (auto& c : n->children)
            stack.push_back(c.get());
    }
    parent->children.erase(parent->children.begin() + row);
    for (std::size_t i = static_cast<std::size_t>(row); i < parent->children.size(); ++i)
        parent->children[i]->row = static_cast<int>(i);
    endRemoveRows();
}

void ProcessModel::insertNode(const ProcessInfo& info) {
    auto it = byId_.find(info.parent);
    Node* parent = it == byId_.end() ? root_.get() : it->second;
    const int row = static_cast<int>(parent->children.size());
    beginInsertRows(indexOfNode(parent), row, row);
    auto node = std::make_unique<Node>();
    node->info = info;
    node->parent = parent;
    node->row = row;
    byId_.emplace(info.id, node.get());
    parent->children.push_back(std::move(node));
    endInsertRows();
}

void ProcessModel::setFrame(const FramePtr& frame) {
    const auto& processes = frame->snapshot.processes;
    std::unordered_map<quint32, const ProcessInfo*> next;
    for (const ProcessInfo& p : processes)
        next.emplace(p.id, &p);
    std::vector<quint32> deadlocked;
    for (const auto& d : frame->deadlocks)
        deadlocked.insert(deadlocked.end(), d.processes.begin(), d.processes.end());
    std::sort(deadlocked.begin(), deadlocked.end());
    deadlocked.erase(std::unique(deadlocked.begin(), deadlocked.end()), deadlocked.end());
    auto expectedParent = [&](const ProcessInfo& p) { return next.count(p.parent) ? p.parent : 0u; };

    // Gone, or moved to another parent: removed (and re-inserted below).
    std::vector<quint32> stale;
    for (const auto& [id, node] : byId_) {
        auto it = next.find(id);
        const quint32 parentNow = node->parent == root_.get() ? 0u : node->parent->info.id;
        if (it == next.end() || expectedParent(*it->second) != parentNow) stale.push_back(id);
    }
    std::sort(stale.begin(), stale.end());
    for (quint32 id : stale)
        if (auto it = byId_.find(id); it != byId_.end()) removeNode(it->second);

    // Changes to rows that stay: compare before inserting, while frame_ still names the old state.
    std::unordered_set<quint32> inserted;
    for (const ProcessInfo& p : processes) {
        auto it = byId_.find(p.id);
        if (it == byId_.end()) continue;
        Node* node = it->second;
        const ProcessInfo& old = node->info;
        const bool wasDead = std::binary_search(deadlocked_.begin(), deadlocked_.end(), p.id);
        const bool isDead = std::binary_search(deadlocked.begin(), deadlocked.end(), p.id);
        const bool stateChanged =
            old.state != p.state || old.exitcode != p.exitcode || !sameWaits(old, p) || wasDead != isDead;
        bool changed[ColumnCount] = {
            old.name != p.name || stateChanged,
            old.pid != p.pid,
            old.start_method != p.start_method,
            stateChanged,
            !sameWaits(old, p),
            old.exitcode != p.exitcode,
            old.cpu_seconds != p.cpu_seconds,
        };
        node->info = p;
        const auto first = std::find(std::begin(changed), std::end(changed), true);
        if (first == std::end(changed)) continue;
        const auto last = std::find(std::rbegin(changed), std::rend(changed), true);
        const int from = static_cast<int>(first - std::begin(changed));
        const int to = static_cast<int>(std::rend(changed) - last) - 1;
        emit dataChanged(indexOfNode(node, from), indexOfNode(node, to));
    }
    frame_ = frame;
    deadlocked_ = std::move(deadlocked);

    // New rows, parents before children (serials grow, but a parent may be missing or come later).
    std::vector<const ProcessInfo*> pending;
    for (const ProcessInfo& p : processes)
        if (!byId_.count(p.id)) pending.push_back(&p);
    while (!pending.empty()) {
        std::vector<const ProcessInfo*> later;
        for (const ProcessInfo* p : pending) {
            const quint32 parent = expectedParent(*p);
            if (parent && !byId_.count(parent))
                later.push_back(p);
            else
                insertNode(*p);
        }
        if (later.size() == pending.size()) { // a parent cycle cannot happen, but never loop for ever
            for (const ProcessInfo* p : later)
                insertNode(*p);
            break;
        }
        pending = std::move(later);
    }
}

void ProcessModel::retranslate() {
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    std::vector<Node*> stack{root_.get()};
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (!n->children.empty())
            emit dataChanged(indexOfNode(n->children.front().get(), 0),
                             indexOfNode(n->children.back().get(), ColumnCount - 1));
        for (auto& c : n->children)
            stack.push_back(c.get());
    }
}

QModelIndex ProcessModel::index(int row, int column, const QModelIndex& parent) const {
    if (column < 0 || column >= ColumnCount || row < 0) return {};
    if (parent.isValid() && parent.column() != 0) return {};
    Node* p = nodeOf(parent);
    if (row >= static_cast<int>(p->children.size())) return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex ProcessModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) return {};
    return indexOfNode(nodeOf(child)->parent);
}

int ProcessModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) return 0;
    return static_cast<int>(nodeOf(parent)->children.size());
}

int ProcessModel::columnCount(const QModelIndex&) const {
    return ColumnCount;
}

QVariant ProcessModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const ProcessInfo& p = nodeOf(index)->info;
    const bool deadlocked = std::binary_search(deadlocked_.begin(), deadlocked_.end(), p.id);
    const VisualState vs = visualState(p);
    static const mp::scope::Snapshot empty;
    const mp::scope::Snapshot& snap = frame_ ? frame_->snapshot : empty;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(p.name);
        case Pid:
            return p.pid;
        case Method:
            return QString::fromStdString(p.start_method);
        case State:
            return Words::processState(p);
        case BlockedOn:
            return Words::blockedOn(snap, p);
        case ExitCode:
            return Words::exitCode(p);
        case CpuTime:
            return Words::seconds(p.cpu_seconds, 2);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == Name) return dotIcon(deadlocked ? deadlockColour() : stateColour(vs));
        break;
    case Qt::ToolTipRole: {
        QStringList lines{QStringLiteral("<b>%1</b> (pid %2)")
                              .arg(QString::fromStdString(p.name).toHtmlEscaped())
                              .arg(p.pid)};
        if (!p.target.empty())
            lines << format(Words::tr("target: %1"), {QString::fromStdString(p.target).toHtmlEscaped()});
        lines << Words::processState(p);
        for (const auto& w : p.waits)
            lines << Words::waitText(snap, w).toHtmlEscaped();
        if (deadlocked) lines << Words::tr("deadlocked");
        return lines.join(QStringLiteral("<br>"));
    }
    case Qt::BackgroundRole:
        if (deadlocked) return QColor(0xfe, 0xe2, 0xe2);
        break;
    case Qt::ForegroundRole:
        if (!p.alive()) return QColor(0x6b, 0x72, 0x80);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Pid || index.column() == ExitCode || index.column() == CpuTime)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ProcessIdRole:
        return p.id;
    case PidRole:
        return p.pid;
    case VisualStateRole:
        return static_cast<int>(vs);
    case DeadlockedRole:
        return deadlocked;
    case SortRole:
        switch (index.column()) {
        case Pid:
            return p.pid;
        case ExitCode:
            return p.exitcode.value_or(0);
        case CpuTime:
            return p.cpu_seconds;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant ProcessModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Name:
        return tr("Process");
    case Pid:
        return tr("PID");
    case Method:
        return tr("Start method");
    case State:
        return tr("State");
    case BlockedOn:
        return tr("Blocked on");
    case ExitCode:
        return tr("Exit code");
    case CpuTime:
        return tr("CPU time");
    }
    return {};
}

} // namespace mpui
