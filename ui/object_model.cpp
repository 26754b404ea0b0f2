#include "object_model.hpp"

#include "style.hpp"
#include "words.hpp"

#include <algorithm>
#include <unordered_set>

namespace mpui {

using mp::scope::ObjectInfo;

namespace {

bool sameState(const ObjectInfo& a, const ObjectInfo& b) {
    auto holders = [](const ObjectInfo& o) {
        std::vector<std::pair<quint32, quint32>> out;
        for (const auto& h : o.holders)
            out.emplace_back(h.process, h.units);
        return out;
    };
    auto feeders = [](const ObjectInfo& o) {
        std::vector<std::tuple<quint32, quint32, std::uint64_t, bool>> out;
        for (const auto& f : o.feeders)
            out.emplace_back(f.process, f.items, f.bytes, f.flushing);
        return out;
    };
    return a.name == b.name && a.ops == b.ops && a.owner == b.owner && a.owner_thread == b.owner_thread &&
           a.depth == b.depth && a.value == b.value && a.maxvalue == b.maxvalue && a.waiters == b.waiters &&
           a.recovered_from == b.recovered_from && a.lock == b.lock && a.sleepers == b.sleepers &&
           a.flag == b.flag && a.parties == b.parties && a.n_waiting == b.n_waiting && a.broken == b.broken &&
           a.generation == b.generation && a.barrier_state == b.barrier_state && a.data == b.data &&
           a.items == b.items && a.used_bytes == b.used_bytes && a.capacity_bytes == b.capacity_bytes &&
           a.maxsize == b.maxsize && a.unfinished == b.unfinished && holders(a) == holders(b) &&
           feeders(a) == feeders(b);
}

} // namespace

ObjectModel::ObjectModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void ObjectModel::clear() {
    if (rows_.empty()) return;
    beginResetModel();
    rows_.clear();
    rowOf_.clear();
    maxSeen_.clear();
    deadlocked_.clear();
    frame_.reset();
    endResetModel();
}

void ObjectModel::setFrame(const FramePtr& frame) {
    std::vector<const ObjectInfo*> next;
    for (const ObjectInfo& o : frame->snapshot.objects)
        if (!o.internal) next.push_back(&o);
    std::sort(next.begin(), next.end(),
              [](const ObjectInfo* a, const ObjectInfo* b) { return a->id < b->id; });
    std::vector<quint32> deadlocked;
    for (const auto& d : frame->deadlocks)
        deadlocked.insert(deadlocked.end(), d.objects.begin(), d.objects.end());
    std::sort(deadlocked.begin(), deadlocked.end());
    deadlocked.erase(std::unique(deadlocked.begin(), deadlocked.end()), deadlocked.end());
    std::unordered_set<quint32> nextIds;
    for (const ObjectInfo* o : next)
        nextIds.insert(o->id);
    auto inNext = [&](quint32 id) { return nextIds.count(id) != 0; };

    // Removals, bottom up, one signal per run of adjacent rows.
    for (int row = static_cast<int>(rows_.size()) - 1; row >= 0;) {
        if (inNext(rows_[static_cast<std::size_t>(row)].id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !inNext(rows_[static_cast<std::size_t>(first - 1)].id))
            --first;
        beginRemoveRows({}, first, row);
        rows_.erase(rows_.begin() + first, rows_.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // Changes, one signal per run of adjacent changed rows.
    std::size_t k = 0;
    int runStart = -1;
    auto flush = [&](int end) {
        if (runStart >= 0) emit dataChanged(index(runStart, 0), index(end, ColumnCount - 1));
        runStart = -1;
    };
    for (std::size_t row = 0; row < rows_.size(); ++row) {
        while (k < next.size() && next[k]->id < rows_[row].id)
            ++k;
        const ObjectInfo& now = *next[k];
        const bool marked = std::binary_search(deadlocked.begin(), deadlocked.end(), now.id) !=
                            std::binary_search(deadlocked_.begin(), deadlocked_.end(), now.id);
        if (marked || !sameState(rows_[row], now)) {
            rows_[row] = now;
            if (runStart < 0) runStart = static_cast<int>(row);
        } else {
            flush(static_cast<int>(row) - 1);
        }
    }
    flush(static_cast<int>(rows_.size()) - 1);

    // Insertions at their place by id, one signal per run of adjacent new rows.
    std::size_t row = 0;
    for (std::size_t i = 0; i < next.size();) {
        while (row < rows_.size() && rows_[row].id < next[i]->id)
            ++row;
        if (row < rows_.size() && rows_[row].id == next[i]->id) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < next.size() && (row >= rows_.size() || next[j]->id < rows_[row].id))
            ++j;
        beginInsertRows({}, static_cast<int>(row), static_cast<int>(row + (j - i) - 1));
        std::vector<ObjectInfo> added;
        for (std::size_t m = i; m < j; ++m)
            added.push_back(*next[m]);
        rows_.insert(rows_.begin() + static_cast<std::ptrdiff_t>(row), added.begin(), added.end());
        endInsertRows();
        row += j - i;
        i = j;
    }

    rowOf_.clear();
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        rowOf_.emplace(rows_[r].id, static_cast<int>(r));
        if (isSemaphoreKind(rows_[r].kind)) {
            auto& m = maxSeen_[rows_[r].id];
            m = std::max(m, rows_[r].value);
        }
    }
    deadlocked_ = std::move(deadlocked);
    frame_ = frame;
}

void ObjectModel::retranslate() {
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!rows_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QModelIndex ObjectModel::indexOf(quint32 object, int column) const {
    auto it = rowOf_.find(object);
    return it == rowOf_.end() ? QModelIndex() : index(it->second, column);
}

const ObjectInfo* ObjectModel::object(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this) return nullptr;
    return &rows_[static_cast<std::size_t>(index.row())];
}

int ObjectModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ObjectModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

ObjectModel::Gauge ObjectModel::gauge(const ObjectInfo& o) const {
    Gauge l;
    if (isLockKind(o.kind)) {
        l.fill = o.owner ? 1 : 0;
        l.text = o.owner ? (o.kind == "RLock" ? QStringLiteral("1 / 1 (%1)").arg(o.depth)
                                              : QStringLiteral("1 / 1"))
                         : QStringLiteral("0 / 1");
    } else if (isSemaphoreKind(o.kind)) {
        std::int64_t top = o.kind == "BoundedSemaphore" ? o.maxvalue : 0;
        if (auto it = maxSeen_.find(o.id); it != maxSeen_.end()) top = std::max(top, it->second);
        top = std::max<std::int64_t>(top, std::max<std::int64_t>(o.value, 1));
        l.fill = static_cast<double>(o.value) / static_cast<double>(top);
        l.text = QStringLiteral("%1 / %2").arg(o.value).arg(top);
    } else if (o.kind == "Barrier") {
        l.fill = o.parties ? static_cast<double>(o.n_waiting) / o.parties : 0;
        l.text = QStringLiteral("%1 / %2").arg(o.n_waiting).arg(o.parties);
    } else if (isQueueKind(o.kind)) {
        std::uint64_t backlog = 0;
        for (const auto& f : o.feeders)
            backlog += f.bytes;
        if (o.maxsize) {
            l.fill = static_cast<double>(o.items) / o.maxsize;
            l.text = QStringLiteral("%1 / %2").arg(o.items).arg(o.maxsize);
        } else {
            l.fill = o.capacity_bytes
                         ? static_cast<double>(o.used_bytes) / static_cast<double>(o.capacity_bytes)
                         : 0;
            l.text =
                QStringLiteral("%1 / %2").arg(Words::bytes(o.used_bytes), Words::bytes(o.capacity_bytes));
        }
        if (o.capacity_bytes)
            l.backlog = static_cast<double>(backlog) / static_cast<double>(o.capacity_bytes);
    } else if (o.kind == "Pool") {
        const int busy = busyWorkers(o);
        l.fill = o.pool_size ? static_cast<double>(busy) / o.pool_size : 0;
        l.text = QStringLiteral("%1 / %2").arg(busy).arg(o.pool_size);
    } else if (o.kind == "Event") {
        l.fill = o.flag ? 1 : 0;
        l.text = o.flag ? Words::tr("set") : Words::tr("not set");
    }
    l.fill = std::min(l.fill, 1.0);
    l.backlog = std::clamp(l.backlog, 0.0, 1.0 - std::max(l.fill, 0.0));
    return l;
}

QVariant ObjectModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const ObjectInfo& o = rows_[static_cast<std::size_t>(index.row())];
    static const mp::scope::Snapshot empty;
    const mp::scope::Snapshot& snap = frame_ ? frame_->snapshot : empty;
    const bool deadlocked = std::binary_search(deadlocked_.begin(), deadlocked_.end(), o.id);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(o.name);
        case Kind:
            return QString::fromStdString(o.kind);
        case State:
            return Words::objectState(snap, o);
        case Level:
            return gauge(o).text;
        case Waiters:
            return o.waiters;
        case Creator:
            return o.creator ? Words::processName(snap, o.creator) : QString();
        case Operations:
            return QVariant::fromValue<qulonglong>(o.ops);
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == Name) return kindIcon(QString::fromStdString(o.kind));
        break;
    case Qt::ToolTipRole:
        if (index.column() == State || index.column() == Name || index.column() == Level)
            return QStringLiteral("<b>%1</b> (%2)<br>%3")
                .arg(QString::fromStdString(o.name).toHtmlEscaped(), QString::fromStdString(o.kind),
                     Words::objectState(snap, o).toHtmlEscaped());
        break;
    case Qt::BackgroundRole:
        if (deadlocked) return QColor(0xfe, 0xe2, 0xe2);
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Waiters || index.column() == Operations)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ObjectIdRole:
        return o.id;
    case KindRole:
        return QString::fromStdString(o.kind);
    case LevelRole:
        return gauge(o).fill;
    case BacklogRole:
        return gauge(o).backlog;
    case DeadlockedRole:
        return deadlocked;
    case SortRole:
        switch (index.column()) {
        case Name:
            return o.id; // creation order
        case Level:
            return gauge(o).fill;
        case Waiters:
            return o.waiters;
        case Operations:
            return QVariant::fromValue<qulonglong>(o.ops);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    return {};
}

QVariant ObjectModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Name:
        return tr("Object");
    case Kind:
        return tr("Kind");
    case State:
        return tr("State");
    case Level:
        return tr("Level");
    case Waiters:
        return tr("Waiters");
    case Creator:
        return tr("Created by");
    case Operations:
        return tr("Operations");
    }
    return {};
}

} // namespace mpui
