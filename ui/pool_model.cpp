#include "pool_model.hpp"

#include "words.hpp"

#include <algorithm>
#include <utility>

namespace mpui {

using mp::scope::PoolWorkerInfo;

namespace {

bool same(const PoolWorkerInfo& a, const PoolWorkerInfo& b) {
    return a.process == b.process && a.pid == b.pid && a.state == b.state && a.generation == b.generation &&
           a.tasks_done == b.tasks_done && a.task == b.task && a.job == b.job && a.index == b.index &&
           a.startup == b.startup && a.waiting == b.waiting && a.working == b.working &&
           a.last_exitcode == b.last_exitcode;
}

// How the worker a replacement took over from ended: "was killed by signal 9 (SIGKILL)".
QString predecessorEnd(const PoolWorkerInfo& w) {
    if (!w.last_exitcode) return {};
    const int code = *w.last_exitcode;
    return Words::ended(code < 0 ? mp::scope::ProcessState::Killed : mp::scope::ProcessState::Exited, code);
}

QString times(const PoolWorkerInfo& w) {
    return format(PoolModel::tr("start-up %1, waiting %2, working %3"),
                  {Words::seconds(w.startup, 2), Words::seconds(w.waiting, 2), Words::seconds(w.working, 2)});
}

QString workerState(const std::string& state) {
    if (state == "starting") return PoolModel::tr("starting");
    if (state == "idle") return PoolModel::tr("waiting for a task");
    if (state == "working") return PoolModel::tr("working");
    if (state == "exited") return PoolModel::tr("exited");
    return PoolModel::tr("empty");
}

} // namespace

PoolModel::PoolModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void PoolModel::clear() {
    frame_.reset();
    longest_ = 0;
    if (rows_.empty()) return;
    beginResetModel();
    rows_.clear();
    endResetModel();
}

void PoolModel::setFrame(const FramePtr& frame) {
    std::vector<Row> next;
    for (const auto& o : frame->snapshot.objects) {
        if (o.kind != "Pool") continue;
        for (std::size_t i = 0; i < o.workers.size(); ++i)
            next.push_back({o.id, static_cast<int>(i), QString::fromStdString(o.name), o.workers[i]});
    }
    auto key = [](const Row& r) { return std::pair(r.pool, r.slot); };
    // Rows are kept in (pool, slot) order whatever order the snapshot lists pools in, so that the rows
    // that stay keep their relative order and the merge below needs no moves.
    std::sort(next.begin(), next.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });
    // Rows that went, bottom up; then the ones that stay are changed and new ones inserted in order.
    for (int r = static_cast<int>(rows_.size()) - 1; r >= 0; --r) {
        const auto k = key(rows_[static_cast<std::size_t>(r)]);
        if (std::any_of(next.begin(), next.end(), [&](const Row& n) { return key(n) == k; })) continue;
        beginRemoveRows({}, r, r);
        rows_.erase(rows_.begin() + r);
        endRemoveRows();
    }
    double longest = 0;
    for (const Row& n : next)
        longest = std::max(longest, n.worker.startup + n.worker.waiting + n.worker.working);
    const bool rescaled = longest != longest_;
    longest_ = longest;
    for (std::size_t i = 0; i < next.size(); ++i) {
        if (i < rows_.size() && key(rows_[i]) == key(next[i])) {
            if (!same(rows_[i].worker, next[i].worker) || rows_[i].poolName != next[i].poolName || rescaled) {
                rows_[i] = next[i];
                emit dataChanged(index(static_cast<int>(i), 0), index(static_cast<int>(i), ColumnCount - 1));
            }
            continue;
        }
        beginInsertRows({}, static_cast<int>(i), static_cast<int>(i));
        rows_.insert(rows_.begin() + static_cast<std::ptrdiff_t>(i), next[i]);
        endInsertRows();
    }
    frame_ = frame;
}

QStringList PoolModel::summaries() const {
    QStringList out;
    if (!frame_) return out;
    // In the rows' order.
    std::vector<const mp::scope::ObjectInfo*> pools;
    for (const auto& o : frame_->snapshot.objects)
        if (o.kind == "Pool") pools.push_back(&o);
    std::sort(pools.begin(), pools.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    for (const auto* o : pools) {
        const QString workers =
            format(o->pool_size == 1 ? tr("%1 worker") : tr("%1 workers"), {QString::number(o->pool_size)});
        out << format(tr("%1: %2, %3, %4 queued, %5 completed, %6 lost, %7 outstanding"),
                      {QString::fromStdString(o->name), QString::fromStdString(o->pool_state), workers,
                       QString::number(o->tasks_queued), QString::number(o->tasks_completed),
                       QString::number(o->tasks_lost), QString::number(o->results_outstanding)});
    }
    return out;
}

QModelIndex PoolModel::indexOfProcess(quint32 process) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (process && rows_[i].worker.process == process) return index(static_cast<int>(i), 0);
    return {};
}

void PoolModel::retranslate() {
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!rows_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int PoolModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PoolModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PoolModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const Row& r = rows_[static_cast<std::size_t>(index.row())];
    const PoolWorkerInfo& w = r.worker;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Pool:
            return r.poolName;
        case Worker:
            return w.generation > 1 ? format(tr("#%1 (replaced %2×)"),
                                             {QString::number(r.slot), QString::number(w.generation - 1)})
                                    : QStringLiteral("#%1").arg(r.slot);
        case Pid:
            return w.pid ? QVariant(w.pid) : QVariant();
        case State:
            return workerState(w.state);
        case TasksDone:
            return QVariant::fromValue<qulonglong>(w.tasks_done);
        case Task:
            return QString::fromStdString(w.task);
        case Times:
            return times(w);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Times || index.column() == State) return times(w);
        // Which call the task belongs to (one apply, map or imap) and which chunk of it.
        if (index.column() == Task && !w.task.empty())
            return format(tr("%1: job %2, chunk %3"),
                          {QString::fromStdString(w.task), QString::number(w.job), QString::number(w.index)});
        if (index.column() == Worker && w.generation > 1 && w.last_exitcode)
            return format(tr("Replaces a worker that %1."), {predecessorEnd(w)});
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Pid || index.column() == TasksDone)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ProcessIdRole:
        return w.process;
    case PoolIdRole:
        return r.pool;
    case StartupRole:
        return w.startup;
    case WaitingRole:
        return w.waiting;
    case WorkingRole:
        return w.working;
    case LongestRole:
        return longest_;
    }
    return {};
}

QVariant PoolModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Pool:
        return tr("Pool");
    case Worker:
        return tr("Worker");
    case Pid:
        return tr("PID");
    case State:
        return tr("State");
    case TasksDone:
        return tr("Tasks done");
    case Task:
        return tr("Current task");
    case Times:
        return tr("Time spent"); // the bars; the header tool tip names their colours
    }
    return {};
}

} // namespace mpui
