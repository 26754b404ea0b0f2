#include "event_model.hpp"

#include "words.hpp"

namespace mpui {

EventModel::EventModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void EventModel::clear() {
    beginResetModel();
    events_.clear();
    processNames_.clear();
    objectNames_.clear();
    operations_.clear();
    endResetModel();
    emit operationsChanged();
}

void EventModel::setLimit(int rows) {
    limit_ = std::max(rows, 1);
    trimTo(static_cast<std::size_t>(limit_));
}

void EventModel::trimTo(std::size_t rows) {
    if (events_.size() <= rows) return;
    const int excess = static_cast<int>(events_.size() - rows);
    beginRemoveRows({}, 0, excess - 1);
    events_.erase(events_.begin(), events_.begin() + excess);
    endRemoveRows();
}

void EventModel::setFrame(const FramePtr& frame) {
    for (const auto& p : frame->snapshot.processes)
        processNames_[p.id] = p.name;
    for (const auto& o : frame->snapshot.objects)
        objectNames_[o.id] = o.name;
    const auto& incoming = frame->events;
    if (incoming.empty()) return;
    const std::size_t limit = static_cast<std::size_t>(limit_);
    // Only the newest `limit` of a large batch can stay.
    const std::size_t skip = incoming.size() > limit ? incoming.size() - limit : 0;
    const std::size_t add = incoming.size() - skip;
    trimTo(limit - add);
    const std::size_t opsBefore = operations_.size();
    const int first = static_cast<int>(events_.size());
    beginInsertRows({}, first, first + static_cast<int>(add) - 1);
    for (std::size_t i = skip; i < incoming.size(); ++i) {
        events_.push_back(incoming[i]);
        operations_.insert(incoming[i].op);
    }
    endInsertRows();
    if (operations_.size() != opsBefore) emit operationsChanged();
}

void EventModel::retranslate() {
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

QString EventModel::processName(quint32 id) const {
    if (!id) return {};
    auto it = processNames_.find(id);
    return it != processNames_.end() ? QString::fromStdString(it->second)
                                     : format(Words::tr("process #%1"), {QString::number(id)});
}

QString EventModel::objectName(quint32 id) const {
    if (!id) return {};
    auto it = objectNames_.find(id);
    return it != objectNames_.end() ? QString::fromStdString(it->second)
                                    : format(Words::tr("object #%1"), {QString::number(id)});
}

QStringList EventModel::operations() const {
    QStringList out;
    for (const auto& op : operations_)
        out << QString::fromStdString(op);
    return out;
}

int EventModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(events_.size());
}

int EventModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const mp::scope::Event& e = events_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return QString::number(e.time, 'f', 4);
        case Process:
            return processName(e.process);
        case Object:
            return objectName(e.object);
        case Operation:
            return QString::fromStdString(e.op);
        case Argument:
            return e.arg;
        case Thread:
            return e.thread;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Time || index.column() == Argument || index.column() == Thread)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ProcessIdRole:
        return e.process;
    case ObjectIdRole:
        return e.object;
    case OperationRole:
        return QString::fromStdString(e.op);
    case SeqRole:
        return QVariant::fromValue<qulonglong>(e.seq);
    }
    return {};
}

QVariant EventModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Time:
        return tr("Time (s)");
    case Process:
        return tr("Process");
    case Object:
        return tr("Object");
    case Operation:
        return tr("Operation");
    case Argument:
        return tr("Argument");
    case Thread:
        return tr("Thread");
    }
    return {};
}

EventFilterModel::EventFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent) {}

void EventFilterModel::refilter() {
    // Qt 6.4 has no begin/endFilterChange; invalidateFilter() re-runs filterAcceptsRow on every row.
    invalidateFilter();
}

void EventFilterModel::setProcess(quint32 process) {
    if (process_ == process) return;
    process_ = process;
    refilter();
}

void EventFilterModel::setObject(quint32 object) {
    if (object_ == object) return;
    object_ = object;
    refilter();
}

void EventFilterModel::setOperation(const QString& op) {
    if (op_ == op.toStdString()) return;
    op_ = op.toStdString();
    refilter();
}

void EventFilterModel::setText(const QString& text) {
    if (text_ == text) return;
    text_ = text;
    refilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    const auto* model = static_cast<const EventModel*>(sourceModel());
    const mp::scope::Event& e = model->event(sourceRow);
    if (process_ && e.process != process_) return false;
    if (object_ && e.object != object_) return false;
    if (!op_.empty() && e.op != op_) return false;
    if (text_.isEmpty()) return true;
    return model->processName(e.process).contains(text_, Qt::CaseInsensitive) ||
           model->objectName(e.object).contains(text_, Qt::CaseInsensitive) ||
           QString::fromStdString(e.op).contains(text_, Qt::CaseInsensitive);
}

} // namespace mpui
