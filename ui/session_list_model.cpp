#include "session_list_model.hpp"

#include "style.hpp"
#include "words.hpp"

#include <algorithm>

namespace mpui {

using mp::scope::SessionInfo;

SessionListModel::SessionListModel(QObject* parent)
    : QAbstractTableModel(parent) {}

void SessionListModel::setSessions(std::vector<SessionInfo> sessions) {
    // Live sessions first, newest first within each group.
    std::stable_sort(sessions.begin(), sessions.end(), [](const SessionInfo& a, const SessionInfo& b) {
        if (a.alive != b.alive) return a.alive;
        return a.created_unix_ns > b.created_unix_ns;
    });
    auto position = [](auto& list, const std::string& name) {
        return std::find_if(list.begin(), list.end(), [&](const SessionInfo& s) { return s.name == name; });
    };
    for (int row = static_cast<int>(rows_.size()) - 1; row >= 0; --row) {
        if (position(sessions, rows_[static_cast<std::size_t>(row)].name) != sessions.end()) continue;
        beginRemoveRows({}, row, row);
        rows_.erase(rows_.begin() + row);
        endRemoveRows();
    }
    // Rows keep their place once shown (a list that reorders under the mouse is hard to click); new ones go
    // where the order puts them among the ones before them.
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        auto it = position(rows_, sessions[i].name);
        if (it != rows_.end()) {
            const int row = static_cast<int>(it - rows_.begin());
            *it = sessions[i];
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            continue;
        }
        int row = static_cast<int>(rows_.size());
        for (std::size_t j = i + 1; j < sessions.size(); ++j) {
            auto later = position(rows_, sessions[j].name);
            if (later != rows_.end()) {
                row = std::min(row, static_cast<int>(later - rows_.begin()));
            }
        }
        beginInsertRows({}, row, row);
        rows_.insert(rows_.begin() + row, sessions[i]);
        endInsertRows();
    }
}

void SessionListModel::retranslate() {
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!rows_.empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

const SessionInfo* SessionListModel::session(const QModelIndex& index) const {
    if (!index.isValid() || index.model() != this) return nullptr;
    return &rows_[static_cast<std::size_t>(index.row())];
}

QModelIndex SessionListModel::indexOf(const QString& name) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (QString::fromStdString(rows_[i].name) == name) return index(static_cast<int>(i), 0);
    return {};
}

int SessionListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SessionListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const SessionInfo& s = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return QString::fromStdString(s.name);
        case Main:
            return QString::fromStdString(s.main_name);
        case Processes:
            return format(tr("%1 live of %2"),
                          {QString::number(s.live_processes), QString::number(s.processes)});
        case Age:
            return Words::seconds(s.age, 0);
        case Status:
            return s.alive ? tr("running") : tr("ended");
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == Name)
            return dotIcon(stateColour(s.alive ? VisualState::Running : VisualState::Exited));
        break;
    case Qt::ToolTipRole:
        return format(tr("Session %1, created by pid %2"),
                      {QString::fromStdString(s.name), QString::number(s.creator_pid)});
    case Qt::ForegroundRole:
        if (!s.alive) return QColor(0x6b, 0x72, 0x80);
        break;
    case SessionNameRole:
        return QString::fromStdString(s.name);
    case AliveRole:
        return s.alive;
    }
    return {};
}

QVariant SessionListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Name:
        return tr("Session");
    case Main:
        return tr("Main process");
    case Processes:
        return tr("Processes");
    case Age:
        return tr("Age");
    case Status:
        return tr("Status");
    }
    return {};
}

} // namespace mpui
